#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include "protocol/evtchn.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/host.h"
#include "vm-surfaces/mapping.h"

#define REFRESH_NS 16666667LL
#define RETRY_MS 4
/*
 * A shown connector's events come at most at its own rate (60 Hz, Linux's
 * frontend's), whatever its output's: an event due less than a period after
 * the last waits for a later output frame, or for the period's end. An
 * output at 60 Hz whose frames come a little early is not held back.
 */
#define PACE_TOLERANCE_NS (REFRESH_NS / 4)
/*
 * An output can stop presenting frames (a nested window its host hides or
 * throttles, a display switched off): after this long without one, its
 * connectors' flips complete on their own clock until it presents again.
 */
#define STALL_NS (3 * REFRESH_NS)

static int64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

static int64_t clock_now(struct vm_connector *connector);

/* Whether presented flips' events may go now; if not, the retry timer brings them later. */
static bool own_clock(const struct vm_connector *connector)
{
	return !connector->shown || connector->output_stalled;
}

static bool pace_allows(struct vm_connector *connector)
{
	if (own_clock(connector)) {
		/* The connector's own clock completes its flips on a 60 Hz grid. */
		return true;
	}
	int64_t now = clock_now(connector);
	int64_t due = connector->last_event_ns + REFRESH_NS;
	if (now >= due - PACE_TOLERANCE_NS) {
		return true;
	}
	int ms = (int)((due - now + 999999) / 1000000);
	wl_event_source_timer_update(connector->retry, ms > 0 ? ms : 1);
	return false;
}

/* Sends every owed event whose flip has been presented, as far as the ring and the pace allow. */
static void flush_events(struct vm_connector *connector)
{
	if (connector->evt_map == NULL) {
		return;
	}
	if (connector->owed_count > 0 &&
		connector->owed[connector->owed_head].seq <= connector->presented_seq &&
		!pace_allows(connector)) {
		return;
	}
	bool sent = false;
	while (connector->owed_count > 0) {
		struct vm_owed_event *owed = &connector->owed[connector->owed_head];
		if (owed->seq > connector->presented_seq) {
			break;
		}
		if (!displif_event_ring_put_flip(&connector->events_out, owed->fb_cookie)) {
			/*
			 * Ring full: kept, never dropped. Linux's frontend makes room
			 * without telling us, so look again shortly (and whenever the
			 * guest notifies us).
			 */
			wl_event_source_timer_update(connector->retry, RETRY_MS);
			break;
		}
		connector->owed_head = (connector->owed_head + 1) % VM_CONNECTOR_MAX_OWED;
		connector->owed_count--;
		sent = true;
	}
	if (sent) {
		connector->last_event_ns = clock_now(connector);
		evtchn_notify(connector->evt_port);
	}
}

static void complete(struct vm_connector *connector, uint64_t seq)
{
	if (seq > connector->presented_seq) {
		connector->presented_seq = seq;
	}
	/* The owed events are the latest flips, oldest first: those past seq are not shown. */
	uint64_t waiting = 0;
	for (uint32_t i = connector->owed_count; i > 0; i--) {
		uint32_t k = (connector->owed_head + i - 1) % VM_CONNECTOR_MAX_OWED;
		if (connector->owed[k].seq <= connector->presented_seq) {
			break;
		}
		waiting++;
	}
	flush_events(connector);
	if (connector->flips - waiting > connector->flips_presented) {
		connector->flips_presented = connector->flips - waiting;
		wl_signal_emit(&connector->events.present, connector);
	}
}

void vm_connector_present(struct vm_connector *connector, uint64_t seq)
{
	connector->last_present_ns = clock_now(connector);
	if (connector->output_stalled) {
		connector->output_stalled = false;
		wlr_log(WLR_INFO, "domain %u connector %u: its output presents frames again",
			connector->domid, connector->index);
	}
	complete(connector, seq);
}

static int retry_handle_timer(void *data)
{
	flush_events(data);
	return 0;
}

static int64_t clock_now(struct vm_connector *connector)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return ns_between(&connector->clock_origin, &now);
}

static void clock_arm(struct vm_connector *connector);

