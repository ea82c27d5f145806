#ifndef MOSAIC_COMPOSITOR_CONTROL_H
#define MOSAIC_COMPOSITOR_CONTROL_H

#include <stdbool.h>

/*
 * The control socket: mosaicctl's requests, answered from the event loop,
 * and the event stream of `follow` (protocol/control.h describes both).
 */
struct mosaic_server;
struct mosaic_control;

struct mosaic_control *control_create(struct mosaic_server *server, const char *path);
void control_destroy(struct mosaic_control *control);

/* Sends an event line to every follower (control may be NULL). */
void control_eventf(struct mosaic_control *control, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Runs a request as if a client had sent it (a key binding); the reply goes to the log. */
void control_run(struct mosaic_server *server, const char *line);

#endif
