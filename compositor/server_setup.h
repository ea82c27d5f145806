#ifndef MOSAIC_COMPOSITOR_SERVER_SETUP_H
#define MOSAIC_COMPOSITOR_SERVER_SETUP_H

#include <stdbool.h>

/* Making the server (server.h) and every part of it, in order, and unmaking it. */
struct mosaic_server;
struct mosaic_config;

/*
 * The display part alone: Wayland display, backend, renderer, scene, the
 * arrangement; no guests' devices, no input, no control socket (what the
 * composition benchmarks measure). false if a part cannot be made (logged);
 * server_finish() has run then.
 */
bool server_init_display(struct mosaic_server *server, const struct mosaic_config *config);
/* All of it: the display part, then guests' devices, input, control and the seat. */
bool server_init(struct mosaic_server *server, const struct mosaic_config *config);
/* The Wayland socket, the backend's outputs and input, then the guests' devices. */
bool server_start(struct mosaic_server *server);
void server_finish(struct mosaic_server *server);

#endif
