#include "connector.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "pattern.h"

static void handle_flip_event(void *data, uint64_t fb_cookie);

void connector_init(struct connector *conn, int index, uint32_t width, uint32_t height,
	char *unique_id, const struct vguest_options *opts, bool report_index)
{
	memset(conn, 0, sizeof(*conn));
	conn->index = index;
	conn->width = width;
	conn->height = height;
	conn->format = options_format(opts, index);
	conn->unique_id = unique_id;
	conn->opts = opts;
	conn->report_index = report_index;
	conn->state = CONNECTOR_WAIT_BUFFERS;
	latency_reset(&conn->latency);
}

void connector_release(struct connector *conn)
{
	if (conn->state == CONNECTOR_FLIPPING) {
		log_debug("conn=%d: flip in flight abandoned", conn->index);
	}
	evtchnl_pair_finish(&conn->chan);
	for (unsigned int b = 0; b < CONNECTOR_BUFFERS; b++) {
		dbuf_destroy(conn->bufs[b]);
		conn->bufs[b] = NULL;
	}
	conn->front = 0;
	conn->state = CONNECTOR_WAIT_BUFFERS;
}

void connector_finish(struct connector *conn)
{
	connector_release(conn);
	free(conn->unique_id);
	conn->unique_id = NULL;
}

bool connector_open_channels(
	struct connector *conn, xengntshr_handle *gs, xenevtchn_handle *xce, uint32_t domid)
{
	if (!evtchnl_pair_init(
		    &conn->chan, conn->index, gs, xce, domid, &conn->stats, handle_flip_event, conn)) {
		return false;
	}
	conn->chan.evt.stalled = conn->opts->stall_events;
	return true;
}

/* The pattern at the connector's size (a YUYV buffer may be a pixel wider). */
static void draw(struct connector *conn, struct dbuf *buf, uint32_t frame)
{
	if (buf->pixels == NULL || !vguest_pattern_fill(buf->pixels, buf->pitch, buf->fb.format,
					   conn->opts->name, frame, conn->width, conn->height)) {
		log_error("conn=%d: cannot draw frame %u", conn->index, frame);
		conn->stats.errors++;
		return;
	}
	if (conn->opts->perturb) {
		vguest_pattern_perturb(buf->pixels, buf->pitch, buf->fb.format, conn->width,
			conn->height, conn->opts->perturb_x, conn->opts->perturb_y);
	}
}

void connector_buffer_created(struct connector *conn, unsigned int b, struct dbuf *buf)
{
	conn->bufs[b] = buf;
}

void connector_buffers_ready(struct connector *conn)
{
	/* After a reconnection the frame on screen is the last one flipped. */
	draw(conn, conn->bufs[conn->front], (uint32_t)conn->stats.flips);
	conn->state = CONNECTOR_SET_CONFIG;
}

const struct dbuf *connector_front(const struct connector *conn)
{
	return conn->bufs[conn->front];
}

bool connector_configured(const struct connector *conn)
{
	return conn->state == CONNECTOR_IDLE || conn->state == CONNECTOR_FLIPPING ||
	       conn->state == CONNECTOR_DONE;
}

void connector_format_latency(const struct connector *conn, char *buf, size_t size)
{
	const struct latency *lat = &conn->latency;
	latency_format(&lat, 1, buf, size);
}

static bool frames_done(const struct connector *conn)
{
	return conn->opts->frames > 0 && conn->stats.flips >= conn->opts->frames;
}

void connector_buffers_failed(struct connector *conn)
{
	log_error("conn=%d: framebuffers could not be set up; not flipping", conn->index);
	conn->state = CONNECTOR_FAILED;
}

bool connector_finished(const struct connector *conn)
{
	return conn->state == CONNECTOR_DONE || conn->state == CONNECTOR_FAILED;
}

static void report_progress(struct connector *conn)
{
	uint64_t every = conn->opts->report_every;
	if (every == 0 || conn->stats.flips % every != 0) {
		return;
	}
	char lat[96];
	connector_format_latency(conn, lat, sizeof(lat));
	if (conn->report_index) {
		log_report("conn=%d flips=%" PRIu64 " timeouts=%" PRIu64 " errors=%" PRIu64 " %s",
			conn->index, conn->stats.flips, conn->stats.timeouts, conn->stats.errors,
			lat);
	} else {
		log_report("flips=%" PRIu64 " timeouts=%" PRIu64 " errors=%" PRIu64 " %s",
			conn->stats.flips, conn->stats.timeouts, conn->stats.errors, lat);
	}
}

static void flip_complete(struct connector *conn)
{
	if (!conn->opts->single_buffer) {
		conn->front ^= 1;
	}
	conn->stats.flips++;
	conn->state = CONNECTOR_IDLE;
	if (conn->opts->fps > 0) {
		conn->next_flip_at =
			conn->flip_sent + (int64_t)((double)NSEC_PER_SEC / conn->opts->fps);
	}
	report_progress(conn);
	if (frames_done(conn)) {
		conn->state = CONNECTOR_DONE;
	}
}

