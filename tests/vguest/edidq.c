#include "edidq.h"

#include <errno.h>
#include <string.h>

#include "edid.h"
#include "log.h"
#include "pgdir.h"

#define EDID_PAGES (XENDISPL_EDID_MAX_SIZE / DISPLIF_PAGE_SIZE)

void edidq_init(struct edidq *q, int index, uint32_t width, uint32_t height,
	struct evtchnl_pair *chan, struct stats *stats, xengntshr_handle *gs)
{
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->width = width;
	q->height = height;
	q->chan = chan;
	q->stats = stats;
	q->gs = gs;
	q->state = EDIDQ_IDLE;
}

void edidq_finish(struct edidq *q)
{
	if (q->dir != NULL) {
		xengntshr_unshare(q->gs, q->dir, 1);
		q->dir = NULL;
	}
	if (q->pages != NULL) {
		xengntshr_unshare(q->gs, q->pages, EDID_PAGES);
		q->pages = NULL;
	}
}

static void failed(struct edidq *q)
{
	q->stats->errors++;
	q->state = EDIDQ_DONE;
	edidq_finish(q);
}

static void handle_done(void *data, uint8_t operation, enum evtchnl_result result, int32_t status)
{
	struct edidq *q = data;
	(void)operation;
	(void)status;
	if (result != EVTCHNL_OK) {
		/* evtchnl counted the failure or timeout. */
		q->state = EDIDQ_DONE;
		edidq_finish(q);
		return;
	}
	uint32_t size = q->chan->req.last_resp.op.get_edid.edid_sz;
	if (size > XENDISPL_EDID_MAX_SIZE) {
		log_error("conn=%d: GET_EDID: edid_sz %u is larger than our %d-byte buffer",
			q->index, size, XENDISPL_EDID_MAX_SIZE);
		failed(q);
		return;
	}
	/* One copy: the backend can still write the pages. */
	static uint8_t copy[XENDISPL_EDID_MAX_SIZE];
	memcpy(copy, q->pages, size);
	struct edid_info info;
	char why[160];
	if (!edid_check(copy, size, q->width, q->height, &info, why, sizeof(why))) {
		log_error("conn=%d: GET_EDID: bad EDID of %u bytes: %s", q->index, size, why);
		failed(q);
		return;
	}
	log_report("edid conn=%d size=%u width=%u height=%u name=%s", q->index, size, info.width,
		info.height, info.name);
	q->state = EDIDQ_DONE;
	edidq_finish(q);
}

static bool share(struct edidq *q, uint32_t domid)
{
	q->pages = xengntshr_share_pages(q->gs, domid, EDID_PAGES, q->grefs, 1);
	if (q->pages == NULL) {
		log_error("conn=%d: sharing %d EDID pages: %s", q->index, EDID_PAGES,
			strerror(errno));
		return false;
	}
	memset(q->pages, 0, XENDISPL_EDID_MAX_SIZE);
	q->dir = xengntshr_share_pages(q->gs, domid, 1, &q->dir_gref, 1);
	if (q->dir == NULL) {
		log_error(
			"conn=%d: sharing the EDID page directory: %s", q->index, strerror(errno));
		return false;
	}
	pgdir_fill(q->dir, &q->dir_gref, 1, q->grefs, EDID_PAGES);
	return true;
}

bool edidq_step(struct edidq *q, uint32_t domid, int64_t now)
{
	if (q->state != EDIDQ_IDLE || evtchnl_busy(q->chan)) {
		return false;
	}
	if (!share(q, domid)) {
		failed(q);
		return true;
	}
	struct xendispl_req req;
	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_GET_EDID;
	req.op.get_edid.buffer_sz = XENDISPL_EDID_MAX_SIZE;
	req.op.get_edid.gref_directory = q->dir_gref;
	if (!evtchnl_submit(q->chan, &req, handle_done, q, q->stats, now)) {
		q->state = EDIDQ_DONE;
		edidq_finish(q);
		return true;
	}
	q->state = EDIDQ_SENT;
	return true;
}

bool edidq_done(const struct edidq *q)
{
	return q->state == EDIDQ_DONE;
}