static int clock_handle_tick(void *data)
{
	struct vm_connector *connector = data;
	int64_t now = clock_now(connector);
	if (!own_clock(connector)) {
		if (connector->owed_count == 0) {
			return 0;
		}
		if (now - connector->last_present_ns < STALL_NS) {
			clock_arm(connector);
			return 0;
		}
		connector->output_stalled = true;
		wlr_log(WLR_INFO, "domain %u connector %u: its output presents no frames: "
			"flips complete on the connector's own clock", connector->domid,
			connector->index);
	}
	connector->clock_last = now;
	complete(connector, connector->content_seq);
	return 0;
}

/*
 * Completes pending flips of a connector no output shows, at the guest's
 * nominal 60 Hz: on a fixed grid of virtual vblanks, like a real display, so
 * the millisecond timer's rounding never accumulates.
 */
static void clock_arm(struct vm_connector *connector)
{
	if (connector->owed_count == 0) {
		return;
	}
	int64_t since = clock_now(connector);
	if (!own_clock(connector)) {
		/* Shown: its output's frames complete the flips, unless they stop coming. */
		int64_t wait_ns = connector->last_present_ns + STALL_NS - since;
		int ms = (int)((wait_ns + 999999) / 1000000);
		wl_event_source_timer_update(connector->clock, ms > 0 ? ms : 1);
		return;
	}
	if (connector->clock_last < since / REFRESH_NS * REFRESH_NS) {
		/*
		 * A vblank went by that completed nothing: the flip came late
		 * (the guest was slow, or a long frame on an output kept us
		 * from reading it). It takes that vblank, now: waiting for the
		 * next one would tie this connector's rate to the outputs'
		 * frame times. Still at most one completion per period.
		 */
		connector->clock_last = since;
		complete(connector, connector->content_seq);
		return;
	}
	int64_t next = (since / REFRESH_NS + 1) * REFRESH_NS;
	int64_t wait_ns = next - since;
	int ms = (int)((wait_ns + 999999) / 1000000);
	wl_event_source_timer_update(connector->clock, ms > 0 ? ms : 1);
}

void vm_connector_set_shown(struct vm_connector *connector, bool shown)
{
	if (shown && !connector->shown) {
		connector->last_present_ns = clock_now(connector);
		connector->output_stalled = false;
	}
	connector->shown = shown;
	clock_arm(connector);
}

/* An owed event whose picture is still to come: no presentation reaches it. */
#define SEQ_LATER UINT64_MAX

static int owe_event(struct vm_connector *connector, uint64_t seq, uint64_t fb_cookie)
{
	if (connector->owed_count == VM_CONNECTOR_MAX_OWED) {
		vm_guest_log_error(connector->log,
			"connector %u: %d flips without waiting for their events", connector->index,
			VM_CONNECTOR_MAX_OWED);
		return -EBUSY;
	}
	connector->flips++;
	uint32_t tail = (connector->owed_head + connector->owed_count) % VM_CONNECTOR_MAX_OWED;
	connector->owed[tail].seq = seq;
	connector->owed[tail].fb_cookie = fb_cookie;
	connector->owed_count++;
	return 0;
}

int vm_connector_flip_later(struct vm_connector *connector, uint64_t fb_cookie)
{
	return owe_event(connector, SEQ_LATER, fb_cookie);
}

int vm_connector_show(struct vm_connector *connector, struct wlr_buffer *buffer,
	const struct wlr_box *src, uint64_t fb_cookie, bool flip)
{
	if (flip && connector->owed_count == VM_CONNECTOR_MAX_OWED) {
		return owe_event(connector, 0, fb_cookie);
	}
	if (buffer != connector->buffer) {
		if (connector->buffer != NULL) {
			wlr_buffer_unlock(connector->buffer);
		}
		connector->buffer = buffer != NULL ? wlr_buffer_lock(buffer) : NULL;
	}
	if (src != NULL) {
		connector->src = *src;
	}
	connector->content_seq++;
	/* Flips still waiting for their picture: this one is it, or supersedes it. */
	for (uint32_t i = 0; i < connector->owed_count; i++) {
		struct vm_owed_event *owed =
			&connector->owed[(connector->owed_head + i) % VM_CONNECTOR_MAX_OWED];
		if (owed->seq == SEQ_LATER) {
			owed->seq = connector->content_seq;
		}
	}
	if (flip) {
		owe_event(connector, connector->content_seq, fb_cookie);
	}
	wl_signal_emit(&connector->events.frame, connector);
	clock_arm(connector);
	return 0;
}

