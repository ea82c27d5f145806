#include "frontend.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "parse.h"
#include "pattern.h"

#define WATCH_TOKEN "vguest-backend-state"
/* xen-drm-front's limits: its mode config is at most 4095x2047. */
#define MAX_WIDTH 4095
#define MAX_HEIGHT 2047
/* As xen_drv_remove: poll the backend's state every 10 ms, 100 times. */
#define CLOSE_POLL_MS 10
#define CLOSE_POLLS 100
#define TRANSACTION_RETRIES 100

static bool check_options(struct frontend *fe)
{
	const struct vguest_options *o = fe->opts;
	if (o->be_alloc && !fe->be_alloc) {
		log_error("--be-alloc: %s/be-alloc is not \"1\": the toolstack did not offer "
			  "backend-allocated buffers for this device (xensim create --vdispl "
			  "'be-alloc=1,...')",
			fe->dir);
		return false;
	}
	if (o->nformats > (unsigned)fe->nconn) {
		log_error("--formats lists %u formats for %d connector(s)", o->nformats, fe->nconn);
		return false;
	}
	if (o->misbehave == MISBEHAVE_BUFFER_WRONG_RING && fe->nconn < 2) {
		log_error(
			"--misbehave buffer-wrong-ring needs a device with 2 connectors, this one "
			"has %d",
			fe->nconn);
		return false;
	}
	return true;
}

static bool read_config(struct frontend *fe)
{
	fe->backend = xenbus_read(fe->xs, XBT_NULL, fe->dir, "backend");
	if (fe->backend == NULL || fe->backend[0] != '/') {
		log_error("%s/backend: missing or not an absolute path (is this device "
			  "configured for our domain?)",
			fe->dir);
		return false;
	}
	unsigned long id;
	if (!xenbus_read_uint(fe->xs, XBT_NULL, fe->dir, "backend-id", 0x7fef, &id)) {
		log_error("%s/backend-id: missing or not a domain id", fe->dir);
		return false;
	}
	fe->backend_id = (uint32_t)id;
	unsigned long be_alloc = 0;
	if (xenbus_read_uint(fe->xs, XBT_NULL, fe->dir, "be-alloc", 1, &be_alloc)) {
		fe->be_alloc = be_alloc == 1;
	}

	for (int i = 0; i < CONNECTOR_MAX; i++) {
		char node[32];
		snprintf(node, sizeof(node), "%d/" XENDISPL_FIELD_RESOLUTION, i);
		char *res = xenbus_read(fe->xs, XBT_NULL, fe->dir, node);
		if (res == NULL) {
			break;
		}
		uint32_t width, height;
		bool ok = parse_resolution(res, MAX_WIDTH, MAX_HEIGHT, &width, &height);
		if (!ok) {
			log_error("%s/%s: '%s' is not WIDTHxHEIGHT within %dx%d", fe->dir, node,
				res, MAX_WIDTH, MAX_HEIGHT);
		}
		free(res);
		if (!ok) {
			return false;
		}
		snprintf(node, sizeof(node), "%d/" XENDISPL_FIELD_UNIQUE_ID, i);
		char *unique_id = xenbus_read(fe->xs, XBT_NULL, fe->dir, node);
		connector_init(&fe->conns[i], i, width, height, unique_id, fe->opts, false);
		fe->nconn = i + 1;
	}
	if (fe->nconn == 0) {
		log_error("%s/0/resolution: missing: the device has no connector", fe->dir);
		return false;
	}
	for (int i = 0; i < fe->nconn; i++) {
		fe->conns[i].report_index = fe->nconn > 1;
		log_debug("conn=%d: %ux%u %s unique-id %s", i, fe->conns[i].width,
			fe->conns[i].height, vguest_pattern_format_name(fe->conns[i].format),
			fe->conns[i].unique_id ? fe->conns[i].unique_id : "-");
	}
	log_debug("backend %s (domain %u), be-alloc %d", fe->backend, fe->backend_id, fe->be_alloc);
	return check_options(fe);
}

