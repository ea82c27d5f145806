#ifndef VGUEST_EVTCHNL_H
#define VGUEST_EVTCHNL_H

#include <stdbool.h>
#include <stdint.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "displif.h"
#include "stats.h"

/*
 * One connector's pair of channels, as Linux's xen-drm-front keeps them:
 * a request ring (one request in flight, responses matched by id and
 * operation, 3000 ms per response) and an event page the backend fills with
 * page-flip events (ids consecutive from 0). Everything the backend writes
 * into these pages is untrusted.
 */

#define EVTCHNL_RESPONSE_TIMEOUT_MS 3000

enum evtchnl_result {
	EVTCHNL_OK,
	EVTCHNL_FAILED,  /* the backend answered with a non-zero status */
	EVTCHNL_TIMEOUT, /* no acceptable answer within 3000 ms */
};

/* Called once per submitted request; must not free the pair. */
typedef void (*evtchnl_done_fn)(
	void *data, uint8_t operation, enum evtchnl_result result, int32_t status);
/* Called for each page-flip event with the expected id. */
typedef void (*evtchnl_flip_fn)(void *data, uint64_t fb_cookie);
/* Raw mode (--misbehave flood): called for every response, in flight or not. */
typedef void (*evtchnl_raw_fn)(void *data, const struct xendispl_resp *rsp);

struct evtchnl_req {
	xen_displif_front_ring_t ring;
	void *page;
	uint32_t gref;
	evtchn_port_t port;
	bool bound;
	uint16_t next_id;

	bool in_flight;
	bool quiet; /* a probe: failures are expected, neither logged as errors nor counted */
	uint16_t id;
	uint8_t operation;
	int64_t deadline;
	evtchnl_done_fn done;
	void *done_data;
	struct stats *done_stats;
	struct xendispl_resp last_resp; /* the accepted response, for done to read */

	evtchnl_raw_fn raw; /* raw mode when set */
	void *raw_data;
};

struct evtchnl_evt {
	struct xendispl_event_page *page;
	uint32_t gref;
	evtchn_port_t port;
	bool bound;
	uint32_t cons; /* our copy: the page's in_cons is writable by the backend */
	uint16_t next_id;
	evtchnl_flip_fn on_flip;
	void *flip_data;
	bool stalled; /* --stall-events: the ring is never read */
};

struct evtchnl_pair {
	int index;
	xengntshr_handle *gs;
	xenevtchn_handle *xce;
	struct stats *stats; /* protocol errors on these channels count here */
	struct evtchnl_req req;
	struct evtchnl_evt evt;
};

/* Shares the ring and event pages with domid and allocates both unbound ports. */
bool evtchnl_pair_init(struct evtchnl_pair *pair, int index, xengntshr_handle *gs,
	xenevtchn_handle *xce, uint32_t domid, struct stats *stats, evtchnl_flip_fn on_flip,
	void *flip_data);
/* Releases ports and grants. Safe on a zeroed or already finished pair. */
void evtchnl_pair_finish(struct evtchnl_pair *pair);

bool evtchnl_busy(const struct evtchnl_pair *pair);

/*
 * Puts req (id assigned here) on the ring and notifies the backend if the
 * ring asks for it. done is called later with the result; errors and
 * timeouts are logged here and counted in stats. Returns false (counted as
 * an error) if the ring has no free slot.
 */
bool evtchnl_submit(struct evtchnl_pair *pair, const struct xendispl_req *req, evtchnl_done_fn done,
	void *data, struct stats *stats, int64_t now);

/* As evtchnl_submit, for a request expected to fail: failures are only logged with --verbose. */
bool evtchnl_submit_probe(struct evtchnl_pair *pair, const struct xendispl_req *req,
	evtchnl_done_fn done, void *data, struct stats *stats, int64_t now);

/*
 * Raw mode: many requests in flight, every response handed to fn. Only
 * when no request is in flight; evtchnl_raw_end goes back to normal.
 */
void evtchnl_raw_begin(struct evtchnl_pair *pair, evtchnl_raw_fn fn, void *data);
void evtchnl_raw_end(struct evtchnl_pair *pair);
/* Pushes req (id assigned here) if the ring has room; notifies when the ring asks. */
bool evtchnl_push_raw(struct evtchnl_pair *pair, const struct xendispl_req *req);
/* Requests pushed and not answered yet. */
uint32_t evtchnl_outstanding(const struct evtchnl_pair *pair);

/*
 * A broken frontend: publishes req_prod `excess` slots beyond what it
 * produced (more than a ring ahead of the backend) and notifies.
 */
void evtchnl_overflow(struct evtchnl_pair *pair, uint32_t excess);

/* The backend notified port; returns false if port is not one of this pair's. */
bool evtchnl_handle_port(struct evtchnl_pair *pair, evtchn_port_t port);

void evtchnl_check_timeout(struct evtchnl_pair *pair, int64_t now);
/* When the request in flight times out, INT64_MAX if none. */
int64_t evtchnl_deadline(const struct evtchnl_pair *pair);

#endif
