#include "setup.h"

#include <inttypes.h>
#include <string.h>

#include "clock.h"
#include "log.h"

void setup_start(
	struct setup *setup, struct connector *conns, int nconn, const struct dbuf_alloc *alloc)
{
	memset(setup, 0, sizeof(*setup));
	setup->conns = conns;
	setup->nconn = nconn;
	setup->alloc = *alloc;
	setup->phase = SETUP_CREATE;
}

bool setup_done(const struct setup *setup)
{
	return setup->conns != NULL && setup->conn >= setup->nconn;
}

static void next_connector(struct setup *setup)
{
	setup->conn++;
	setup->buf = 0;
	setup->phase = SETUP_CREATE;
}

static void fail_connector(struct setup *setup)
{
	connector_buffers_failed(&setup->conns[setup->conn]);
	next_connector(setup);
}

static void handle_done(void *data, uint8_t operation, enum evtchnl_result result, int32_t status)
{
	struct setup *setup = data;
	(void)operation;
	(void)status;
	if (result != EVTCHNL_OK) {
		fail_connector(setup);
		return;
	}
	struct connector *conn = &setup->conns[setup->conn];
	int64_t took = clock_now() - setup->sent_at;
	switch (setup->phase) {
	case SETUP_CREATING:
		setup->create_ns = took;
		/* Like Linux, a buffer the backend made but we cannot use is not destroyed. */
		if (conn->bufs[setup->buf]->kind == DBUF_BE_ALLOC &&
			!dbuf_map_backend_pages(conn->bufs[setup->buf])) {
			conn->stats.errors++;
			fail_connector(setup);
			return;
		}
		setup->phase = SETUP_ATTACH;
		break;
	case SETUP_ATTACHING:
		if (conn->opts->report_setup) {
			const struct dbuf *buf = conn->bufs[setup->buf];
			log_report("buffer conn=%d buf=%u size=%ux%u pages=%u create_ms=%.3f "
				   "attach_ms=%.3f",
				conn->index, setup->buf, buf->width, buf->height, buf->num_pages,
				(double)setup->create_ns / NSEC_PER_MSEC,
				(double)took / NSEC_PER_MSEC);
		}
		setup->buf++;
		setup->phase = SETUP_CREATE;
		if (setup->buf == CONNECTOR_BUFFERS) {
			connector_buffers_ready(&setup->conns[setup->conn]);
			next_connector(setup);
		}
		break;
	default:
		break;
	}
}

bool setup_step(struct setup *setup, int64_t now)
{
	if (setup->conns == NULL || setup->conn >= setup->nconn) {
		return false;
	}
	struct evtchnl_pair *ring0 = &setup->conns[0].chan;
	if (evtchnl_busy(ring0)) {
		return false;
	}
	struct connector *conn = &setup->conns[setup->conn];
	struct xendispl_req req;

	switch (setup->phase) {
	case SETUP_CREATE: {
		struct dbuf *buf =
			dbuf_create(&setup->alloc, conn->width, conn->height, conn->format);
		if (buf == NULL) {
			conn->stats.errors++;
			fail_connector(setup);
			return true;
		}
		connector_buffer_created(conn, setup->buf, buf);
		dbuf_build_create_req(buf, &req);
		log_debug("conn=%d: buffer %u: %ux%u, %u pages, %u directory pages", conn->index,
			setup->buf, buf->width, buf->height, buf->num_pages, buf->num_dir_pages);
		setup->sent_at = clock_now();
		if (!evtchnl_submit(ring0, &req, handle_done, setup, &conn->stats, now)) {
			fail_connector(setup);
			return true;
		}
		setup->phase = SETUP_CREATING;
		return true;
	}
	case SETUP_ATTACH:
		dbuf_build_attach_req(conn->bufs[setup->buf], &req);
		setup->sent_at = clock_now();
		if (!evtchnl_submit(ring0, &req, handle_done, setup, &conn->stats, now)) {
			fail_connector(setup);
			return true;
		}
		setup->phase = SETUP_ATTACHING;
		return true;
	default:
		return false;
	}
}