struct frontend *frontend_create(const struct vguest_options *opts)
{
	struct frontend *fe = calloc(1, sizeof(*fe));
	if (fe == NULL) {
		log_error("out of memory");
		return NULL;
	}
	fe->opts = opts;
	fe->state = XenbusStateInitialising;
	snprintf(fe->dir, sizeof(fe->dir), "device/" XENDISPL_DRIVER_NAME "/%u", opts->dev);

	fe->xs = xs_open(0);
	if (fe->xs == NULL) {
		log_error("opening XenStore: %s", strerror(errno));
		goto error;
	}
	fe->gs = xengntshr_open(NULL, 0);
	if (fe->gs == NULL) {
		log_error("opening the grant sharing interface: %s", strerror(errno));
		goto error;
	}
	if (opts->be_alloc) {
		fe->gt = xengnttab_open(NULL, 0);
		if (fe->gt == NULL) {
			log_error("opening the grant mapping interface: %s", strerror(errno));
			goto error;
		}
	}
	fe->xce = xenevtchn_open(NULL, 0);
	if (fe->xce == NULL) {
		log_error("opening the event channel interface: %s", strerror(errno));
		goto error;
	}
	if (!read_config(fe)) {
		goto error;
	}
	return fe;

error:
	frontend_destroy(fe);
	return NULL;
}

/* Everything of a connection: EDID buffers, script, framebuffers, rings, channels. */
static void release_connectors(struct frontend *fe)
{
	for (int i = 0; i < fe->nconn; i++) {
		edidq_finish(&fe->edid[i]);
	}
	if (fe->misbehave != NULL) {
		misbehave_destroy(fe->misbehave);
		fe->misbehave = NULL;
		fe->misbehave_ran = true;
	}
	for (int i = 0; i < fe->nconn; i++) {
		connector_release(&fe->conns[i]);
		fe->conns[i].hold = false;
	}
	memset(&fe->setup, 0, sizeof(fe->setup));
	fe->phase = PHASE_IDLE;
}

void frontend_destroy(struct frontend *fe)
{
	if (fe == NULL) {
		return;
	}
	release_connectors(fe);
	for (int i = 0; i < fe->nconn; i++) {
		connector_finish(&fe->conns[i]);
	}
	backend_report_finish(&fe->report);
	xs_mangle_forget(&fe->mangle);
	if (fe->watching) {
		char path[3072];
		snprintf(path, sizeof(path), "%s/state", fe->backend);
		xs_unwatch(fe->xs, path, WATCH_TOKEN);
	}
	if (fe->xce != NULL) {
		xenevtchn_close(fe->xce);
	}
	if (fe->gt != NULL) {
		xengnttab_close(fe->gt);
	}
	if (fe->gs != NULL) {
		xengntshr_close(fe->gs);
	}
	if (fe->xs != NULL) {
		xs_close(fe->xs);
	}
	free(fe->backend);
	free(fe);
}

int frontend_xenstore_fd(const struct frontend *fe)
{
	return xs_fileno(fe->xs);
}

int frontend_evtchn_fd(const struct frontend *fe)
{
	return xenevtchn_fd(fe->xce);
}

static bool set_state(struct frontend *fe, enum xenbus_state state)
{
	if (!xenbus_write_state(fe->xs, fe->dir, state)) {
		return false;
	}
	fe->state = state;
	return true;
}

/* Writing a node of a device the toolstack has removed would bring it back. */
static bool device_present(struct frontend *fe)
{
	char *state = xenbus_read(fe->xs, XBT_NULL, fe->dir, "state");
	bool present = state != NULL;
	free(state);
	return present;
}

/* The backend's directory still exists (its state node does). */
static bool backend_present(struct frontend *fe)
{
	char *state = xenbus_read(fe->xs, XBT_NULL, fe->backend, "state");
	bool present = state != NULL;
	free(state);
	return present;
}

