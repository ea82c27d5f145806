#include "evtchnl.h"

#include <errno.h>
#include <string.h>

#include "clock.h"
#include "log.h"

static bool share_page(struct evtchnl_pair *pair, uint32_t domid, void **page, uint32_t *gref)
{
	*page = xengntshr_share_pages(pair->gs, domid, 1, gref, 1);
	if (*page == NULL) {
		log_error("conn=%d: sharing a page with domain %u: %s", pair->index, domid,
			strerror(errno));
		return false;
	}
	memset(*page, 0, DISPLIF_PAGE_SIZE);
	return true;
}

static bool bind_port(struct evtchnl_pair *pair, uint32_t domid, evtchn_port_t *port, bool *bound)
{
	xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(pair->xce, domid);
	if (p < 0) {
		log_error("conn=%d: allocating an event channel for domain %u: %s", pair->index,
			domid, strerror(errno));
		return false;
	}
	*port = (evtchn_port_t)p;
	*bound = true;
	return true;
}

bool evtchnl_pair_init(struct evtchnl_pair *pair, int index, xengntshr_handle *gs,
	xenevtchn_handle *xce, uint32_t domid, struct stats *stats, evtchnl_flip_fn on_flip,
	void *flip_data)
{
	memset(pair, 0, sizeof(*pair));
	pair->index = index;
	pair->gs = gs;
	pair->xce = xce;
	pair->stats = stats;
	pair->evt.on_flip = on_flip;
	pair->evt.flip_data = flip_data;

	if (!share_page(pair, domid, &pair->req.page, &pair->req.gref)) {
		goto error;
	}
	xen_displif_sring_t *sring = pair->req.page;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&pair->req.ring, sring, DISPLIF_PAGE_SIZE);
	if (!bind_port(pair, domid, &pair->req.port, &pair->req.bound)) {
		goto error;
	}

	void *evt_page;
	if (!share_page(pair, domid, &evt_page, &pair->evt.gref)) {
		goto error;
	}
	pair->evt.page = evt_page;
	if (!bind_port(pair, domid, &pair->evt.port, &pair->evt.bound)) {
		goto error;
	}

	log_debug("conn=%d: req-ring-ref %u req-event-channel %u evt-ring-ref %u "
		  "evt-event-channel %u",
		index, pair->req.gref, pair->req.port, pair->evt.gref, pair->evt.port);
	return true;

error:
	evtchnl_pair_finish(pair);
	return false;
}

void evtchnl_pair_finish(struct evtchnl_pair *pair)
{
	if (pair->req.bound) {
		xenevtchn_unbind(pair->xce, pair->req.port);
	}
	if (pair->evt.bound) {
		xenevtchn_unbind(pair->xce, pair->evt.port);
	}
	if (pair->req.page != NULL) {
		xengntshr_unshare(pair->gs, pair->req.page, 1);
	}
	if (pair->evt.page != NULL) {
		xengntshr_unshare(pair->gs, pair->evt.page, 1);
	}
	memset(&pair->req, 0, sizeof(pair->req));
	memset(&pair->evt, 0, sizeof(pair->evt));
}

bool evtchnl_busy(const struct evtchnl_pair *pair)
{
	return pair->req.in_flight;
}

static void notify_requests(struct evtchnl_pair *pair)
{
	struct evtchnl_req *r = &pair->req;
	int notify;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->ring, notify);
	if (notify && xenevtchn_notify(pair->xce, r->port) < 0) {
		log_error("conn=%d: notifying port %u: %s", pair->index, r->port, strerror(errno));
	}
}

static bool submit(struct evtchnl_pair *pair, const struct xendispl_req *req, evtchnl_done_fn done,
	void *data, struct stats *stats, int64_t now, bool quiet)
{
	struct evtchnl_req *r = &pair->req;
	if (r->page == NULL || r->in_flight || r->raw != NULL) {
		return false;
	}
	/*
	 * Responses that never came keep their slots: after 32 of them the
	 * ring is full and nothing more can be sent.
	 */
	if (RING_FULL(&r->ring)) {
		log_error("conn=%d: request ring full, cannot send %s", pair->index,
			displif_op_name(req->operation));
		stats->errors++;
		return false;
	}

	struct xendispl_req *slot = RING_GET_REQUEST(&r->ring, r->ring.req_prod_pvt);
	*slot = *req;
	slot->id = r->next_id++;
	r->ring.req_prod_pvt++;

	r->in_flight = true;
	r->quiet = quiet;
	r->id = slot->id;
	r->operation = req->operation;
	r->deadline = now + EVTCHNL_RESPONSE_TIMEOUT_MS * NSEC_PER_MSEC;
	r->done = done;
	r->done_data = data;
	r->done_stats = stats;
	memset(&r->last_resp, 0, sizeof(r->last_resp));

	notify_requests(pair);
	log_debug("conn=%d: sent %s id %u", pair->index, displif_op_name(r->operation), r->id);
	return true;
}

