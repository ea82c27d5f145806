#ifndef MOSAIC_COMPOSITOR_CONTROL_CONTROL_H
#define MOSAIC_COMPOSITOR_CONTROL_CONTROL_H

/*
 * The control socket: mosaicctl's requests, answered from the event loop
 * (protocol/control.h describes them), the event stream of `follow`, and
 * the commands of key bindings (server.events.binding), whose replies go
 * to the log.
 */
struct mosaic_server;
struct mosaic_control;

struct mosaic_control *control_create(struct mosaic_server *server, const char *path);
void control_destroy(struct mosaic_control *control);

#endif
