#ifndef MOSAIC_PROTOCOL_EVTCHN_H
#define MOSAIC_PROTOCOL_EVTCHN_H

#include <stdint.h>
#include <wayland-server-core.h>

/*
 * One event-channel handle for the process; each bound port has a handler
 * that runs from the event loop when the peer notifies it.
 */
typedef struct xenevtchn_handle xenevtchn_handle;
struct evtchn_port;

typedef void (*evtchn_handler_t)(void *data);

struct evtchn {
	xenevtchn_handle *xce;
	struct wl_event_source *source;
	struct wl_list ports; // evtchn_port.link
};

struct evtchn *evtchn_create(struct wl_event_loop *loop);
void evtchn_destroy(struct evtchn *evtchn);

/* Binds to the peer's unbound port; NULL (logged) if the peer gave a bad port. */
struct evtchn_port *evtchn_bind(struct evtchn *evtchn, uint32_t domid, uint32_t remote_port,
	evtchn_handler_t handler, void *data);
void evtchn_unbind(struct evtchn_port *port);
void evtchn_notify(struct evtchn_port *port);

#endif
