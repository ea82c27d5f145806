#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenevtchn.h>

#include "protocol/evtchn.h"
#include "protocol/log.h"

struct evtchn_port {
	struct evtchn *evtchn;
	evtchn_port_t local;
	evtchn_handler_t handler;
	void *data;
	struct wl_list link;
};

static int handle_readable(int fd, uint32_t mask, void *data)
{
	struct evtchn *evtchn = data;
	xenevtchn_port_or_error_t port = xenevtchn_pending(evtchn->xce);
	if (port < 0) {
		return 0;
	}
	/* Unmask first so a notify during the handler is not lost. */
	xenevtchn_unmask(evtchn->xce, (evtchn_port_t)port);
	struct evtchn_port *p;
	wl_list_for_each(p, &evtchn->ports, link) {
		if (p->local == (evtchn_port_t)port) {
			p->handler(p->data);
			break;
		}
	}
	return 0;
}

struct evtchn *evtchn_create(struct wl_event_loop *loop)
{
	struct evtchn *evtchn = calloc(1, sizeof(*evtchn));
	if (evtchn == NULL) {
		return NULL;
	}
	wl_list_init(&evtchn->ports);
	evtchn->xce = xenevtchn_open(NULL, 0);
	if (evtchn->xce == NULL) {
		protocol_log_errno(
			PROTOCOL_LOG_ERROR, "Cannot open event channels (is xen-evtchn loaded?)");
		free(evtchn);
		return NULL;
	}
	evtchn->source = wl_event_loop_add_fd(loop, xenevtchn_fd(evtchn->xce), WL_EVENT_READABLE,
		handle_readable, evtchn);
	if (evtchn->source == NULL) {
		xenevtchn_close(evtchn->xce);
		free(evtchn);
		return NULL;
	}
	return evtchn;
}

void evtchn_destroy(struct evtchn *evtchn)
{
	if (evtchn == NULL) {
		return;
	}
	struct evtchn_port *port, *tmp;
	wl_list_for_each_safe(port, tmp, &evtchn->ports, link) {
		evtchn_unbind(port);
	}
	wl_event_source_remove(evtchn->source);
	xenevtchn_close(evtchn->xce);
	free(evtchn);
}

struct evtchn_port *evtchn_bind(struct evtchn *evtchn, uint32_t domid, uint32_t remote_port,
	evtchn_handler_t handler, void *data)
{
	struct evtchn_port *port = calloc(1, sizeof(*port));
	if (port == NULL) {
		return NULL;
	}
	xenevtchn_port_or_error_t local =
		xenevtchn_bind_interdomain(evtchn->xce, domid, remote_port);
	if (local < 0) {
		protocol_log_errno(PROTOCOL_LOG_ERROR, "Cannot bind event channel %u of domain %u",
			remote_port, domid);
		free(port);
		return NULL;
	}
	port->evtchn = evtchn;
	port->local = (evtchn_port_t)local;
	port->handler = handler;
	port->data = data;
	wl_list_insert(&evtchn->ports, &port->link);
	return port;
}

void evtchn_unbind(struct evtchn_port *port)
{
	if (port == NULL) {
		return;
	}
	xenevtchn_unbind(port->evtchn->xce, port->local);
	wl_list_remove(&port->link);
	free(port);
}

void evtchn_notify(struct evtchn_port *port)
{
	if (xenevtchn_notify(port->evtchn->xce, port->local) < 0 && errno != 0) {
		protocol_log_errno(PROTOCOL_LOG_DEBUG, "notify on port %u failed", port->local);
	}
}