static bool publish_key(struct frontend *fe, xs_transaction_t t, int conn, const char *conn_dir,
	const char *key, uint32_t value)
{
	char text[16];
	snprintf(text, sizeof(text), "%u", value);
	const char *v = xs_mangle_value(&fe->mangle, conn, key, text);
	if (v == NULL) {
		return true;
	}
	return xenbus_printf(fe->xs, t, conn_dir, key, "%s", v);
}

static bool publish(struct frontend *fe, xs_transaction_t t)
{
	for (int i = 0; i < fe->nconn; i++) {
		struct evtchnl_pair *ch = &fe->conns[i].chan;
		char conn_dir[64];
		snprintf(conn_dir, sizeof(conn_dir), "%s/%d", fe->dir, i);
		if (!publish_key(fe, t, i, conn_dir, XENDISPL_FIELD_REQ_RING_REF, ch->req.gref) ||
			!publish_key(
				fe, t, i, conn_dir, XENDISPL_FIELD_REQ_CHANNEL, ch->req.port) ||
			!publish_key(
				fe, t, i, conn_dir, XENDISPL_FIELD_EVT_RING_REF, ch->evt.gref) ||
			!publish_key(
				fe, t, i, conn_dir, XENDISPL_FIELD_EVT_CHANNEL, ch->evt.port)) {
			return false;
		}
	}
	return xenbus_printf(fe->xs, t, fe->dir, "state", "%d", (int)XenbusStateInitialised);
}

/* xs-* modes, on the first InitWait: our directory goes wrong before we publish. */
static bool misbehave_xenstore(struct frontend *fe, int64_t now)
{
	enum misbehave_mode mode = fe->opts->misbehave;
	if (!misbehave_mode_is_xenstore(mode) || fe->misbehave_ran) {
		return true;
	}
	fe->misbehave_ran = true;
	backend_report_start(&fe->report, fe->xs, fe->backend, mode, XenbusStateInitWait, now);
	return xs_mangle_apply(&fe->mangle, fe->xs, fe->dir, mode);
}

/* Backend in InitWait: allocate every connector's channels and publish them. */
static void backend_initwait(struct frontend *fe)
{
	if (!misbehave_xenstore(fe, clock_now())) {
		goto error;
	}
	for (int i = 0; i < fe->nconn; i++) {
		if (!connector_open_channels(&fe->conns[i], fe->gs, fe->xce, fe->backend_id)) {
			goto error;
		}
	}

	for (int attempt = 0; attempt < TRANSACTION_RETRIES; attempt++) {
		xs_transaction_t t = xs_transaction_start(fe->xs);
		if (t == XBT_NULL) {
			log_error("starting a XenStore transaction: %s", strerror(errno));
			goto error;
		}
		if (!publish(fe, t)) {
			int err = errno;
			xs_transaction_end(fe->xs, t, true);
			log_error("writing the transport parameters: %s", strerror(err));
			goto error;
		}
		if (xs_transaction_end(fe->xs, t, false)) {
			fe->state = XenbusStateInitialised;
			log_debug("state -> %s", xenbus_strstate(fe->state));
			if (fe->report.active) {
				/* From now on the backend's reaction is the report, nothing else.
				 */
				fe->expect_backend_change = true;
			}
			return;
		}
		if (errno != EAGAIN) {
			log_error("completing the XenStore transaction: %s", strerror(errno));
			goto error;
		}
		log_debug("transaction conflict, retrying");
	}
	log_error("XenStore transaction kept conflicting %d times", TRANSACTION_RETRIES);

error:
	release_connectors(fe);
	fe->fatal = true;
}

static void total_flips(const struct frontend *fe, uint64_t *flips)
{
	struct stats total;
	frontend_totals(fe, &total);
	*flips = total.flips;
}

static enum dbuf_kind buffer_kind(const struct vguest_options *opts)
{
	if (opts->be_alloc) {
		return DBUF_BE_ALLOC;
	}
	return opts->prime ? DBUF_PRIME : DBUF_DUMB;
}

