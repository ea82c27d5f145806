#include "kbdfront.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/input-event-codes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xen/io/kbdif.h>

#include "clock.h"
#include "log.h"
#include "xenbus.h"

#define WATCH_TOKEN "vguest-kbd-backend-state"
#define PAGE_SIZE 4096u
/* xen-kbdfront's defaults (fbif.h's XENFB_WIDTH/HEIGHT) and raw range. */
#define DEFAULT_WIDTH 800
#define DEFAULT_HEIGHT 600
#define RAW_MAX 0x7fff
/* Never granted: the simulated hypervisor hands out 8..32767, Xen's tables are smaller. */
#define BAD_GREF 0xfff0u
/* How long a hostile mode waits for the backend's answer. */
#define REPORT_WAIT_MS 3000
/* kbd-bad-cons: the backend notices when it next sends an event, which the test decides. */
#define REPORT_WAIT_CONS_MS 60000
#define CLOSE_POLL_MS 10
#define CLOSE_POLLS 100
#define TRANSACTION_RETRIES 100

#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static bool bit_get(const uint8_t *bits, uint32_t i)
{
	return (bits[i / 8] >> (i % 8)) & 1;
}

static void bit_set(uint8_t *bits, uint32_t i, bool value)
{
	if (value) {
		bits[i / 8] |= (uint8_t)(1u << (i % 8));
	} else {
		bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
	}
}