/*
 * A guest that keeps its ring full must not keep the others (and the
 * outputs) waiting: after this many requests, the rest waits for a turn of
 * the loop. Not an idle source: the loop runs idle sources until none is
 * left, so one added again from its own callback would never let go of it
 * while the guest refilled its ring. The turn is an eventfd, ready in the
 * next poll with every other source that is.
 */
#define MAX_REQUESTS_PER_DISPATCH 64

static void connector_handle_request_event(void *data);

static int connector_handle_turn(int fd, uint32_t mask, void *data)
{
	struct vm_connector *connector = data;
	uint64_t count;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
		wlr_log_errno(WLR_ERROR, "cannot read a connector's turn");
	}
	connector->turn_pending = false;
	connector_handle_request_event(connector);
	return 0;
}

static void connector_handle_request_event(void *data)
{
	struct vm_connector *connector = data;
	if (connector->broken || connector->turn_pending) {
		return;
	}
	if (connector->answering_later) {
		flush_events(connector);
		return;
	}
	unsigned handled = 0;
	bool more;
	do {
		RING_IDX untrusted_prod = READ_ONCE(connector->ring.sring->req_prod);
		rmb();
		if (displif_check_req_prod(&connector->ring, untrusted_prod) != 0) {
			connector->broken = true;
			connector->impl->fatal(connector, "request ring overflow");
			return;
		}
		RING_IDX prod = untrusted_prod;
		while (connector->ring.req_cons != prod && handled < MAX_REQUESTS_PER_DISPATCH) {
			struct xendispl_req untrusted_req;
			/* Copy first: the guest may rewrite the slot while we look at it. */
			memcpy(&untrusted_req,
				RING_GET_REQUEST(&connector->ring, connector->ring.req_cons),
				sizeof(untrusted_req));
			connector->ring.req_cons++;
			struct xendispl_resp *resp =
				RING_GET_RESPONSE(&connector->ring, connector->ring.rsp_prod_pvt);
			displif_response_init(resp, &untrusted_req);
			handled++;
			if (!connector->impl->request(connector, &untrusted_req, resp)) {
				/* The slot is the guest's to scribble on till then: answer from a copy. */
				connector->later_resp = *resp;
				connector->answering_later = true;
				break;
			}
			connector->ring.rsp_prod_pvt++;
		}
		bool notify;
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&connector->ring, notify);
		if (notify) {
			evtchn_notify(connector->req_port);
		}
		if (connector->answering_later) {
			break;
		}
		if (handled >= MAX_REQUESTS_PER_DISPATCH) {
			/* The rest after everyone else had a turn. */
			uint64_t one = 1;
			if (write(connector->turn_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
				wlr_log_errno(WLR_ERROR, "cannot give a connector its next turn");
			}
			connector->turn_pending = true;
			break;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&connector->ring, more);
	} while (more);
	/* A notification is our cue to retry events the full ring refused. */
	flush_events(connector);
}

void vm_connector_answer(struct vm_connector *connector, int32_t status)
{
	if (!connector->answering_later) {
		return;
	}
	struct xendispl_resp *resp =
		RING_GET_RESPONSE(&connector->ring, connector->ring.rsp_prod_pvt);
	*resp = connector->later_resp;
	resp->status = status;
	connector->ring.rsp_prod_pvt++;
	connector->answering_later = false;
	/* Pushes the answer, and handles what the guest sent meanwhile. */
	connector_handle_request_event(connector);
}