static void handle_flip_event(void *data, uint64_t fb_cookie)
{
	struct connector *conn = data;
	/* Like Linux, the cookie is not checked: the event releases the pending vblank. */
	(void)fb_cookie;
	if (conn->state != CONNECTOR_FLIPPING || conn->flip_event_seen) {
		log_debug("conn=%d: flip event with no flip pending", conn->index);
		conn->stray_events++;
		return;
	}
	latency_record(&conn->latency, clock_now() - conn->flip_pushed,
		(int64_t)(conn->opts->late_ms * (double)NSEC_PER_MSEC));
	if (conn->flip_answered) {
		flip_complete(conn);
	} else {
		/* The event may overtake the response. */
		conn->flip_event_seen = true;
	}
}

static void handle_flip_done(
	void *data, uint8_t operation, enum evtchnl_result result, int32_t status)
{
	struct connector *conn = data;
	(void)operation;
	(void)status;
	if (conn->state != CONNECTOR_FLIPPING) {
		return;
	}
	if (result != EVTCHNL_OK || conn->flip_event_seen || conn->opts->stall_events) {
		/* A failed flip gets no event: Linux sends the vblank at once. */
		flip_complete(conn);
		return;
	}
	conn->flip_answered = true;
}

static void handle_set_config_done(
	void *data, uint8_t operation, enum evtchnl_result result, int32_t status)
{
	struct connector *conn = data;
	(void)operation;
	(void)result;
	(void)status;
	/* Linux marks the connector disconnected on failure; modetest goes on flipping. */
	if (conn->state == CONNECTOR_CONFIGURING) {
		/* After a reconnection, a connector done with its frames keeps the last one. */
		conn->state = frames_done(conn) ? CONNECTOR_DONE : CONNECTOR_IDLE;
	}
}

static bool send_set_config(struct connector *conn, int64_t now)
{
	const struct dbuf *buf = conn->bufs[conn->front];
	struct xendispl_req req;
	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_SET_CONFIG;
	req.op.set_config.fb_cookie = buf->fb.cookie;
	/*
	 * As Linux's display_enable: the framebuffer's size (a YUYV buffer may be
	 * a pixel wider than the connector) and the scan-out offset into it.
	 */
	req.op.set_config.x = 0;
	req.op.set_config.y = 0;
	req.op.set_config.width = buf->width;
	req.op.set_config.height = buf->height;
	req.op.set_config.bpp = buf->bpp;
	if (!evtchnl_submit(&conn->chan, &req, handle_set_config_done, conn, &conn->stats, now)) {
		/* Counted as an error; go on as after a failed SET_CONFIG. */
		conn->state = frames_done(conn) ? CONNECTOR_DONE : CONNECTOR_IDLE;
		return false;
	}
	conn->state = CONNECTOR_CONFIGURING;
	return true;
}

static bool send_flip(struct connector *conn, int64_t now)
{
	unsigned int back = conn->opts->single_buffer ? conn->front : conn->front ^ 1;
	struct dbuf *buf = conn->bufs[back];
	uint64_t frame = conn->stats.flips + 1;
	/* --still: each buffer keeps what it was first drawn with. */
	if (!conn->opts->still || frame <= CONNECTOR_BUFFERS) {
		draw(conn, buf, (uint32_t)frame);
	}

	struct xendispl_req req;
	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_PG_FLIP;
	req.op.pg_flip.fb_cookie = buf->fb.cookie;

	conn->state = CONNECTOR_FLIPPING;
	conn->flip_sent = now;
	/* As Linux arms its pflip timeout before sending the request. */
	conn->flip_deadline = now + CONNECTOR_FLIP_TIMEOUT_MS * NSEC_PER_MSEC;
	conn->flip_answered = false;
	conn->flip_event_seen = false;
	if (!evtchnl_submit(&conn->chan, &req, handle_flip_done, conn, &conn->stats, now)) {
		/* Not sent (ring full): the vblank is released by the flip timeout. */
		conn->flip_answered = true;
		return false;
	}
	/* After drawing: the latency is the backend's, from the push to the event. */
	conn->flip_pushed = clock_now();
	return true;
}

bool connector_step(struct connector *conn, int64_t now)
{
	if (evtchnl_busy(&conn->chan)) {
		return false;
	}
	switch (conn->state) {
	case CONNECTOR_SET_CONFIG:
		return send_set_config(conn, now);
	case CONNECTOR_IDLE:
		if (conn->hold || (conn->opts->fps > 0 && now < conn->next_flip_at)) {
			return false;
		}
		return send_flip(conn, now);
	default:
		return false;
	}
}

void connector_check_timeouts(struct connector *conn, int64_t now)
{
	evtchnl_check_timeout(&conn->chan, now);
	if (conn->state == CONNECTOR_FLIPPING && now >= conn->flip_deadline) {
		log_error("conn=%d: flip event timeout: none in %d ms", conn->index,
			CONNECTOR_FLIP_TIMEOUT_MS);
		conn->stats.timeouts++;
		latency_missed(&conn->latency);
		flip_complete(conn);
	}
}

int64_t connector_deadline(const struct connector *conn)
{
	int64_t deadline = evtchnl_deadline(&conn->chan);
	if (conn->state == CONNECTOR_FLIPPING && conn->flip_deadline < deadline) {
		deadline = conn->flip_deadline;
	}
	if (conn->state == CONNECTOR_IDLE && !conn->hold && conn->opts->fps > 0 &&
		conn->next_flip_at < deadline) {
		deadline = conn->next_flip_at;
	}
	return deadline;
}
