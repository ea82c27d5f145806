#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>

#include "protocol/evtchn.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "protocol/xs_value.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/mapping.h"
#include "vm-surfaces/vm_surfaces.h"

#define REFRESH_NS 16666667LL
#define RETRY_MS 4

static int64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

/* Writes one flip event; false if the guest has not made room for it yet. */
static bool put_event(struct vm_connector *connector, uint64_t fb_cookie)
{
	struct xendispl_event_page *page = connector->evt_map->addr;
	uint32_t cons = READ_ONCE(page->in_cons);
	rmb();
	/* in_cons is the guest's: a value beyond what we produced is treated as full. */
	if (connector->evt_prod - cons >= XENDISPL_IN_RING_LEN) {
		return false;
	}
	struct xendispl_evt *evt = &XENDISPL_IN_RING_REF(page, connector->evt_prod);
	memset(evt, 0, sizeof(*evt));
	evt->id = connector->evt_id++;
	evt->type = XENDISPL_EVT_PG_FLIP;
	evt->op.pg_flip.fb_cookie = fb_cookie;
	wmb();
	connector->evt_prod++;
	WRITE_ONCE(page->in_prod, connector->evt_prod);
	return true;
}

/* Sends every owed event whose flip has been presented, as far as the ring allows. */
static void flush_events(struct vm_connector *connector)
{
	if (connector->evt_map == NULL) {
		return;
	}
	bool sent = false;
	while (connector->owed_count > 0) {
		struct vm_owed_event *owed = &connector->owed[connector->owed_head];
		if (owed->seq > connector->presented_seq) {
			break;
		}
		if (!put_event(connector, owed->fb_cookie)) {
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
		evtchn_notify(connector->evt_port);
	}
}

void vm_connector_present(struct vm_connector *connector, uint64_t seq)
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

static int clock_handle_tick(void *data)
{
	struct vm_connector *connector = data;
	connector->clock_last = clock_now(connector);
	vm_connector_present(connector, connector->content_seq);
	return 0;
}

/*
 * Completes pending flips of a connector no output shows, at the guest's
 * nominal 60 Hz: on a fixed grid of virtual vblanks, like a real display, so
 * the millisecond timer's rounding never accumulates.
 */
static void clock_arm(struct vm_connector *connector)
{
	if (connector->shown || connector->owed_count == 0) {
		return;
	}
	int64_t since = clock_now(connector);
	if (connector->clock_last < since / REFRESH_NS * REFRESH_NS) {
		/*
		 * A vblank went by that completed nothing: the flip came late
		 * (the guest was slow, or a long frame on an output kept us
		 * from reading it). It takes that vblank, now: waiting for the
		 * next one would tie this connector's rate to the outputs'
		 * frame times. Still at most one completion per period.
		 */
		connector->clock_last = since;
		vm_connector_present(connector, connector->content_seq);
		return;
	}
	int64_t next = (since / REFRESH_NS + 1) * REFRESH_NS;
	int64_t wait_ns = next - since;
	int ms = (int)((wait_ns + 999999) / 1000000);
	wl_event_source_timer_update(connector->clock, ms > 0 ? ms : 1);
}

void vm_connector_set_shown(struct vm_connector *connector, bool shown)
{
	connector->shown = shown;
	if (!shown) {
		clock_arm(connector);
	}
}

int vm_connector_show(struct vm_connector *connector, struct wlr_buffer *buffer,
	const struct wlr_box *src, uint64_t fb_cookie, bool flip)
{
	if (flip && connector->owed_count == VM_CONNECTOR_MAX_OWED) {
		vm_display_guest_error(connector->display,
			"connector %u: %d flips without waiting for their events", connector->index,
			VM_CONNECTOR_MAX_OWED);
		return -EBUSY;
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
	if (flip) {
		connector->flips++;
		uint32_t tail =
			(connector->owed_head + connector->owed_count) % VM_CONNECTOR_MAX_OWED;
		connector->owed[tail].seq = connector->content_seq;
		connector->owed[tail].fb_cookie = fb_cookie;
		connector->owed_count++;
	}
	wl_signal_emit(&connector->events.frame, connector);
	clock_arm(connector);
	return 0;
}

/* A guest that keeps its ring full must not keep the others (and the outputs) waiting. */
#define MAX_REQUESTS_PER_DISPATCH 64

static void connector_handle_request_event(void *data);

static void connector_handle_idle(void *data)
{
	struct vm_connector *connector = data;
	connector->idle = NULL;
	connector_handle_request_event(connector);
}

static void connector_handle_request_event(void *data)
{
	struct vm_connector *connector = data;
	if (connector->broken || connector->idle != NULL) {
		return;
	}
	unsigned handled = 0;
	bool more;
	do {
		RING_IDX prod = READ_ONCE(connector->ring.sring->req_prod);
		rmb();
		if (RING_REQUEST_PROD_OVERFLOW(&connector->ring, prod)) {
			/* A producer more than a ring ahead is broken; Linux backends give up too. */
			connector->broken = true;
			vm_display_fatal(connector->display, "request ring overflow");
			return;
		}
		while (connector->ring.req_cons != prod && handled < MAX_REQUESTS_PER_DISPATCH) {
			struct xendispl_req req;
			/* Copy first: the guest may rewrite the slot while we look at it. */
			memcpy(&req, RING_GET_REQUEST(&connector->ring, connector->ring.req_cons),
				sizeof(req));
			connector->ring.req_cons++;
			struct xendispl_resp *resp =
				RING_GET_RESPONSE(&connector->ring, connector->ring.rsp_prod_pvt);
			memset(resp, 0, sizeof(*resp));
			resp->id = req.id;
			resp->operation = req.operation;
			vm_display_handle_request(connector->display, connector, &req, resp);
			connector->ring.rsp_prod_pvt++;
			handled++;
		}
		bool notify;
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&connector->ring, notify);
		if (notify) {
			evtchn_notify(connector->req_port);
		}
		if (handled >= MAX_REQUESTS_PER_DISPATCH) {
			/* The rest after everyone else had a turn. */
			connector->idle = wl_event_loop_add_idle(connector->display->surfaces->loop,
				connector_handle_idle, connector);
			break;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(&connector->ring, more);
	} while (more);
	/* A notification is our cue to retry events the full ring refused. */
	flush_events(connector);
}

struct vm_connector *vm_connector_create(struct vm_display *display, uint32_t index)
{
	struct vm_connector *connector = calloc(1, sizeof(*connector));
	if (connector == NULL) {
		return NULL;
	}
	connector->display = display;
	connector->index = index;
	connector->shown = false;
	wl_signal_init(&connector->events.frame);
	wl_signal_init(&connector->events.present);
	wl_signal_init(&connector->events.destroy);
	connector->clock = wl_event_loop_add_timer(display->surfaces->loop, clock_handle_tick,
		connector);
	connector->retry = wl_event_loop_add_timer(display->surfaces->loop, retry_handle_timer,
		connector);
	if (connector->clock == NULL || connector->retry == NULL) {
		if (connector->clock != NULL) {
			wl_event_source_remove(connector->clock);
		}
		free(connector);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &connector->clock_origin);
	return connector;
}

static bool parse_resolution(const char *value, uint32_t *width, uint32_t *height)
{
	char w[16], h[16];
	const char *x = value != NULL ? strchr(value, 'x') : NULL;
	if (x == NULL || x == value || (size_t)(x - value) >= sizeof(w) ||
		strlen(x + 1) >= sizeof(h)) {
		return false;
	}
	memcpy(w, value, (size_t)(x - value));
	w[x - value] = '\0';
	strcpy(h, x + 1);
	return xs_value_parse_u32(w, 8192, width) == 0 && xs_value_parse_u32(h, 8192, height) == 0 &&
		*width > 0 && *height > 0;
}

bool vm_connector_connect(struct vm_connector *connector)
{
	struct vm_display *display = connector->display;
	struct vm_surfaces *surfaces = display->surfaces;
	struct xenstore *store = surfaces->store;
	const char *fe = display->dev->fe_path;
	char path[600];
	uint32_t i = connector->index;

	char *res = xenstore_readf(store, "%s/%u/resolution", fe, i);
	bool ok = parse_resolution(res, &connector->width, &connector->height);
	if (!ok) {
		xenbus_device_fatal(display->dev, "connector %u: bad resolution \"%.32s\"", i,
			res != NULL ? res : "(missing)");
		free(res);
		return false;
	}
	free(res);
	connector->unique_id = xenstore_readf(store, "%s/%u/unique-id", fe, i);

	uint32_t req_ref, req_chn, evt_ref, evt_chn;
	snprintf(path, sizeof(path), "%s/%u/" XENDISPL_FIELD_REQ_RING_REF, fe, i);
	ok = xenstore_read_u32(store, path, &req_ref);
	snprintf(path, sizeof(path), "%s/%u/" XENDISPL_FIELD_REQ_CHANNEL, fe, i);
	ok = ok && xenstore_read_u32(store, path, &req_chn);
	snprintf(path, sizeof(path), "%s/%u/" XENDISPL_FIELD_EVT_RING_REF, fe, i);
	ok = ok && xenstore_read_u32(store, path, &evt_ref);
	snprintf(path, sizeof(path), "%s/%u/" XENDISPL_FIELD_EVT_CHANNEL, fe, i);
	ok = ok && xenstore_read_u32(store, path, &evt_chn);
	if (!ok) {
		xenbus_device_fatal(display->dev, "connector %u: missing or malformed ring keys", i);
		return false;
	}

	connector->req_map = vm_mapping_create(surfaces->gnttab, display->domid, &req_ref, 1,
		PROT_READ | PROT_WRITE);
	connector->evt_map = vm_mapping_create(surfaces->gnttab, display->domid, &evt_ref, 1,
		PROT_READ | PROT_WRITE);
	if (connector->req_map == NULL || connector->evt_map == NULL) {
		xenbus_device_fatal(display->dev, "connector %u: cannot map ring pages %u/%u", i,
			req_ref, evt_ref);
		return false;
	}
	BACK_RING_INIT(&connector->ring, (struct xen_displif_sring *)connector->req_map->addr,
		XEN_PAGE_SIZE);
	/* Our producer index is private: the page is shared and guest-writable. */
	connector->evt_prod = READ_ONCE(((struct xendispl_event_page *)connector->evt_map->addr)->in_prod);

	connector->req_port = evtchn_bind(surfaces->evtchn, display->domid, req_chn,
		connector_handle_request_event, connector);
	connector->evt_port = evtchn_bind(surfaces->evtchn, display->domid, evt_chn,
		connector_handle_request_event, connector);
	if (connector->req_port == NULL || connector->evt_port == NULL) {
		xenbus_device_fatal(display->dev, "connector %u: cannot bind event channels %u/%u",
			i, req_chn, evt_chn);
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
	if (connector->idle != NULL) {
		wl_event_source_remove(connector->idle);
	}
	free(connector->unique_id);
	free(connector);
}