static void kb_error(struct kbdfront *kb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kb_error(struct kbdfront *kb, const char *fmt, ...)
{
	char msg[512];
	va_list args;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	log_error("kbd: %s", msg);
	kb->errors++;
}

struct kbdfront *kbdfront_create(const struct vguest_options *opts)
{
	struct kbdfront *kb = calloc(1, sizeof(*kb));
	if (kb == NULL) {
		log_error("out of memory");
		return NULL;
	}
	kb->opts = opts;
	kb->state = XenbusStateInitialising;
	kb->stalled = opts->kbd_misbehave == KBD_MISBEHAVE_STALL;
	snprintf(kb->dir, sizeof(kb->dir), "device/" XENKBD_DRIVER_NAME "/%u", opts->vkb_dev);

	kb->xs = xs_open(0);
	if (kb->xs == NULL) {
		log_error("kbd: opening XenStore: %s", strerror(errno));
		goto error;
	}
	kb->gs = xengntshr_open(NULL, 0);
	if (kb->gs == NULL) {
		log_error("kbd: opening the grant sharing interface: %s", strerror(errno));
		goto error;
	}
	kb->xce = xenevtchn_open(NULL, 0);
	if (kb->xce == NULL) {
		log_error("kbd: opening the event channel interface: %s", strerror(errno));
		goto error;
	}
	kb->backend = xenbus_read(kb->xs, XBT_NULL, kb->dir, "backend");
	if (kb->backend == NULL || kb->backend[0] != '/') {
		log_error("%s/backend: missing or not an absolute path (is a vkb device "
			  "configured for our domain? xensim create --vkb ...)",
			kb->dir);
		goto error;
	}
	unsigned long id;
	if (!xenbus_read_uint(kb->xs, XBT_NULL, kb->dir, "backend-id", 0x7fef, &id)) {
		log_error("%s/backend-id: missing or not a domain id", kb->dir);
		goto error;
	}
	kb->backend_id = (uint32_t)id;
	return kb;

error:
	kbdfront_destroy(kb);
	return NULL;
}

/* What xen-kbdfront_disconnect_backend releases. */
static void release(struct kbdfront *kb)
{
	if (kb->bound) {
		xenevtchn_unbind(kb->xce, kb->port);
		kb->bound = false;
	}
	if (kb->page != NULL) {
		xengntshr_unshare(kb->gs, kb->page, 1);
		kb->page = NULL;
	}
}

void kbdfront_destroy(struct kbdfront *kb)
{
	if (kb == NULL) {
		return;
	}
	release(kb);
	if (kb->watching) {
		char path[3072];
		snprintf(path, sizeof(path), "%s/state", kb->backend);
		xs_unwatch(kb->xs, path, WATCH_TOKEN);
	}
	if (kb->xce != NULL) {
		xenevtchn_close(kb->xce);
	}
	if (kb->gs != NULL) {
		xengntshr_close(kb->gs);
	}
	if (kb->xs != NULL) {
		xs_close(kb->xs);
	}
	free(kb->old_error);
	free(kb->backend);
	free(kb);
}

int kbdfront_xenstore_fd(const struct kbdfront *kb)
{
	return xs_fileno(kb->xs);
}

int kbdfront_evtchn_fd(const struct kbdfront *kb)
{
	return xenevtchn_fd(kb->xce);
}

/* xenbus_read_unsigned: the default when missing or not a number. */
static uint32_t read_unsigned(struct kbdfront *kb, const char *node, uint32_t def)
{
	unsigned long v;
	if (!xenbus_read_uint(kb->xs, XBT_NULL, kb->backend, node, UINT32_MAX, &v)) {
		return def;
	}
	return (uint32_t)v;
}

static bool set_state(struct kbdfront *kb, enum xenbus_state state)
{
	if (!xenbus_write_state(kb->xs, kb->dir, state)) {
		return false;
	}
	kb->state = state;
	return true;
}

static bool device_present(struct kbdfront *kb)
{
	char *state = xenbus_read(kb->xs, XBT_NULL, kb->dir, "state");
	bool present = state != NULL;
	free(state);
	return present;
}

/* The features, once, and our requests: xenkbd_probe. */
static bool read_features(struct kbdfront *kb)
{
	kb->with_kbd = read_unsigned(kb, XENKBD_FIELD_FEAT_DSBL_KEYBRD, 0) == 0;
	kb->with_ptr = read_unsigned(kb, XENKBD_FIELD_FEAT_DSBL_POINTER, 0) == 0;
	bool mtouch = read_unsigned(kb, XENKBD_FIELD_FEAT_MTOUCH, 0) != 0;
	if (mtouch && !xenbus_printf(kb->xs, XBT_NULL, kb->dir, XENKBD_FIELD_REQ_MTOUCH, "1")) {
		log_warning("kbd: can't request multi-touch");
		mtouch = false;
	}
	kb->mtouch = mtouch;
	if (kb->with_ptr) {
		kb->width = read_unsigned(kb, XENKBD_FIELD_WIDTH, DEFAULT_WIDTH);
		kb->height = read_unsigned(kb, XENKBD_FIELD_HEIGHT, DEFAULT_HEIGHT);
		/* --vkb-relative: a frontend that prefers relative motion; Linux asks when offered.
		 */
		bool abs = read_unsigned(kb, XENKBD_FIELD_FEAT_ABS_POINTER, 0) != 0 &&
			   !kb->opts->vkb_relative;
		if (abs && !xenbus_printf(
				   kb->xs, XBT_NULL, kb->dir, XENKBD_FIELD_REQ_ABS_POINTER, "1")) {
			log_warning("kbd: can't request abs-pointer");
			abs = false;
		}
		kb->abs = abs;
		/* Linux never asks for raw coordinates; --vkb-raw does, where it may. */
		bool raw = abs && kb->opts->vkb_raw &&
			   read_unsigned(kb, XENKBD_FIELD_FEAT_RAW_POINTER, 0) != 0;
		if (raw && !xenbus_printf(
				   kb->xs, XBT_NULL, kb->dir, XENKBD_FIELD_REQ_RAW_POINTER, "1")) {
			raw = false;
		}
		kb->raw = raw;
	}
	if (kb->mtouch) {
		kb->mt_contacts = read_unsigned(kb, XENKBD_FIELD_MT_NUM_CONTACTS, 1);
		kb->mt_width = read_unsigned(kb, XENKBD_FIELD_MT_WIDTH, DEFAULT_WIDTH);
		kb->mt_height = read_unsigned(kb, XENKBD_FIELD_MT_HEIGHT, DEFAULT_HEIGHT);
	}
	if (!kb->with_kbd && !kb->with_ptr && !kb->mtouch) {
		log_error("kbd: the backend disables keyboard and pointer and offers no "
			  "multi-touch: no device (xen-kbdfront fails with ENXIO)");
		return false;
	}
	return true;
}

static bool publish(struct kbdfront *kb, xs_transaction_t t)
{
	enum kbd_misbehave_mode mode = kb->opts->kbd_misbehave;
	/* Linux writes the frame number too; a stand-in value: nobody may use it. */
	bool ok =
		xenbus_printf(kb->xs, t, kb->dir, XENKBD_FIELD_RING_REF, "%u", 0x1000u + kb->gref);
	if (mode == KBD_MISBEHAVE_BAD_GREF) {
		ok = ok &&
		     xenbus_printf(kb->xs, t, kb->dir, XENKBD_FIELD_RING_GREF, "%u", BAD_GREF);
	} else if (mode != KBD_MISBEHAVE_PAGE_REF) {
		ok = ok &&
		     xenbus_printf(kb->xs, t, kb->dir, XENKBD_FIELD_RING_GREF, "%u", kb->gref);
	}
	if (mode != KBD_MISBEHAVE_NO_CHANNEL) {
		ok = ok &&
		     xenbus_printf(kb->xs, t, kb->dir, XENKBD_FIELD_EVT_CHANNEL, "%u", kb->port);
	}
	return ok && xenbus_printf(kb->xs, t, kb->dir, "state", "%d", (int)XenbusStateInitialised);
}

/* Before misbehaving: an error key left from before is no answer. */
static void report_prepare(struct kbdfront *kb)
{
	free(kb->old_error);
	kb->old_error = xenbus_read(kb->xs, XBT_NULL, kb->backend, "error");
}

static void report_start(struct kbdfront *kb, int wait_ms)
{
	kb->report_active = true;
	kb->report_deadline = clock_now() + wait_ms * NSEC_PER_MSEC;
}

/* xenkbd_connect_backend: the page and channel, published in one transaction. */
static bool connect_backend(struct kbdfront *kb)
{
	kb->page = xengntshr_share_pages(kb->gs, kb->backend_id, 1, &kb->gref, 1);
	if (kb->page == NULL) {
		log_error(
			"kbd: sharing a page with domain %u: %s", kb->backend_id, strerror(errno));
		return false;
	}
	memset(kb->page, 0, PAGE_SIZE);
	kb->cons = 0;
	xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(kb->xce, kb->backend_id);
	if (p < 0) {
		log_error("kbd: allocating an event channel for domain %u: %s", kb->backend_id,
			strerror(errno));
		return false;
	}
	kb->port = (evtchn_port_t)p;
	kb->bound = true;
	report_prepare(kb);

	for (int attempt = 0; attempt < TRANSACTION_RETRIES; attempt++) {
		xs_transaction_t t = xs_transaction_start(kb->xs);
		if (t == XBT_NULL) {
			log_error("kbd: starting a XenStore transaction: %s", strerror(errno));
			return false;
		}
		if (!publish(kb, t)) {
			int err = errno;
			xs_transaction_end(kb->xs, t, true);
			log_error("kbd: writing the transport parameters: %s", strerror(err));
			return false;
		}
		if (xs_transaction_end(kb->xs, t, false)) {
			kb->state = XenbusStateInitialised;
			log_debug("kbd: page-gref %u event-channel %u, state -> Initialised",
				kb->gref, kb->port);
			enum kbd_misbehave_mode mode = kb->opts->kbd_misbehave;
			if (mode == KBD_MISBEHAVE_BAD_GREF || mode == KBD_MISBEHAVE_NO_CHANNEL ||
				mode == KBD_MISBEHAVE_PAGE_REF) {
				report_start(kb, REPORT_WAIT_MS);
			}
			return true;
		}
		if (errno != EAGAIN) {
			log_error("kbd: completing the XenStore transaction: %s", strerror(errno));
			return false;
		}
	}
	log_error("kbd: XenStore transaction kept conflicting %d times", TRANSACTION_RETRIES);
	return false;
}

/* xenbus_frontend_closed: the backend closed on us. */
static void backend_closed(struct kbdfront *kb, enum xenbus_state be)
{
	if (!kb->report_active) {
		log_report("kbd backend closed");
	}
	log_debug("kbd: backend state %s while we are %s", xenbus_strstate(be),
		xenbus_strstate(kb->state));
	release(kb);
	if (device_present(kb)) {
		set_state(kb, XenbusStateClosed);
	}
	kb->state = XenbusStateClosed;
	kb->gone = true;
}

static void report_connected(struct kbdfront *kb)
{
	if (kb->reported_connected) {
		return;
	}
	kb->reported_connected = true;
	if (kb->opts->kbd_misbehave == KBD_MISBEHAVE_BAD_CONS) {
		/* A consumer index no backend produced up to: it must stop writing. */
		report_prepare(kb);
		WRITE_ONCE(kb->page->in_cons, READ_ONCE(kb->page->in_prod) + 1000);
		__sync_synchronize();
		report_start(kb, REPORT_WAIT_CONS_MS);
	}
	/* Last: a test acts on this line. */
	log_report("kbd connected keyboard=%d pointer=%d abs=%d raw=%d width=%u height=%u "
		   "mt=%d mt-width=%u mt-height=%u contacts=%u",
		kb->with_kbd, kb->with_ptr, kb->abs, kb->raw, kb->width, kb->height, kb->mtouch,
		kb->mt_width, kb->mt_height, kb->mt_contacts);
}

/* xenkbd_backend_changed. */
static void handle_backend_state(struct kbdfront *kb, enum xenbus_state be)
{
	log_debug(
		"kbd: backend state %s, ours %s", xenbus_strstate(be), xenbus_strstate(kb->state));
	if (kb->state == XenbusStateClosed) {
		return;
	}
	switch (be) {
	case XenbusStateInitWait:
		if (kb->state != XenbusStateConnected && !set_state(kb, XenbusStateConnected)) {
			kb->fatal = true;
		}
		break;
	case XenbusStateConnected:
		/* xenbus' race: Connected may come without InitWait seen. */
		if (kb->state != XenbusStateConnected && !set_state(kb, XenbusStateConnected)) {
			kb->fatal = true;
			break;
		}
		report_connected(kb);
		break;
	case XenbusStateClosing:
	case XenbusStateClosed:
		backend_closed(kb, be);
		break;
	case XenbusStateUnknown: {
		/* Not Linux's business (it waits), but a vanished backend ends a test guest. */
		char *state = xenbus_read(kb->xs, XBT_NULL, kb->backend, "state");
		if (state == NULL) {
			backend_closed(kb, be);
		}
		free(state);
		break;
	}
	default:
		break;
	}
}

bool kbdfront_start(struct kbdfront *kb)
{
	if (!read_features(kb) || !connect_backend(kb)) {
		release(kb);
		return false;
	}
	char path[3072];
	snprintf(path, sizeof(path), "%s/state", kb->backend);
	if (!xs_watch(kb->xs, path, WATCH_TOKEN)) {
		log_error("kbd: watching %s: %s", path, strerror(errno));
		return false;
	}
	kb->watching = true;
	handle_backend_state(kb, xenbus_read_state(kb->xs, kb->backend));
	return !kb->fatal;
}

void kbdfront_handle_xenstore(struct kbdfront *kb)
{
	char **event;
	while ((event = xs_check_watch(kb->xs)) != NULL) {
		free(event);
	}
	if (errno != EAGAIN) {
		log_error("kbd: reading XenStore watch events: %s", strerror(errno));
	}
	handle_backend_state(kb, xenbus_read_state(kb->xs, kb->backend));
}

static bool reserved_zero(const union xenkbd_in_event *event, size_t from)
{
	const uint8_t *bytes = (const uint8_t *)event;
	for (size_t i = from; i < XENKBD_IN_EVENT_SIZE; i++) {
		if (bytes[i] != 0) {
			return false;
		}
	}
	return true;
}

static bool in_range(int32_t v, uint32_t max)
{
	return v >= 0 && (uint32_t)v <= max;
}

static void handle_key(struct kbdfront *kb, const struct xenkbd_key *key)
{
	uint32_t code = key->keycode;
	log_report("kbd key %" PRIu32 " %s", code, key->pressed ? "down" : "up");
	if (key->pressed > 1) {
		kb_error(kb, "key %u: pressed is %u", code, key->pressed);
	}
	/* xen-kbdfront looks the code up in its pointer's key bits first, then the keyboard's. */
	if (!kb->with_ptr) {
		kb_error(kb, "key %u without a pointer device: xen-kbdfront dereferences it", code);
		return;
	}
	if (code >= KEY_CNT) {
		kb_error(kb, "key %u is beyond KEY_MAX: xen-kbdfront reads past its bits", code);
		return;
	}
	bool button = code >= BTN_LEFT && code <= BTN_TASK;
	if (!button && !kb->with_kbd) {
		kb_error(
			kb, "key %u without a keyboard device: xen-kbdfront dereferences it", code);
		return;
	}
	bool known = button || (code >= KEY_ESC && code < KEY_UNKNOWN) ||
		     (code >= KEY_OK && code < KEY_MAX);
	if (!known) {
		log_warning("kbd: unhandled keycode 0x%x", code);
	}
	bit_set(kb->keys, code, key->pressed != 0);
}

static void handle_touch(struct kbdfront *kb, const struct xenkbd_mtouch *mt)
{
	uint8_t c = mt->contact_id;
	switch (mt->event_type) {
	case XENKBD_MT_EV_DOWN:
	case XENKBD_MT_EV_MOTION: {
		bool down = mt->event_type == XENKBD_MT_EV_DOWN;
		log_report("kbd mt %u %s %" PRId32 " %" PRId32, c, down ? "down" : "motion",
			mt->u.pos.abs_x, mt->u.pos.abs_y);
		if (!in_range(mt->u.pos.abs_x, kb->mt_width) ||
			!in_range(mt->u.pos.abs_y, kb->mt_height)) {
			kb_error(kb, "touch %u at %d,%d: outside 0..%u x 0..%u", c, mt->u.pos.abs_x,
				mt->u.pos.abs_y, kb->mt_width, kb->mt_height);
		}
		if (down && bit_get(kb->contacts, c)) {
			kb_error(kb, "touch %u down twice", c);
		} else if (!down && !bit_get(kb->contacts, c)) {
			kb_error(kb, "touch %u moves without being down", c);
		}
		bit_set(kb->contacts, c, true);
		break;
	}
	case XENKBD_MT_EV_UP:
		log_report("kbd mt %u up", c);
		if (!bit_get(kb->contacts, c)) {
			/* Linux ignores it; a backend taking the device over lifts every contact. */
			log_warning("kbd: touch %u up without being down", c);
		}
		bit_set(kb->contacts, c, false);
		break;
	case XENKBD_MT_EV_SYN:
		log_report("kbd mt %u syn", c);
		break;
	case XENKBD_MT_EV_SHAPE:
		log_report("kbd mt %u shape %" PRIu32 " %" PRIu32, c, mt->u.shape.major,
			mt->u.shape.minor);
		break;
	case XENKBD_MT_EV_ORIENT:
		log_report("kbd mt %u orient %d", c, mt->u.orientation);
		break;
	default:
		log_report("kbd mt %u unknown %u", c, mt->event_type);
		kb_error(kb, "touch event type %u", mt->event_type);
		return;
	}
	if (!kb->mtouch) {
		kb_error(kb, "a touch event, but multi-touch was not requested");
	} else if (c >= kb->mt_contacts) {
		kb_error(kb, "touch contact %u beyond the %u contacts", c, kb->mt_contacts);
	}
	for (int i = 0; i < 5; i++) {
		if (mt->reserved[i] != 0) {
			kb_error(kb, "touch event: reserved byte %d is %u", 3 + i, mt->reserved[i]);
			break;
		}
	}
}

/* One event, copied out of the ring first: the backend may rewrite the slot. */
static void handle_event(struct kbdfront *kb, const union xenkbd_in_event *event)
{
	kb->events++;
	switch (event->type) {
	case XENKBD_TYPE_MOTION:
		log_report("kbd motion %" PRId32 " %" PRId32 " %" PRId32, event->motion.rel_x,
			event->motion.rel_y, event->motion.rel_z);
		if (!kb->with_ptr || kb->abs) {
			kb_error(kb, "relative motion, but the pointer is %s",
				kb->with_ptr ? "absolute" : "disabled");
		}
		if (!reserved_zero(event, 16) || event->pad[1] || event->pad[2] || event->pad[3]) {
			kb_error(kb, "motion event: reserved bytes are not zero");
		}
		break;
	case XENKBD_TYPE_KEY:
		handle_key(kb, &event->key);
		if (!reserved_zero(event, 8) || event->pad[2] || event->pad[3]) {
			kb_error(kb, "key event: reserved bytes are not zero");
		}
		break;
	case XENKBD_TYPE_POS: {
		log_report("kbd pos %" PRId32 " %" PRId32 " %" PRId32, event->pos.abs_x,
			event->pos.abs_y, event->pos.rel_z);
		uint32_t w = kb->raw ? RAW_MAX : kb->width, h = kb->raw ? RAW_MAX : kb->height;
		if (!kb->with_ptr || !kb->abs) {
			kb_error(kb, "a position, but the pointer is %s",
				kb->with_ptr ? "relative" : "disabled");
		} else if (!in_range(event->pos.abs_x, w) || !in_range(event->pos.abs_y, h)) {
			kb_error(kb, "position %d,%d outside 0..%u x 0..%u", event->pos.abs_x,
				event->pos.abs_y, w, h);
		}
		if (!reserved_zero(event, 16) || event->pad[1] || event->pad[2] || event->pad[3]) {
			kb_error(kb, "position event: reserved bytes are not zero");
		}
		break;
	}
	case XENKBD_TYPE_MTOUCH:
		handle_touch(kb, &event->mtouch);
		if (!reserved_zero(event, 16)) {
			kb_error(kb, "touch event: reserved bytes are not zero");
		}
		break;
	default:
		/* "Frontends should ignore unknown in events." */
		log_report("kbd unknown %u", event->type);
		log_warning("kbd: unknown event type %u", event->type);
		break;
	}
}

/* input_handler: up to max events from in_cons to in_prod, then in_cons and a notification. */
static void consume(struct kbdfront *kb, uint32_t max)
{
	if (kb->page == NULL || kb->opts->kbd_misbehave == KBD_MISBEHAVE_BAD_CONS) {
		return;
	}
	uint32_t prod = READ_ONCE(kb->page->in_prod);
	if (prod == kb->cons) {
		return;
	}
	/* Ensure we see ring contents up to prod. */
	__sync_synchronize();
	if (prod - kb->cons > XENKBD_IN_RING_LEN) {
		kb_error(kb,
			"in_prod %u is %u events past in_cons %u: the backend overwrote "
			"events not consumed",
			prod, prod - kb->cons, kb->cons);
		kb->cons = prod - XENKBD_IN_RING_LEN;
	}
	uint32_t n = 0;
	for (; kb->cons != prod && n < max; kb->cons++, n++) {
		union xenkbd_in_event event;
		memcpy(&event, &XENKBD_IN_RING_REF(kb->page, kb->cons), sizeof(event));
		handle_event(kb, &event);
	}
	/* Ensure we got ring contents before the backend may reuse the slots. */
	__sync_synchronize();
	WRITE_ONCE(kb->page->in_cons, kb->cons);
	if (kb->bound && xenevtchn_notify(kb->xce, kb->port) < 0) {
		log_debug("kbd: notify: %s", strerror(errno));
	}
}

static bool consuming(const struct kbdfront *kb)
{
	return kb->page != NULL && !kb->stalled &&
	       kb->opts->kbd_misbehave != KBD_MISBEHAVE_BAD_CONS;
}

void kbdfront_handle_evtchn(struct kbdfront *kb)
{
	xenevtchn_port_or_error_t port = xenevtchn_pending(kb->xce);
	if (port < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			log_error("kbd: reading a pending event channel: %s", strerror(errno));
		}
		return;
	}
	xenevtchn_unmask(kb->xce, (evtchn_port_t)port);
	if (!kb->bound || (evtchn_port_t)port != kb->port) {
		log_debug("kbd: notification on port %d, which is not ours", port);
		return;
	}
	if (consuming(kb) && kb->opts->vkb_delay_ms == 0) {
		consume(kb, UINT32_MAX);
	}
}