bool evtchnl_submit(struct evtchnl_pair *pair, const struct xendispl_req *req, evtchnl_done_fn done,
	void *data, struct stats *stats, int64_t now)
{
	return submit(pair, req, done, data, stats, now, false);
}

bool evtchnl_submit_probe(struct evtchnl_pair *pair, const struct xendispl_req *req,
	evtchnl_done_fn done, void *data, struct stats *stats, int64_t now)
{
	return submit(pair, req, done, data, stats, now, true);
}

void evtchnl_raw_begin(struct evtchnl_pair *pair, evtchnl_raw_fn fn, void *data)
{
	if (pair->req.in_flight) {
		return;
	}
	pair->req.raw = fn;
	pair->req.raw_data = data;
}

void evtchnl_raw_end(struct evtchnl_pair *pair)
{
	pair->req.raw = NULL;
	pair->req.raw_data = NULL;
}

bool evtchnl_push_raw(struct evtchnl_pair *pair, const struct xendispl_req *req)
{
	struct evtchnl_req *r = &pair->req;
	if (r->page == NULL || r->raw == NULL || RING_FULL(&r->ring)) {
		return false;
	}
	struct xendispl_req *slot = RING_GET_REQUEST(&r->ring, r->ring.req_prod_pvt);
	*slot = *req;
	slot->id = r->next_id++;
	r->ring.req_prod_pvt++;
	notify_requests(pair);
	return true;
}

uint32_t evtchnl_outstanding(const struct evtchnl_pair *pair)
{
	return pair->req.ring.req_prod_pvt - pair->req.ring.rsp_cons;
}

void evtchnl_overflow(struct evtchnl_pair *pair, uint32_t excess)
{
	struct evtchnl_req *r = &pair->req;
	if (r->page == NULL) {
		return;
	}
	xen_wmb();
	r->ring.sring->req_prod = r->ring.req_prod_pvt + excess;
	xen_mb();
	if (xenevtchn_notify(pair->xce, r->port) < 0) {
		log_error("conn=%d: notifying port %u: %s", pair->index, r->port, strerror(errno));
	}
	log_debug("conn=%d: req_prod set to %u, %u beyond the %u requests made", pair->index,
		r->ring.req_prod_pvt + excess, excess, r->ring.req_prod_pvt);
}

static void complete(struct evtchnl_pair *pair, enum evtchnl_result result, int32_t status)
{
	struct evtchnl_req *r = &pair->req;
	r->in_flight = false;
	if (r->quiet) {
		log_debug("conn=%d: probe %s: %s, status %d", pair->index,
			displif_op_name(r->operation),
			result == EVTCHNL_TIMEOUT ? "no response" : "answered", status);
		r->done(r->done_data, r->operation, result, status);
		return;
	}
	switch (result) {
	case EVTCHNL_OK:
		break;
	case EVTCHNL_FAILED:
		log_error("conn=%d: %s failed: status %d", pair->index,
			displif_op_name(r->operation), status);
		r->done_stats->errors++;
		break;
	case EVTCHNL_TIMEOUT:
		log_error("conn=%d: %s timeout: no response in %d ms", pair->index,
			displif_op_name(r->operation), EVTCHNL_RESPONSE_TIMEOUT_MS);
		r->done_stats->timeouts++;
		break;
	}
	r->done(r->done_data, r->operation, result, status);
}

static void handle_response(struct evtchnl_pair *pair, const struct xendispl_resp *rsp)
{
	struct evtchnl_req *r = &pair->req;
	if (r->raw != NULL) {
		r->raw(r->raw_data, rsp);
		return;
	}
	if (!r->in_flight || rsp->id != r->id) {
		log_debug("conn=%d: ignoring response id %u operation 0x%x: not in flight",
			pair->index, rsp->id, rsp->operation);
		return;
	}
	if (rsp->operation != r->operation) {
		log_debug("conn=%d: ignoring response id %u: operation 0x%x, sent %s", pair->index,
			rsp->id, rsp->operation, displif_op_name(r->operation));
		return;
	}
	log_debug("conn=%d: %s id %u status %d", pair->index, displif_op_name(rsp->operation),
		rsp->id, rsp->status);
	r->last_resp = *rsp;
	complete(pair, rsp->status == 0 ? EVTCHNL_OK : EVTCHNL_FAILED, rsp->status);
}

