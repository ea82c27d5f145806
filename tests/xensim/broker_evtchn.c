#include <errno.h>
#include <stdlib.h>

#include "broker.h"

enum port_state {
	PORT_FREE,
	PORT_UNBOUND, /* waits for remote_dom to bind to it */
	PORT_INTERDOMAIN,
};

/*
 * A port of a domain, bound through one handle. "pending" is Xen's pending
 * bit; "masked" is the Linux evtchn driver's disabled interrupt: set when the
 * port is handed to the handle, cleared by an unmask.
 */
struct port {
	uint8_t state;
	bool pending, masked;
	struct conn *owner;
	uint32_t remote_dom, remote_port;
};

static uint32_t port_alloc(struct domain *dom, struct conn *owner) {
	if (!dom->ports && !(dom->ports = calloc(SIM_EVTCHN_PORTS, sizeof(*dom->ports)))) {
		return 0;
	}
	/* Port 0 is never used; Xen hands out the lowest free one. */
	for (uint32_t port = 1; port < SIM_EVTCHN_PORTS; port++) {
		if (dom->ports[port].state == PORT_FREE) {
			dom->ports[port] = (struct port){.owner = owner};
			dom->nports++;
			return port;
		}
	}
	return 0;
}

static struct port *owned_port(struct conn *conn, uint32_t port) {
	struct domain *dom = conn->dom;
	if (port == 0 || port >= SIM_EVTCHN_PORTS || !dom->ports ||
			dom->ports[port].state == PORT_FREE || dom->ports[port].owner != conn) {
		return NULL;
	}
	return &dom->ports[port];
}

static void deliver(struct port *p, uint32_t port) {
	struct simwire_buf buf;
	simwire_start(&buf, SIMWIRE_EVT_EVENT, 0, 0);
	simwire_put_u32(&buf, port);
	conn_send_async(p->owner, &buf);
}

static void set_pending(struct domain *dom, uint32_t port) {
	struct port *p = &dom->ports[port];
	if (p->masked) {
		p->pending = true; /* coalesces until the unmask */
		return;
	}
	p->masked = true;
	deliver(p, port);
}

static void close_port(struct broker *broker, struct domain *dom, uint32_t port) {
	struct port *p = &dom->ports[port];
	if (p->state == PORT_INTERDOMAIN) {
		/* The peer's end goes back to unbound, where notifies are dropped (as in Xen). */
		struct domain *remote = p->remote_dom < SIM_DOMID_LIMIT ?
			broker->domains[p->remote_dom] : NULL;
		struct port *rp = remote && remote->ports ? &remote->ports[p->remote_port] : NULL;
		if (rp && rp->state == PORT_INTERDOMAIN && rp->remote_dom == dom->domid &&
				rp->remote_port == port) {
			rp->state = PORT_UNBOUND;
		}
	}
	*p = (struct port){0};
	dom->nports--;
}

static int bind_interdomain(struct conn *conn, uint32_t remote_domid, uint32_t remote_port,
		uint32_t *port) {
	struct domain *dom = conn->dom;
	struct domain *remote = domain_lookup(conn->broker, remote_domid);
	if (!remote) {
		return ESRCH;
	}
	struct port *rp = remote_port > 0 && remote_port < SIM_EVTCHN_PORTS && remote->ports ?
		&remote->ports[remote_port] : NULL;
	if (!rp || rp->state != PORT_UNBOUND || rp->remote_dom != dom->domid) {
		return EINVAL;
	}
	*port = port_alloc(dom, conn);
	if (!*port) {
		return ENOSPC;
	}
	struct port *p = &dom->ports[*port];
	p->state = PORT_INTERDOMAIN;
	p->remote_dom = remote_domid;
	p->remote_port = remote_port;
	rp->state = PORT_INTERDOMAIN;
	rp->remote_dom = dom->domid;
	rp->remote_port = *port;
	/* Xen marks the new port pending: notifies sent to the unbound port may be lost. */
	set_pending(dom, *port);
	return 0;
}

void evtchn_handle(struct conn *conn, struct simwire_msg *msg) {
	struct broker *broker = conn->broker;
	struct domain *dom = conn->dom;
	uint32_t type = msg->hdr.type;
	uint32_t arg = simwire_get_u32(msg);
	uint32_t remote_port = type == SIMWIRE_EVT_BIND_INTERDOMAIN ? simwire_get_u32(msg) : 0;
	if (!simwire_done(msg) || type < SIMWIRE_EVT_BIND_UNBOUND || type > SIMWIRE_EVT_UNMASK) {
		conn->broken = true;
		return;
	}
	int err = 0;
	uint32_t port = 0;
	struct port *p = NULL;
	switch (type) {
	case SIMWIRE_EVT_BIND_UNBOUND:
		if (arg == SIM_DOMID_SELF) {
			arg = dom->domid;
		}
		if (arg >= SIM_DOMID_LIMIT) {
			err = EINVAL;
		} else if (!(port = port_alloc(dom, conn))) {
			err = ENOSPC;
		} else {
			dom->ports[port].state = PORT_UNBOUND;
			dom->ports[port].remote_dom = arg;
		}
		break;
	case SIMWIRE_EVT_BIND_INTERDOMAIN:
		err = bind_interdomain(conn, arg == SIM_DOMID_SELF ? dom->domid : arg, remote_port, &port);
		break;
	case SIMWIRE_EVT_UNBIND:
		if (!owned_port(conn, arg)) {
			err = ENOTCONN; /* what the Linux driver says for a port not bound here */
		} else {
			close_port(broker, dom, arg);
		}
		break;
	case SIMWIRE_EVT_NOTIFY:
		if (!(p = owned_port(conn, arg))) {
			err = ENOTCONN;
		} else if (p->state == PORT_INTERDOMAIN) {
			struct domain *remote = domain_lookup(broker, p->remote_dom);
			if (remote) {
				set_pending(remote, p->remote_port);
			}
		}
		break;
	case SIMWIRE_EVT_UNMASK:
		/* The driver ignores unmasks of ports it does not know. */
		if ((p = owned_port(conn, arg)) && p->masked) {
			p->masked = false;
			if (p->pending) {
				p->pending = false;
				set_pending(dom, arg);
			}
		}
		break;
	}
	if (err || (type != SIMWIRE_EVT_BIND_UNBOUND && type != SIMWIRE_EVT_BIND_INTERDOMAIN)) {
		conn_reply(conn, type, err);
		return;
	}
	struct simwire_buf buf;
	simwire_start(&buf, type, 0, 0);
	simwire_put_u32(&buf, port);
	conn_send(conn, &buf, NULL, 0);
}

void evtchn_release_conn(struct conn *conn) {
	struct domain *dom = conn->dom;
	if (conn->kind != SIMWIRE_KIND_EVTCHN || !dom || !dom->ports) {
		return;
	}
	for (uint32_t port = 1; port < SIM_EVTCHN_PORTS; port++) {
		if (dom->ports[port].state != PORT_FREE && dom->ports[port].owner == conn) {
			close_port(conn->broker, dom, port);
		}
	}
}
