#include "dbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pattern.h"
#include "pgdir.h"

struct dbuf *dbuf_create(
	xengntshr_handle *gs, uint32_t domid, uint32_t width, uint32_t height, uint32_t format)
{
	uint32_t bytes_pp = vguest_pattern_format_bpp(format);
	if (bytes_pp == 0 || width == 0 || height == 0 ||
		(uint64_t)width * height * bytes_pp > UINT32_MAX) {
		log_error("cannot make a %ux%u buffer in format 0x%08x", width, height, format);
		return NULL;
	}

	struct dbuf *buf = calloc(1, sizeof(*buf));
	if (buf == NULL) {
		log_error("out of memory");
		return NULL;
	}
	buf->gs = gs;
	buf->width = width;
	buf->height = height;
	buf->bpp = bytes_pp * 8;
	buf->pitch = width * bytes_pp;
	buf->size = buf->pitch * height;
	buf->cookie = (uint64_t)(uintptr_t)buf;
	buf->fb.cookie = (uint64_t)(uintptr_t)&buf->fb;
	buf->fb.format = format;

	buf->num_pages = (buf->size + DISPLIF_PAGE_SIZE - 1) / DISPLIF_PAGE_SIZE;
	buf->num_dir_pages = pgdir_pages(buf->num_pages);
	buf->grefs = calloc(buf->num_pages, sizeof(*buf->grefs));
	buf->dir_grefs = calloc(buf->num_dir_pages, sizeof(*buf->dir_grefs));
	if (buf->grefs == NULL || buf->dir_grefs == NULL) {
		log_error("out of memory");
		goto error;
	}

	buf->pixels = xengntshr_share_pages(gs, domid, (int)buf->num_pages, buf->grefs, 1);
	if (buf->pixels == NULL) {
		log_error("sharing %u buffer pages with domain %u: %s", buf->num_pages, domid,
			strerror(errno));
		goto error;
	}
	buf->dir = xengntshr_share_pages(gs, domid, (int)buf->num_dir_pages, buf->dir_grefs, 1);
	if (buf->dir == NULL) {
		log_error("sharing %u page-directory pages with domain %u: %s", buf->num_dir_pages,
			domid, strerror(errno));
		goto error;
	}
	pgdir_fill(buf->dir, buf->dir_grefs, buf->num_dir_pages, buf->grefs, buf->num_pages);
	return buf;

error:
	dbuf_destroy(buf);
	return NULL;
}

void dbuf_destroy(struct dbuf *buf)
{
	if (buf == NULL) {
		return;
	}
	if (buf->dir != NULL) {
		xengntshr_unshare(buf->gs, buf->dir, buf->num_dir_pages);
	}
	if (buf->pixels != NULL) {
		xengntshr_unshare(buf->gs, buf->pixels, buf->num_pages);
	}
	free(buf->dir_grefs);
	free(buf->grefs);
	free(buf);
}

void dbuf_build_create_req(const struct dbuf *buf, struct xendispl_req *req)
{
	memset(req, 0, sizeof(*req));
	req->operation = XENDISPL_OP_DBUF_CREATE;
	req->op.dbuf_create.dbuf_cookie = buf->cookie;
	req->op.dbuf_create.width = buf->width;
	req->op.dbuf_create.height = buf->height;
	req->op.dbuf_create.bpp = buf->bpp;
	req->op.dbuf_create.buffer_sz = buf->size;
	req->op.dbuf_create.flags = 0;
	req->op.dbuf_create.gref_directory = buf->dir_grefs[0];
	req->op.dbuf_create.data_ofs = 0;
}

void dbuf_build_attach_req(const struct dbuf *buf, struct xendispl_req *req)
{
	memset(req, 0, sizeof(*req));
	req->operation = XENDISPL_OP_FB_ATTACH;
	req->op.fb_attach.dbuf_cookie = buf->cookie;
	req->op.fb_attach.fb_cookie = buf->fb.cookie;
	req->op.fb_attach.width = buf->width;
	req->op.fb_attach.height = buf->height;
	req->op.fb_attach.pixel_format = buf->fb.format;
}
