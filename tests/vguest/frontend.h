#ifndef VGUEST_FRONTEND_H
#define VGUEST_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "connector.h"
#include "options.h"
#include "setup.h"
#include "stats.h"
#include "xenbus.h"

/*
 * The vdispl device as xen-drm-front drives it: reads its configuration from
 * device/vdispl/<dev>, follows the backend's XenBus state, allocates and
 * publishes the connectors' channels on InitWait, connects on Connected, and
 * closes like a driver being unbound.
 */
struct frontend {
	const struct vguest_options *opts;
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xenevtchn_handle *xce;

	char dir[32];  /* device/vdispl/<dev>, relative to our domain's home */
	char *backend; /* the backend's directory, absolute */
	uint32_t backend_id;
	bool be_alloc;

	struct connector conns[CONNECTOR_MAX];
	int nconn;

	enum xenbus_state state; /* ours, as last written */
	bool watching;
	struct setup setup;

	bool done_reported;
	bool backend_gone; /* the backend closed or vanished under us */
	bool fatal;        /* a setup step failed: exit with status 2 */
};

/* Opens the Xen interfaces and reads the configuration; NULL (logged) on failure. */
struct frontend *frontend_create(const struct vguest_options *opts);
/* Releases everything without touching XenStore. NULL is a no-op. */
void frontend_destroy(struct frontend *fe);

int frontend_xenstore_fd(const struct frontend *fe);
int frontend_evtchn_fd(const struct frontend *fe);

/* Starts watching the backend and acts on its current state. */
bool frontend_start(struct frontend *fe);
void frontend_handle_xenstore(struct frontend *fe);
void frontend_handle_evtchn(struct frontend *fe);
/* Timeouts, then whatever can be sent now. May _exit for --exit-after. */
void frontend_tick(struct frontend *fe, int64_t now);
/* The next time frontend_tick has work, INT64_MAX if none. */
int64_t frontend_deadline(const struct frontend *fe);

/* Goes away like an unbound driver: Closing, release, Closed. */
void frontend_close(struct frontend *fe);

void frontend_totals(const struct frontend *fe, struct stats *out);

#endif