static void process_responses(struct evtchnl_pair *pair)
{
	xen_displif_front_ring_t *ring = &pair->req.ring;
	/* A backend that keeps moving rsp_prod cannot keep us here forever. */
	for (unsigned pass = 0; pass < RING_SIZE(ring); pass++) {
		RING_IDX untrusted_prod = *(volatile RING_IDX *)&ring->sring->rsp_prod;
		xen_rmb(); /* read responses only after reading rsp_prod */

		RING_IDX sent = ring->req_prod_pvt - ring->rsp_cons;
		if (untrusted_prod - ring->rsp_cons > sent) {
			log_error("conn=%d: backend's rsp_prod %u is beyond the requests sent "
				  "(rsp_cons %u, req_prod %u)",
				pair->index, untrusted_prod, ring->rsp_cons, ring->req_prod_pvt);
			pair->stats->errors++;
			return;
		}
		RING_IDX prod = untrusted_prod;

		for (RING_IDX i = ring->rsp_cons; i != prod; i++) {
			struct xendispl_resp rsp;
			/* One copy: the backend may rewrite the slot while we look. */
			RING_COPY_RESPONSE(ring, i, &rsp);
			ring->rsp_cons = i + 1;
			handle_response(pair, &rsp);
		}

		if (ring->rsp_cons == ring->req_prod_pvt) {
			ring->sring->rsp_event = ring->rsp_cons + 1;
			return;
		}
		int more;
		RING_FINAL_CHECK_FOR_RESPONSES(ring, more);
		if (!more) {
			return;
		}
	}
}

static void process_events(struct evtchnl_pair *pair)
{
	struct evtchnl_evt *e = &pair->evt;
	if (e->stalled) {
		return;
	}
	uint32_t untrusted_prod = *(volatile uint32_t *)&e->page->in_prod;
	xen_rmb(); /* read events only after reading in_prod */

	if (untrusted_prod - e->cons > XENDISPL_IN_RING_LEN) {
		log_error("conn=%d: backend's in_prod %u is more than a ring ahead of in_cons %u",
			pair->index, untrusted_prod, e->cons);
		pair->stats->errors++;
		return;
	}
	uint32_t prod = untrusted_prod;

	for (; e->cons != prod; e->cons++) {
		struct xendispl_evt evt =
			*(volatile struct xendispl_evt *)&XENDISPL_IN_RING_REF(e->page, e->cons);
		/* Like Linux: the expected id moves on even when the event is dropped. */
		uint16_t expected = e->next_id++;
		if (evt.id != expected) {
			log_error("conn=%d: event id %u, expected %u: event dropped", pair->index,
				evt.id, expected);
			pair->stats->errors++;
			continue;
		}
		if (evt.type != XENDISPL_EVT_PG_FLIP) {
			log_error("conn=%d: event id %u has unknown type %u", pair->index, evt.id,
				evt.type);
			pair->stats->errors++;
			continue;
		}
		log_debug("conn=%d: PG_FLIP event id %u", pair->index, evt.id);
		e->on_flip(e->flip_data, evt.op.pg_flip.fb_cookie);
	}

	/*
	 * The backend sees the slots free only after we are done with them: the
	 * reads above before the store of in_cons (a weakly ordered CPU, arm64,
	 * may make a later store visible before earlier loads complete).
	 */
	xen_mb();
	*(volatile uint32_t *)&e->page->in_cons = e->cons;
}

bool evtchnl_handle_port(struct evtchnl_pair *pair, evtchn_port_t port)
{
	if (pair->req.bound && port == pair->req.port) {
		process_responses(pair);
		return true;
	}
	if (pair->evt.bound && port == pair->evt.port) {
		process_events(pair);
		return true;
	}
	return false;
}

void evtchnl_check_timeout(struct evtchnl_pair *pair, int64_t now)
{
	if (pair->req.in_flight && now >= pair->req.deadline) {
		complete(pair, EVTCHNL_TIMEOUT, 0);
	}
}

int64_t evtchnl_deadline(const struct evtchnl_pair *pair)
{
	return pair->req.in_flight ? pair->req.deadline : INT64_MAX;
}
