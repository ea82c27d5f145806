#ifndef VGUEST_MISBEHAVE_XS_H
#define VGUEST_MISBEHAVE_XS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xenbus.h>
#include <xenstore.h>

#include "modes.h"

/*
 * The XenStore side of --misbehave: our own frontend directory made wrong
 * before publishing (xs-* modes), and the report of what the backend made
 * of it (and of ring-overflow): "misbehave MODE backend-state=N error="..."",
 * its state and `error` key once it has given up on us, or after 3000 ms.
 */

/*
 * The toolstack owns connector 0's resolution (read-only to us), but the
 * connector's directory is ours: a hostile guest removes it and writes its
 * own. The original value is kept to be written back on the way out.
 */
struct xs_mangle {
	enum misbehave_mode mode;
	char dir[64];     /* <frontend dir>/0 */
	char *resolution; /* the original, while ours is in place */
	char *unique_id;
};

/* Before publishing: the resolution modes rewrite connector 0's. false (logged) on failure. */
bool xs_mangle_apply(
	struct xs_mangle *x, struct xs_handle *xs, const char *fe_dir, enum misbehave_mode mode);
/*
 * What to publish for connector 0's key instead of value: NULL to leave it
 * out, else the (possibly replaced) value.
 */
const char *xs_mangle_value(
	const struct xs_mangle *x, int connector, const char *key, const char *value);
/* Writes the original resolution back, if it was replaced. Frees what it kept. */
void xs_mangle_restore(struct xs_mangle *x, struct xs_handle *xs);
/* Frees what it kept without touching XenStore. */
void xs_mangle_forget(struct xs_mangle *x);

struct backend_report {
	bool active;
	enum misbehave_mode mode;
	enum xenbus_state start; /* the backend's state when we misbehaved */
	char *old_error;         /* its error key then: one left from before is not an answer */
	int64_t first_sign;      /* when a new error key or a new state appeared, 0 before */
	int64_t deadline;
	int64_t next_poll;
};

/* Call before misbehaving: start is the backend's state then (InitWait, Connected). */
void backend_report_start(struct backend_report *r, struct xs_handle *xs, const char *backend,
	enum misbehave_mode mode, enum xenbus_state start, int64_t now);
/*
 * Reads the backend's state and error key; once it has a new error key and
 * has left both its starting state and Connected, or 500 ms after the first
 * of the two, or after 3000 ms, prints the line and returns true.
 */
bool backend_report_poll(
	struct backend_report *r, struct xs_handle *xs, const char *backend, int64_t now);
void backend_report_finish(struct backend_report *r);
int64_t backend_report_deadline(const struct backend_report *r);

#endif
