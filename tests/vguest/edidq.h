#ifndef VGUEST_EDIDQ_H
#define VGUEST_EDIDQ_H

#include <stdbool.h>
#include <stdint.h>
#include <xengnttab.h>

#include "evtchnl.h"
#include "stats.h"

/*
 * GET_EDID on one connector's own ring: a buffer of XENDISPL_EDID_MAX_SIZE
 * bytes (pages and their directory granted to the backend, writable), then
 * the EDID it wrote is copied out, checked against the connector's
 * resolution and reported as "edid conn=I size=N width=W height=H name=STR".
 * Any failure is an error counted in the connector's stats.
 */
enum edidq_state {
	EDIDQ_IDLE,
	EDIDQ_SENT,
	EDIDQ_DONE,
};

struct edidq {
	int index;
	uint32_t width, height;
	struct evtchnl_pair *chan;
	struct stats *stats;
	xengntshr_handle *gs;
	enum edidq_state state;

	void *pages;
	uint32_t grefs[XENDISPL_EDID_MAX_SIZE / DISPLIF_PAGE_SIZE];
	void *dir;
	uint32_t dir_gref;
};

void edidq_init(struct edidq *q, int index, uint32_t width, uint32_t height,
	struct evtchnl_pair *chan, struct stats *stats, xengntshr_handle *gs);
/* Sends the request if the ring is free; true if it did anything. */
bool edidq_step(struct edidq *q, uint32_t domid, int64_t now);
bool edidq_done(const struct edidq *q);
/* Unshares the buffer. Safe to call twice. */
void edidq_finish(struct edidq *q);

#endif