static void start_buffers(struct frontend *fe)
{
	struct dbuf_alloc alloc = {
		.gs = fe->gs,
		.gt = fe->gt,
		.domid = fe->backend_id,
		.kind = buffer_kind(fe->opts),
		.data_ofs = fe->opts->data_ofs,
	};
	setup_start(&fe->setup, fe->conns, fe->nconn, &alloc);
	/* --misbehave's requests come before the first flip. */
	bool hold = fe->opts->misbehave != MISBEHAVE_NONE &&
		    !misbehave_mode_is_xenstore(fe->opts->misbehave) && !fe->misbehave_ran;
	for (int i = 0; i < fe->nconn; i++) {
		fe->conns[i].hold = hold;
	}
	fe->phase = PHASE_BUFFERS;
}

static void backend_connected(struct frontend *fe)
{
	if (!set_state(fe, XenbusStateConnected)) {
		release_connectors(fe);
		fe->fatal = true;
		return;
	}
	fe->connections++;
	if (fe->connections == 1) {
		log_report("connected connectors=%d", fe->nconn);
	} else {
		log_report("reconnected");
	}
	total_flips(fe, &fe->flips_at_connect);
	if (fe->opts->edid) {
		for (int i = 0; i < fe->nconn; i++) {
			struct connector *c = &fe->conns[i];
			edidq_init(
				&fe->edid[i], i, c->width, c->height, &c->chan, &c->stats, fe->gs);
		}
		fe->phase = PHASE_EDID;
		return;
	}
	start_buffers(fe);
}

/*
 * The backend closed, vanished or reset under a live connection, and we do
 * not recover (no --reconnect, or the backend is gone for good).
 */
static void backend_lost(struct frontend *fe, enum xenbus_state be)
{
	log_report("backend closed");
	log_debug("backend state %s while we are %s", xenbus_strstate(be),
		xenbus_strstate(fe->state));
	release_connectors(fe);
	if (device_present(fe)) {
		set_state(fe, XenbusStateClosed);
	}
	fe->state = XenbusStateClosed;
	fe->backend_gone = true;
}

/*
 * --reconnect, as xen-drm-front's displback_disconnect: Reconfiguring while
 * the device goes (if it was up), everything released, Initialising; and
 * straight on to publishing if the backend is waiting in InitWait already.
 */
static void recover(struct frontend *fe, enum xenbus_state be)
{
	log_debug("backend %s while we are %s: recovering", xenbus_strstate(be),
		xenbus_strstate(fe->state));
	if (!device_present(fe)) {
		backend_lost(fe, be);
		return;
	}
	if (fe->state == XenbusStateConnected) {
		set_state(fe, XenbusStateReconfiguring);
	}
	release_connectors(fe);
	if (!set_state(fe, XenbusStateInitialising)) {
		fe->fatal = true;
		return;
	}
	if (be == XenbusStateInitWait) {
		backend_initwait(fe);
	}
}

/* --reconnect-after: back to Initialising from Connected, as the frontend's own reset. */
static void reconnect_ourselves(struct frontend *fe)
{
	log_debug("%" PRIu64 " flips since connecting: going back to Initialising",
		fe->opts->reconnect_after);
	release_connectors(fe);
	if (!set_state(fe, XenbusStateInitialising)) {
		fe->fatal = true;
	}
	/* The backend resets and comes back to InitWait; then we publish anew. */
}

