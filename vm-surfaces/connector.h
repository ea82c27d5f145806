#ifndef MOSAIC_VM_SURFACES_CONNECTOR_H
#define MOSAIC_VM_SURFACES_CONNECTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>

#include "protocol/displif.h"

/*
 * One guest connector: its request ring (SET_CONFIG, PG_FLIP, and for
 * connector 0 the buffer requests), its event page (flip events), and what
 * it currently shows.
 */
struct vm_display;
struct vm_host;
struct vm_guest_log;
struct evtchn_port;
struct vm_mapping;
struct vm_connector;

/* What the device does for its connectors. */
struct vm_connector_impl {
	/*
	 * A request from the ring, copied out of it (the guest may rewrite the
	 * slot) but not checked; the response is started (id, operation echoed):
	 * fill in the status and payload and return true, or return false and
	 * answer later with vm_connector_answer() (the ring waits till then).
	 */
	bool (*request)(struct vm_connector *connector, const struct xendispl_req *untrusted_req,
		struct xendispl_resp *resp);
	/* The frontend broke the protocol, or connecting failed: close the device. */
	void (*fatal)(struct vm_connector *connector, const char *why);
};

/* A connector's XenStore keys, checked. */
struct vm_connector_keys {
	uint32_t width, height; // its resolution
	const char *unique_id;  // NULL when absent; copied
	uint32_t req_ref, req_chn, evt_ref, evt_chn;
};

#define VM_CONNECTOR_MAX_OWED 256

struct vm_owed_event {
	uint64_t seq;
	uint64_t fb_cookie;
};

struct vm_connector {
	struct vm_display *display; // the device's, for the compositor
	uint32_t index;
	uint32_t width, height; // the resolution from XenStore
	char *unique_id;

	/* What the guest shows: NULL while disabled. src is the shown part of it. */
	struct wlr_buffer *buffer;
	struct wlr_box src;
	/* Bumped by every flip and SET_CONFIG; vm_connector_present() takes one. */
	uint64_t content_seq;
	/* PG_FLIPs accepted since the guest connected, and how many of them are on screen. */
	uint64_t flips, flips_presented;
	/* Bytes copied for the flips (formats pixman cannot read in place). */
	uint64_t bytes_copied;

	struct {
		struct wl_signal frame;   // new content
		struct wl_signal present; // flips_presented grew
		struct wl_signal destroy;
	} events;

	void *data; // the compositor's

	// private state
	const struct vm_host *host;
	struct vm_guest_log *log;
	uint32_t domid;
	const struct vm_connector_impl *impl;
	struct vm_mapping *req_map, *evt_map;
	struct xen_displif_back_ring ring;
	struct displif_event_ring events_out;
	struct evtchn_port *req_port, *evt_port;
	bool broken;
	bool shown;
	/* A request answered later: the ring's next requests wait for it. */
	bool answering_later;
	struct xendispl_resp later_resp;
	struct vm_owed_event owed[VM_CONNECTOR_MAX_OWED];
	uint32_t owed_head, owed_count;
	/*
	 * A frame of a converted format waiting for its conversion (the
	 * device converts at a bounded rate; a newer flip replaces it): the fb
	 * and the part of it to show. And the frame being converted, a slice
	 * of rows at a time between the loop's other work: the next row.
	 */
	struct {
		bool pending;
		uint64_t fb_cookie;
		struct wlr_box src;
		bool running;
		uint64_t running_cookie;
		struct wlr_box running_src;
		uint32_t row;
	} convert;
	uint64_t presented_seq;
	struct wl_event_source *clock;
	struct wl_event_source *retry; // events the full event ring refused, or the pace held
	int64_t last_event_ns; // ns since clock_origin of the last flip event sent
	int64_t last_present_ns; // ...of the last presentation by an output
	bool output_stalled; // shown, but its output presents no frames: own clock meanwhile
	/* More requests to handle after the others had a turn: readable, and turn_pending. */
	int turn_fd;
	struct wl_event_source *turn;
	bool turn_pending;
	struct timespec clock_origin; // the virtual vblank grid
	int64_t clock_last; // ns since clock_origin of the clock's last completion
	struct wl_list link; // vm_display.connectors
};

struct vm_connector *vm_connector_create(const struct vm_host *host, struct vm_guest_log *log,
	uint32_t domid, uint32_t index, const struct vm_connector_impl *impl,
	struct vm_display *display);
/* Maps the rings and binds the channels the keys name; false after impl->fatal(). */
bool vm_connector_connect(struct vm_connector *connector, const struct vm_connector_keys *keys);
void vm_connector_destroy(struct vm_connector *connector);

/* The compositor: everything up to content_seq seq is on screen now. */
void vm_connector_present(struct vm_connector *connector, uint64_t seq);
/* Answers the request the impl left for later; the ring's next requests follow. */
void vm_connector_answer(struct vm_connector *connector, int32_t status);
/*
 * The compositor: whether the connector is on an output. A connector that
 * is not shown gets its flips completed by a 60 Hz clock of its own, as the
 * guest waits for every flip event.
 */
void vm_connector_set_shown(struct vm_connector *connector, bool shown);

/* The request handlers: a flip (or SET_CONFIG) changed what the guest shows. */
/*
 * A flip whose picture is not ready yet (it is to be converted): its event
 * is owed, and waits for the next vm_connector_show() and a frame that
 * presents that. -EBUSY as vm_connector_show().
 */
int vm_connector_flip_later(struct vm_connector *connector, uint64_t fb_cookie);
int vm_connector_show(struct vm_connector *connector, struct wlr_buffer *buffer,
	const struct wlr_box *src, uint64_t fb_cookie, bool flip);

#endif