void kbdfront_toggle_stall(struct kbdfront *kb)
{
	if (kb->opts->kbd_misbehave != KBD_MISBEHAVE_STALL) {
		return;
	}
	kb->stalled = !kb->stalled;
	log_report("kbd %s", kb->stalled ? "stalled" : "resumed");
	if (!kb->stalled && kb->opts->vkb_delay_ms == 0) {
		consume(kb, UINT32_MAX);
	}
}

static void quote(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = in; p != NULL && *p != '\0' && n + 1 < size; p++) {
		unsigned char c = (unsigned char)*p;
		out[n++] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* The backend's answer to a hostile mode: its state and error key, once it gave up on us. */
static void poll_report(struct kbdfront *kb, int64_t now)
{
	enum xenbus_state be = xenbus_read_state(kb->xs, kb->backend);
	char *error = xenbus_read(kb->xs, XBT_NULL, kb->backend, "error");
	bool new_error =
		error != NULL && (kb->old_error == NULL || strcmp(error, kb->old_error) != 0);
	bool gave_up = be == XenbusStateClosing || be == XenbusStateClosed;
	if (!(new_error && gave_up) && now < kb->report_deadline) {
		free(error);
		return;
	}
	char text[256];
	quote(error, text, sizeof(text));
	free(error);
	log_report("kbd misbehave %s backend-state=%d error=\"%s\"",
		kbd_misbehave_mode_name(kb->opts->kbd_misbehave), (int)be, text);
	kb->report_active = false;
	kb->finished = true;
}

void kbdfront_tick(struct kbdfront *kb, int64_t now)
{
	if (kb->report_active) {
		poll_report(kb, now);
	}
	if (kb->opts->vkb_delay_ms > 0 && consuming(kb) && now >= kb->next_consume &&
		READ_ONCE(kb->page->in_prod) != kb->cons) {
		consume(kb, 1);
		kb->next_consume = now + (int64_t)kb->opts->vkb_delay_ms * NSEC_PER_MSEC;
	}
}

int64_t kbdfront_deadline(const struct kbdfront *kb)
{
	int64_t deadline = INT64_MAX;
	if (kb->report_active) {
		/* The answer comes through XenStore, which we watch; poll too, it is cheap. */
		int64_t poll = clock_now() + 20 * NSEC_PER_MSEC;
		deadline = poll < kb->report_deadline ? poll : kb->report_deadline;
	}
	if (kb->opts->vkb_delay_ms > 0 && consuming(kb) &&
		READ_ONCE(kb->page->in_prod) != kb->cons && kb->next_consume < deadline) {
		deadline = kb->next_consume;
	}
	return deadline;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * NSEC_PER_MSEC};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static unsigned held(const struct kbdfront *kb)
{
	unsigned n = 0;
	for (size_t i = 0; i < sizeof(kb->keys); i++) {
		n += (unsigned)__builtin_popcount(kb->keys[i]);
	}
	for (size_t i = 0; i < sizeof(kb->contacts); i++) {
		n += (unsigned)__builtin_popcount(kb->contacts[i]);
	}
	return n;
}

void kbdfront_close(struct kbdfront *kb)
{
	if (kb->state != XenbusStateClosed) {
		bool present = device_present(kb);
		if (present && kb->state == XenbusStateConnected) {
			/* Let the backend let go of our page before we take it back. */
			set_state(kb, XenbusStateClosing);
			enum xenbus_state be = xenbus_read_state(kb->xs, kb->backend);
			for (int i = 0; i < CLOSE_POLLS && be == XenbusStateConnected; i++) {
				sleep_ms(CLOSE_POLL_MS);
				be = xenbus_read_state(kb->xs, kb->backend);
			}
		}
		release(kb);
		if (present) {
			set_state(kb, XenbusStateClosed);
		}
		kb->state = XenbusStateClosed;
	}
	log_report("kbd closed events=%" PRIu64 " errors=%" PRIu64 " held=%u", kb->events,
		kb->errors, held(kb));
}
