#ifndef VGUEST_CONNECTOR_H
#define VGUEST_CONNECTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "dbuf.h"
#include "evtchnl.h"
#include "latency.h"
#include "options.h"
#include "stats.h"

/*
 * One virtual connector as a modetest -v style client drives it through
 * xen-drm-front: two framebuffers (created on connector 0's ring by setup.c),
 * SET_CONFIG on its own ring showing frame 0, then page flips of frames
 * 1, 2, ... alternating between the buffers. A flip is complete when the
 * backend has answered PG_FLIP and sent the flip event, or when either
 * failed or timed out (the frontend then releases the vblank, as Linux does).
 */

#define CONNECTOR_MAX 4
#define CONNECTOR_BUFFERS 2
/* Linux's pflip timeout: the response budget plus 100 ms. */
#define CONNECTOR_FLIP_TIMEOUT_MS 3100

enum connector_state {
	CONNECTOR_WAIT_BUFFERS, /* setup.c is creating its framebuffers */
	CONNECTOR_SET_CONFIG,   /* framebuffers attached, front drawn, SET_CONFIG to send */
	CONNECTOR_CONFIGURING,  /* SET_CONFIG in flight */
	CONNECTOR_IDLE,         /* ready to flip the next frame */
	CONNECTOR_FLIPPING,     /* PG_FLIP sent, waiting for response and event */
	CONNECTOR_DONE,         /* --frames flips done; the last frame stays */
	CONNECTOR_FAILED,       /* framebuffers could not be set up */
};

struct connector {
	int index;
	uint32_t width, height;
	uint32_t format; /* its --formats entry, else --format */
	char *unique_id;
	const struct vguest_options *opts;
	bool report_index; /* "conn=I" in progress lines when there are several */
	bool hold;         /* do not flip yet (--misbehave runs first) */

	struct evtchnl_pair chan;
	struct dbuf *bufs[CONNECTOR_BUFFERS];
	unsigned int front; /* the buffer on screen */

	enum connector_state state;
	struct stats stats;
	struct latency latency; /* kept across reconnections, like stats */
	uint64_t stray_events;  /* flip events with no flip of ours pending (--misbehave flood) */

	int64_t flip_sent;
	int64_t flip_pushed; /* when PG_FLIP went on the ring, for the latency */
	int64_t flip_deadline;
	bool flip_answered;
	bool flip_event_seen;
	int64_t next_flip_at;
};

/* Sets up the fields from the configuration; no resources yet. */
void connector_init(struct connector *conn, int index, uint32_t width, uint32_t height,
	char *unique_id, const struct vguest_options *opts, bool report_index);
/* Releases channels and buffers and goes back to WAIT_BUFFERS (stats stay; a flip in flight is
 * abandoned). */
void connector_release(struct connector *conn);
/* connector_release plus the configuration strings. */
void connector_finish(struct connector *conn);

bool connector_open_channels(
	struct connector *conn, xengntshr_handle *gs, xenevtchn_handle *xce, uint32_t domid);

/* setup.c: buffer b of this connector exists (its pixels may not be mapped yet). */
void connector_buffer_created(struct connector *conn, unsigned int b, struct dbuf *buf);
/*
 * setup.c: all framebuffers attached (the current frame, `flips`, is drawn
 * into the front buffer for SET_CONFIG), or setup failed.
 */
void connector_buffers_ready(struct connector *conn);
void connector_buffers_failed(struct connector *conn);

/* Sends what is due now; returns true if it sent anything. */
bool connector_step(struct connector *conn, int64_t now);
void connector_check_timeouts(struct connector *conn, int64_t now);
/* The next time connector_check_timeouts or connector_step has work, INT64_MAX if none. */
int64_t connector_deadline(const struct connector *conn);

/* Done with its --frames, or failed: nothing more will happen on it. */
bool connector_finished(const struct connector *conn);
/* SET_CONFIG answered: showing its buffers (and maybe flipping already). */
bool connector_configured(const struct connector *conn);

/* The front buffer, NULL before setup. */
const struct dbuf *connector_front(const struct connector *conn);

/* "lat_max_ms=... lat_p99_ms=... late=..." of this connector. */
void connector_format_latency(const struct connector *conn, char *buf, size_t size);

#endif
