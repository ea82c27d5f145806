#ifndef VGUEST_FRONTEND_H
#define VGUEST_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "connector.h"
#include "edidq.h"
#include "misbehave.h"
#include "misbehave_xs.h"
#include "options.h"
#include "setup.h"
#include "stats.h"
#include "xenbus.h"

/*
 * The vdispl device as xen-drm-front drives it: reads its configuration from
 * device/vdispl/<dev>, follows the backend's XenBus state, allocates and
 * publishes the connectors' channels on InitWait, connects on Connected, and
 * closes like a driver being unbound. With --reconnect it recovers as Linux
 * does when the backend restarts (back to InitWait under a connection).
 */

/* What a connection is doing, once Connected. */
enum frontend_phase {
	PHASE_IDLE,      /* not connected */
	PHASE_EDID,      /* --edid: GET_EDID on every connector */
	PHASE_BUFFERS,   /* creating framebuffers, then SET_CONFIG on every connector */
	PHASE_MISBEHAVE, /* --misbehave's requests, before any flip */
	PHASE_RUN,       /* flipping */
};

struct frontend {
	const struct vguest_options *opts;
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xengnttab_handle *gt; /* --be-alloc: maps the backend's buffers */
	xenevtchn_handle *xce;

	char dir[32];  /* device/vdispl/<dev>, relative to our domain's home */
	char *backend; /* the backend's directory, absolute */
	uint32_t backend_id;
	bool be_alloc;

	struct connector conns[CONNECTOR_MAX];
	int nconn;

	enum xenbus_state state; /* ours, as last written */
	bool watching;
	enum frontend_phase phase;
	struct setup setup;
	struct edidq edid[CONNECTOR_MAX];

	struct misbehave *misbehave;  /* the request modes' script while it runs */
	bool misbehave_ran;           /* once, on the first connection */
	struct xs_mangle mangle;      /* xs-* modes */
	struct backend_report report; /* xs-* modes and ring-overflow */
	bool expect_backend_change;   /* misbehaving: the backend's reaction is reported */

	unsigned int connections; /* times it reached Connected */
	uint64_t flips_at_connect;
	uint64_t flips_at_window; /* SIGUSR1: flips when the window began */
	int64_t window_start;
	bool done_reported;
	bool backend_gone; /* the backend closed or vanished under us */
	bool fatal;        /* a setup step failed: exit with status 2 */
	bool finished;     /* --misbehave reported the backend's reaction: close, exit 0 */
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
/* "lat_max_ms=... lat_p99_ms=... late=..." over every connector. */
void frontend_format_latency(const struct frontend *fe, char *buf, size_t size);
/*
 * SIGUSR1: reports the flips and latency since the last one (or the start)
 * and starts a new window: "window ms=D flips=K timeouts=T errors=E LAT".
 */
void frontend_window(struct frontend *fe);

#endif