struct vm_connector *vm_connector_create(const struct vm_host *host, struct vm_guest_log *log,
	uint32_t domid, uint32_t index, const struct vm_connector_impl *impl,
	struct vm_display *display)
{
	struct vm_connector *connector = calloc(1, sizeof(*connector));
	if (connector == NULL) {
		return NULL;
	}
	connector->host = host;
	connector->log = log;
	connector->domid = domid;
	connector->impl = impl;
	connector->display = display;
	connector->index = index;
	connector->shown = false;
	wl_signal_init(&connector->events.frame);
	wl_signal_init(&connector->events.present);
	wl_signal_init(&connector->events.destroy);
	connector->clock = wl_event_loop_add_timer(host->loop, clock_handle_tick, connector);
	if (connector->clock == NULL) {
		goto error;
	}
	connector->retry = wl_event_loop_add_timer(host->loop, retry_handle_timer, connector);
	if (connector->retry == NULL) {
		goto error_clock;
	}
	connector->turn_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (connector->turn_fd < 0) {
		wlr_log_errno(WLR_ERROR, "cannot make an eventfd for a connector");
		goto error_retry;
	}
	connector->turn = wl_event_loop_add_fd(
		host->loop, connector->turn_fd, WL_EVENT_READABLE, connector_handle_turn, connector);
	if (connector->turn == NULL) {
		goto error_turn_fd;
	}
	clock_gettime(CLOCK_MONOTONIC, &connector->clock_origin);
	connector->last_event_ns = -REFRESH_NS;
	return connector;

error_turn_fd:
	close(connector->turn_fd);
error_retry:
	wl_event_source_remove(connector->retry);
error_clock:
	wl_event_source_remove(connector->clock);
error:
	free(connector);
	return NULL;
}

static void fatal(struct vm_connector *connector, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fatal(struct vm_connector *connector, const char *fmt, ...)
{
	char why[256];
	va_list args;
	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	connector->impl->fatal(connector, why);
}

bool vm_connector_connect(struct vm_connector *connector, const struct vm_connector_keys *keys)
{
	const struct vm_host *host = connector->host;
	uint32_t i = connector->index;
	connector->width = keys->width;
	connector->height = keys->height;
	if (keys->unique_id != NULL) {
		connector->unique_id = strdup(keys->unique_id);
		if (connector->unique_id == NULL) {
			fatal(connector, "out of memory");
			return false;
		}
	}

	uint32_t req_ref = keys->req_ref, evt_ref = keys->evt_ref;
	connector->req_map = vm_mapping_create(
		host->gnttab, connector->domid, &req_ref, 1, PROT_READ | PROT_WRITE);
	connector->evt_map = vm_mapping_create(
		host->gnttab, connector->domid, &evt_ref, 1, PROT_READ | PROT_WRITE);
	if (connector->req_map == NULL || connector->evt_map == NULL) {
		fatal(connector, "connector %u: cannot map ring pages %u/%u", i, req_ref, evt_ref);
		return false;
	}
	BACK_RING_INIT(&connector->ring, (struct xen_displif_sring *)connector->req_map->addr,
		XEN_PAGE_SIZE);
	displif_event_ring_init(&connector->events_out, connector->evt_map->addr);

	connector->req_port = evtchn_bind(host->evtchn, connector->domid, keys->req_chn,
		connector_handle_request_event, connector);
	connector->evt_port = evtchn_bind(host->evtchn, connector->domid, keys->evt_chn,
		connector_handle_request_event, connector);
	if (connector->req_port == NULL || connector->evt_port == NULL) {
		fatal(connector, "connector %u: cannot bind event channels %u/%u", i, keys->req_chn,
			keys->evt_chn);
		return false;
	}
	return true;
}

void vm_connector_destroy(struct vm_connector *connector)
{
	if (connector == NULL) {
		return;
	}
	wl_signal_emit(&connector->events.destroy, connector);
	if (connector->buffer != NULL) {
		wlr_buffer_unlock(connector->buffer);
	}
	evtchn_unbind(connector->req_port);
	evtchn_unbind(connector->evt_port);
	vm_mapping_unref(connector->req_map);
	vm_mapping_unref(connector->evt_map);
	wl_event_source_remove(connector->clock);
	wl_event_source_remove(connector->retry);
	wl_event_source_remove(connector->turn);
	close(connector->turn_fd);
	free(connector->unique_id);
	free(connector);
}
