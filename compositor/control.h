#ifndef MOSAIC_COMPOSITOR_CONTROL_H
#define MOSAIC_COMPOSITOR_CONTROL_H

#include <stdbool.h>

/* The control socket: mosaicctl's requests, answered from the event loop. */
struct mosaic_server;
struct mosaic_control;

struct mosaic_control *control_create(struct mosaic_server *server, const char *path);
void control_destroy(struct mosaic_control *control);

#endif
