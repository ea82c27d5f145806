#include <errno.h>
#include <stdlib.h>
#include <xenevtchn.h>

#include "lib_conn.h"

struct xenevtchn_handle {
	struct simconn conn;
};

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags) {
	(void)logger;
	(void)flags; /* descriptors are always close-on-exec here */
	xenevtchn_handle *xce = calloc(1, sizeof(*xce));
	if (!xce) {
		return NULL;
	}
	if (simconn_open(&xce->conn, SIMWIRE_KIND_EVTCHN, -1) < 0) {
		int err = errno;
		free(xce);
		errno = err;
		return NULL;
	}
	return xce;
}

int xenevtchn_close(xenevtchn_handle *xce) {
	if (xce) {
		simconn_close(&xce->conn);
		free(xce);
	}
	return 0;
}

/* Readable exactly while ports wait to be returned by xenevtchn_pending. */
int xenevtchn_fd(xenevtchn_handle *xce) {
	return xce->conn.async_fd;
}

static int call(xenevtchn_handle *xce, uint32_t type, uint32_t a, uint32_t b, bool two,
		uint32_t *port) {
	if (!xce) {
		errno = EINVAL;
		return -1;
	}
	struct simwire_buf req;
	simwire_start(&req, type, 0, 0);
	simwire_put_u32(&req, a);
	if (two) {
		simwire_put_u32(&req, b);
	}
	struct simwire_msg reply;
	if (simconn_call(&xce->conn, &req, &reply) < 0) {
		return -1;
	}
	if (port) {
		*port = simwire_get_u32(&reply);
	}
	if (simconn_done(&reply) < 0) {
		return -1;
	}
	simwire_release(&reply);
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port) {
	return call(xce, SIMWIRE_EVT_NOTIFY, port, 0, false, NULL);
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid) {
	uint32_t port;
	return call(xce, SIMWIRE_EVT_BIND_UNBOUND, domid, 0, false, &port) < 0 ? -1 : (int)port;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
		evtchn_port_t remote_port) {
	uint32_t port;
	return call(xce, SIMWIRE_EVT_BIND_INTERDOMAIN, domid, remote_port, true, &port) < 0 ?
		-1 : (int)port;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port) {
	return call(xce, SIMWIRE_EVT_UNBIND, port, 0, false, NULL);
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port) {
	return call(xce, SIMWIRE_EVT_UNMASK, port, 0, false, NULL);
}

/* Like a read() of /dev/xen/evtchn: blocks unless the caller made the fd non-blocking. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce) {
	if (!xce) {
		errno = EINVAL;
		return -1;
	}
	struct simwire_msg event;
	int ret = simwire_recv(xce->conn.async_fd, &event, false);
	if (ret <= 0) {
		errno = ret == 0 ? ECONNRESET : -ret;
		return -1;
	}
	uint32_t port = simwire_get_u32(&event);
	bool ok = event.hdr.type == SIMWIRE_EVT_EVENT && event.nfds == 0 && simwire_done(&event);
	simwire_release(&event);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return (int)port;
}
