#ifndef VGUEST_SETUP_H
#define VGUEST_SETUP_H

#include <stdbool.h>
#include <stdint.h>
#include <xengnttab.h>

#include "connector.h"

/*
 * Creates every connector's framebuffers, one request at a time on
 * connector 0's ring as xen-drm-front does for device-wide operations:
 * for each connector and each of its buffers, DBUF_CREATE then FB_ATTACH
 * (each connector in its own format). Backend-allocated buffers are mapped
 * between the two. A connector whose buffer fails is left out; the others
 * go on.
 */
enum setup_phase {
	SETUP_CREATE,
	SETUP_CREATING,
	SETUP_ATTACH,
	SETUP_ATTACHING,
};

struct setup {
	struct connector *conns;
	int nconn;
	struct dbuf_alloc alloc;

	int conn;         /* the connector being set up; nconn when all are */
	unsigned int buf; /* its buffer being set up */
	enum setup_phase phase;
	int64_t sent_at;   /* when the request in flight was pushed */
	int64_t create_ns; /* the buffer's DBUF_CREATE, from push to answer */
};

void setup_start(
	struct setup *setup, struct connector *conns, int nconn, const struct dbuf_alloc *alloc);
/* Every connector has its buffers, or failed. */
bool setup_done(const struct setup *setup);
/* Sends the next request if connector 0's ring is free; true if it did anything. */
bool setup_step(struct setup *setup, int64_t now);

#endif