static void handle_backend_state(struct frontend *fe, enum xenbus_state be)
{
	log_debug("backend state %s, ours %s", xenbus_strstate(be), xenbus_strstate(fe->state));
	if (fe->expect_backend_change) {
		return;
	}
	/* Gone for good: its directory or ours removed. */
	bool gone = be == XenbusStateUnknown && (!backend_present(fe) || !device_present(fe));
	bool reconnect = fe->opts->reconnect && !gone;
	switch (fe->state) {
	case XenbusStateInitialising:
		if (be == XenbusStateInitWait) {
			backend_initwait(fe);
		} else if (gone && fe->connections > 0) {
			backend_lost(fe, be);
		}
		break;
	case XenbusStateInitialised:
		if (be == XenbusStateConnected) {
			backend_connected(fe);
		} else if (reconnect) {
			/* As Linux, InitWait and Closing are waited out: our rings stay published.
			 */
			if (be == XenbusStateInitialising || be == XenbusStateClosed ||
				be == XenbusStateUnknown) {
				recover(fe, be);
			}
		} else if (be == XenbusStateUnknown || be == XenbusStateInitialising ||
			   be == XenbusStateClosing || be == XenbusStateClosed) {
			backend_lost(fe, be);
		}
		break;
	case XenbusStateConnected:
		if (reconnect) {
			/* "Probably the backend was restarted, recover"; Closing: wait for Closed.
			 */
			if (be == XenbusStateInitWait || be == XenbusStateInitialising ||
				be == XenbusStateClosed || be == XenbusStateUnknown) {
				recover(fe, be);
			}
		} else if (be == XenbusStateUnknown || be == XenbusStateInitialising ||
			   be == XenbusStateInitWait || be == XenbusStateClosing ||
			   be == XenbusStateClosed) {
			backend_lost(fe, be);
		}
		break;
	default:
		break;
	}
}

bool frontend_start(struct frontend *fe)
{
	/* A freshly probed frontend starts from Initialising whatever was left there. */
	enum xenbus_state ours = xenbus_read_state(fe->xs, fe->dir);
	if (ours != XenbusStateInitialising && !set_state(fe, XenbusStateInitialising)) {
		return false;
	}

	char path[3072];
	snprintf(path, sizeof(path), "%s/state", fe->backend);
	if (!xs_watch(fe->xs, path, WATCH_TOKEN)) {
		log_error("watching %s: %s", path, strerror(errno));
		return false;
	}
	fe->watching = true;
	handle_backend_state(fe, xenbus_read_state(fe->xs, fe->backend));
	return !fe->fatal;
}

void frontend_handle_xenstore(struct frontend *fe)
{
	char **event;
	while ((event = xs_check_watch(fe->xs)) != NULL) {
		free(event);
	}
	if (errno != EAGAIN) {
		log_error("reading XenStore watch events: %s", strerror(errno));
	}
	if (fe->state == XenbusStateClosed) {
		return;
	}
	handle_backend_state(fe, xenbus_read_state(fe->xs, fe->backend));
}

void frontend_handle_evtchn(struct frontend *fe)
{
	xenevtchn_port_or_error_t port = xenevtchn_pending(fe->xce);
	if (port < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			log_error("reading a pending event channel: %s", strerror(errno));
		}
		return;
	}
	/* Unmask first: a notification during processing raises the port again. */
	xenevtchn_unmask(fe->xce, (evtchn_port_t)port);
	for (int i = 0; i < fe->nconn; i++) {
		if (evtchnl_handle_port(&fe->conns[i].chan, (evtchn_port_t)port)) {
			return;
		}
	}
	log_debug("notification on port %d, which is none of ours", port);
}

void frontend_totals(const struct frontend *fe, struct stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < fe->nconn; i++) {
		out->flips += fe->conns[i].stats.flips;
		out->timeouts += fe->conns[i].stats.timeouts;
		out->errors += fe->conns[i].stats.errors;
	}
}

void frontend_format_latency(const struct frontend *fe, char *buf, size_t size)
{
	const struct latency *lats[CONNECTOR_MAX];
	for (int i = 0; i < fe->nconn; i++) {
		lats[i] = &fe->conns[i].latency;
	}
	latency_format(lats, (size_t)fe->nconn, buf, size);
}

void frontend_window(struct frontend *fe)
{
	struct stats total;
	frontend_totals(fe, &total);
	char lat[96];
	frontend_format_latency(fe, lat, sizeof(lat));
	int64_t now = clock_now();
	log_report("window ms=%.1f flips=%" PRIu64 " timeouts=%" PRIu64 " errors=%" PRIu64 " %s",
		fe->window_start != 0 ? (double)(now - fe->window_start) / NSEC_PER_MSEC : 0.0,
		total.flips - fe->flips_at_window, total.timeouts, total.errors, lat);
	for (int i = 0; i < fe->nconn; i++) {
		latency_reset(&fe->conns[i].latency);
	}
	fe->flips_at_window = total.flips;
	fe->window_start = now;
}

