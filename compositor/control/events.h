#ifndef MOSAIC_COMPOSITOR_CONTROL_EVENTS_H
#define MOSAIC_COMPOSITOR_CONTROL_EVENTS_H

#include <wayland-server-core.h>

/*
 * The event stream of `follow`: the server's events (guests connecting and
 * going, layout switches and reloads, frames, focus) as event lines, sent
 * to every client that follows. A follower that does not keep up is dropped.
 */
struct mosaic_server;
struct control_events;

/* clients: the control server's, struct control_client.link. */
struct control_events *control_events_create(struct mosaic_server *server, struct wl_list *clients);
void control_events_destroy(struct control_events *events);

#endif
