#ifndef VGUEST_KBDFRONT_H
#define VGUEST_KBDFRONT_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/io/xenbus.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "options.h"

/*
 * The vkbd device (--vkb N) as Linux's xen-kbdfront drives it: at probe it
 * reads the backend's features once, writes its requests, shares its event
 * page and allocates its event channel, publishes page-ref, page-gref and
 * event-channel and goes Initialised; Connected as soon as the backend is in
 * InitWait; Closed when the backend closes. It consumes the event ring as
 * xen-kbdfront's interrupt handler does (everything up to in_prod, then
 * in_cons and a notification) and prints one line per event. Everything the
 * backend writes is checked against what xen-kbdfront would make of it.
 *
 * It has its own XenStore and event-channel handles, so it runs beside the
 * display frontend (or alone, --no-display) in the same poll loop.
 */
struct kbdfront {
	const struct vguest_options *opts;
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xenevtchn_handle *xce;

	char dir[32];  /* device/vkbd/<n>, relative to our domain's home */
	char *backend; /* the backend's directory, absolute */
	uint32_t backend_id;

	/* Read once at probe, as xen-kbdfront does. */
	bool with_kbd, with_ptr, abs, raw, mtouch;
	uint32_t width, height, mt_width, mt_height, mt_contacts;

	struct xenkbd_page *page;
	uint32_t gref;
	evtchn_port_t port;
	bool bound;
	uint32_t cons; /* ours: the page's in_cons is writable by the backend */

	enum xenbus_state state; /* ours, as last written */
	bool watching;
	bool reported_connected;
	bool stalled;         /* kbd-stall until SIGUSR1 */
	int64_t next_consume; /* --vkb-delay-ms: when the next event may be consumed */

	uint8_t keys[0x300 / 8]; /* down, as the events said */
	uint8_t contacts[256 / 8];
	uint64_t events, errors;

	bool report_active; /* a hostile mode waits for the backend's answer */
	int64_t report_deadline;
	char *old_error;

	bool gone;     /* the backend closed or vanished */
	bool finished; /* a hostile mode's answer was reported */
	bool fatal;    /* setup failed */
};

/* Opens the Xen interfaces and reads device/vkbd/<n>; NULL (logged) on failure. */
struct kbdfront *kbdfront_create(const struct vguest_options *opts);
void kbdfront_destroy(struct kbdfront *kb);

int kbdfront_xenstore_fd(const struct kbdfront *kb);
int kbdfront_evtchn_fd(const struct kbdfront *kb);

/* The probe: features, requests, page, channel, Initialised; then follows the backend. */
bool kbdfront_start(struct kbdfront *kb);
void kbdfront_handle_xenstore(struct kbdfront *kb);
void kbdfront_handle_evtchn(struct kbdfront *kb);
void kbdfront_tick(struct kbdfront *kb, int64_t now);
int64_t kbdfront_deadline(const struct kbdfront *kb);
/* SIGUSR1: a kbd-stall guest starts consuming, or stops again. */
void kbdfront_toggle_stall(struct kbdfront *kb);

/* Goes away like an unbound driver and prints "kbd closed ...". */
void kbdfront_close(struct kbdfront *kb);

#endif