static void check_exit_after(struct frontend *fe)
{
	struct stats total;
	frontend_totals(fe, &total);
	if (fe->opts->exit_after == 0 || total.flips < fe->opts->exit_after) {
		return;
	}
	char lat[96];
	frontend_format_latency(fe, lat, sizeof(lat));
	log_report("exit-after flips=%" PRIu64 " timeouts=%" PRIu64 " errors=%" PRIu64 " %s",
		total.flips, total.timeouts, total.errors, lat);
	/* A crash: no Closing, no unsharing, no unbinding. */
	_exit(total.timeouts == 0 && total.errors == 0 ? 0 : 1);
}

static void check_done(struct frontend *fe)
{
	if (fe->done_reported || fe->opts->frames == 0) {
		return;
	}
	uint64_t min_flips = UINT64_MAX;
	for (int i = 0; i < fe->nconn; i++) {
		if (!connector_finished(&fe->conns[i])) {
			return;
		}
		if (fe->conns[i].stats.flips < min_flips) {
			min_flips = fe->conns[i].stats.flips;
		}
	}
	struct stats total;
	frontend_totals(fe, &total);
	char lat[96];
	frontend_format_latency(fe, lat, sizeof(lat));
	log_report("done flips=%" PRIu64 " timeouts=%" PRIu64 " errors=%" PRIu64 " %s", min_flips,
		total.timeouts, total.errors, lat);
	fe->done_reported = true;
}

/* --reconnect-after: N flips since this connection began. */
static bool reconnect_due(const struct frontend *fe)
{
	if (fe->opts->reconnect_after == 0 || fe->phase != PHASE_RUN) {
		return false;
	}
	uint64_t flips;
	total_flips(fe, &flips);
	return flips - fe->flips_at_connect >= fe->opts->reconnect_after;
}

static bool all_configured(const struct frontend *fe)
{
	for (int i = 0; i < fe->nconn; i++) {
		const struct connector *c = &fe->conns[i];
		if (!connector_configured(c) && c->state != CONNECTOR_FAILED) {
			return false;
		}
	}
	return true;
}

static void start_running(struct frontend *fe)
{
	for (int i = 0; i < fe->nconn; i++) {
		fe->conns[i].hold = false;
	}
	fe->phase = PHASE_RUN;
}

/* Buffers up and shown everywhere: --misbehave's turn, then flips. */
static void buffers_ready(struct frontend *fe, int64_t now)
{
	enum misbehave_mode mode = fe->opts->misbehave;
	if (mode == MISBEHAVE_NONE || misbehave_mode_is_xenstore(mode) || fe->misbehave_ran) {
		start_running(fe);
		return;
	}
	fe->misbehave_ran = true;
	struct misbehave_env env = {
		.mode = mode,
		.conns = fe->conns,
		.nconn = fe->nconn,
		.alloc = fe->setup.alloc,
		.prime = fe->opts->prime,
	};
	fe->misbehave = misbehave_create(&env);
	if (fe->misbehave == NULL) {
		/* Logged; the guest itself could not misbehave. */
		fe->conns[0].stats.errors++;
		start_running(fe);
		return;
	}
	if (mode == MISBEHAVE_RING_OVERFLOW) {
		backend_report_start(
			&fe->report, fe->xs, fe->backend, mode, XenbusStateConnected, now);
	}
	fe->phase = PHASE_MISBEHAVE;
}

static bool step_phase(struct frontend *fe, int64_t now)
{
	bool progress = false;
	switch (fe->phase) {
	case PHASE_EDID: {
		bool all = true;
		for (int i = 0; i < fe->nconn; i++) {
			progress |= edidq_step(&fe->edid[i], fe->backend_id, now);
			all &= edidq_done(&fe->edid[i]);
		}
		if (all) {
			start_buffers(fe);
			progress = true;
		}
		break;
	}
	case PHASE_BUFFERS:
		progress = setup_step(&fe->setup, now);
		if (setup_done(&fe->setup) && all_configured(fe)) {
			buffers_ready(fe, now);
			progress = true;
		}
		break;
	case PHASE_MISBEHAVE:
		progress = misbehave_step(fe->misbehave, now);
		if (!misbehave_done(fe->misbehave)) {
			break;
		}
		if (fe->opts->misbehave == MISBEHAVE_RING_OVERFLOW) {
			/* The ring is broken for good: report what the backend makes of it. */
			fe->expect_backend_change = true;
			fe->phase = PHASE_IDLE;
			break;
		}
		misbehave_destroy(fe->misbehave);
		fe->misbehave = NULL;
		start_running(fe);
		progress = true;
		break;
	default:
		break;
	}
	return progress;
}

void frontend_tick(struct frontend *fe, int64_t now)
{
	if (fe->report.active && backend_report_poll(&fe->report, fe->xs, fe->backend, now)) {
		fe->finished = true;
		return;
	}
	if (fe->state != XenbusStateConnected || fe->expect_backend_change) {
		return;
	}
	for (int i = 0; i < fe->nconn; i++) {
		connector_check_timeouts(&fe->conns[i], now);
	}
	/* Before anything more is sent, so the crash comes right after flip N. */
	check_exit_after(fe);
	check_done(fe);
	if (reconnect_due(fe)) {
		reconnect_ourselves(fe);
		return;
	}

	bool progress = true;
	for (int round = 0; progress && round < 4 * CONNECTOR_MAX; round++) {
		progress = step_phase(fe, now);
		for (int i = 0; i < fe->nconn; i++) {
			progress |= connector_step(&fe->conns[i], now);
		}
		if (fe->expect_backend_change) {
			return;
		}
	}
	check_done(fe);
}

int64_t frontend_deadline(const struct frontend *fe)
{
	int64_t deadline = backend_report_deadline(&fe->report);
	if (fe->state != XenbusStateConnected || fe->expect_backend_change) {
		return deadline;
	}
	if (fe->misbehave != NULL) {
		int64_t d = misbehave_deadline(fe->misbehave);
		deadline = d < deadline ? d : deadline;
	}
	for (int i = 0; i < fe->nconn; i++) {
		int64_t d = connector_deadline(&fe->conns[i]);
		if (d < deadline) {
			deadline = d;
		}
	}
	return deadline;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * NSEC_PER_MSEC};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

void frontend_close(struct frontend *fe)
{
	if (fe->state == XenbusStateClosed) {
		return;
	}
	bool published = fe->state == XenbusStateInitialised || fe->state == XenbusStateConnected;
	bool present = device_present(fe);
	if (present) {
		set_state(fe, XenbusStateClosing);
	}
	if (published) {
		/* The backend releases our pages and goes back to InitWait. */
		enum xenbus_state be = xenbus_read_state(fe->xs, fe->backend);
		for (int i = 0; i < CLOSE_POLLS && be != XenbusStateInitWait; i++) {
			sleep_ms(CLOSE_POLL_MS);
			be = xenbus_read_state(fe->xs, fe->backend);
		}
		/*
		 * Linux logs this as an error and goes on; so do we, without
		 * counting it: the classic Closing/Closed dance of backends ends here.
		 */
		if (be != XenbusStateInitWait) {
			log_warning("backend state is %s while closing, not InitWait after %d ms",
				xenbus_strstate(be), CLOSE_POLLS * CLOSE_POLL_MS);
		}
	}
	release_connectors(fe);
	if (present) {
		xs_mangle_restore(&fe->mangle, fe->xs);
		set_state(fe, XenbusStateClosed);
	}
	fe->state = XenbusStateClosed;
}
