#include "dbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "pattern.h"
#include "pgdir.h"

uint32_t dbuf_width_for(uint32_t format, uint32_t width)
{
	if (format == VGUEST_FORMAT_YUYV && (width & 1) && width < UINT32_MAX) {
		return width + 1;
	}
	return width;
}

/* Geometry and sizes; false if they do not fit the protocol's 32-bit sizes. */
static bool set_geometry(struct dbuf *buf, const struct dbuf_alloc *alloc, uint32_t width,
	uint32_t height, uint32_t format)
{
	uint32_t bytes_pp = vguest_pattern_format_bpp(format);
	uint32_t bwidth = dbuf_width_for(format, width);
	if (bytes_pp == 0 || width == 0 || height == 0) {
		return false;
	}
	/* As Linux's dumb buffers: pitch = DIV_ROUND_UP(width * bpp, 8). */
	uint64_t pitch = ((uint64_t)bwidth * bytes_pp * 8 + 7) / 8;
	uint64_t frame = pitch * height;
	uint64_t data_ofs = alloc->kind == DBUF_PRIME ? alloc->data_ofs : 0;
	uint64_t pages = (data_ofs + frame + DISPLIF_PAGE_SIZE - 1) / DISPLIF_PAGE_SIZE;
	uint64_t size = alloc->kind == DBUF_PRIME ? pages * DISPLIF_PAGE_SIZE : frame;
	if (size > UINT32_MAX - DISPLIF_PAGE_SIZE) {
		return false;
	}
	buf->width = bwidth;
	buf->height = height;
	buf->bpp = bytes_pp * 8;
	buf->pitch = (uint32_t)pitch;
	buf->data_ofs = (uint32_t)data_ofs;
	buf->size = (uint32_t)size;
	buf->num_pages = (uint32_t)pages;
	buf->fb.format = format;
	return true;
}

struct dbuf *dbuf_create(
	const struct dbuf_alloc *alloc, uint32_t width, uint32_t height, uint32_t format)
{
	struct dbuf *buf = calloc(1, sizeof(*buf));
	if (buf == NULL) {
		log_error("out of memory");
		return NULL;
	}
	if (!set_geometry(buf, alloc, width, height, format)) {
		log_error("cannot make a %ux%u buffer in format 0x%08x", width, height, format);
		free(buf);
		return NULL;
	}
	buf->gs = alloc->gs;
	buf->gt = alloc->gt;
	buf->domid = alloc->domid;
	buf->kind = alloc->kind;
	buf->cookie = (uint64_t)(uintptr_t)buf;
	buf->fb.cookie = (uint64_t)(uintptr_t)&buf->fb;

	buf->num_dir_pages = pgdir_pages(buf->num_pages);
	buf->grefs = calloc(buf->num_pages, sizeof(*buf->grefs));
	buf->dir_grefs = calloc(buf->num_dir_pages, sizeof(*buf->dir_grefs));
	if (buf->grefs == NULL || buf->dir_grefs == NULL) {
		log_error("out of memory");
		goto error;
	}

	if (buf->kind != DBUF_BE_ALLOC) {
		buf->base = xengntshr_share_pages(
			buf->gs, buf->domid, (int)buf->num_pages, buf->grefs, 1);
		if (buf->base == NULL) {
			log_error("sharing %u buffer pages with domain %u: %s", buf->num_pages,
				buf->domid, strerror(errno));
			goto error;
		}
		buf->pixels = (uint8_t *)buf->base + buf->data_ofs;
	}
	/* Writable: with REQ_ALLOC the backend fills in the references. */
	buf->dir = xengntshr_share_pages(
		buf->gs, buf->domid, (int)buf->num_dir_pages, buf->dir_grefs, 1);
	if (buf->dir == NULL) {
		log_error("sharing %u page-directory pages with domain %u: %s", buf->num_dir_pages,
			buf->domid, strerror(errno));
		goto error;
	}
	/* For REQ_ALLOC the references are all 0 (grefs is zeroed): only the chain is ours. */
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
	/* As Linux: the backend's pages are unmapped before anything else goes. */
	if (buf->mapped && xengnttab_unmap(buf->gt, buf->base, buf->num_pages) < 0) {
		log_error("unmapping %u pages of the backend: %s", buf->num_pages, strerror(errno));
	}
	if (buf->dir != NULL) {
		xengntshr_unshare(buf->gs, buf->dir, buf->num_dir_pages);
	}
	if (!buf->mapped && buf->base != NULL) {
		xengntshr_unshare(buf->gs, buf->base, buf->num_pages);
	}
	free(buf->dir_grefs);
	free(buf->grefs);
	free(buf);
}

bool dbuf_map_backend_pages(struct dbuf *buf)
{
	if (buf->kind != DBUF_BE_ALLOC || buf->mapped) {
		return false;
	}
	/* One copy of what the backend wrote; it may go on writing. */
	uint32_t nrefs = 0, extra = 0;
	if (!pgdir_read(buf->dir, buf->dir_grefs, buf->num_dir_pages, buf->grefs, buf->num_pages,
		    &nrefs, &extra)) {
		log_error("backend-allocated buffer: the backend changed our page-directory chain");
		return false;
	}
	if (nrefs != buf->num_pages) {
		log_error("backend-allocated buffer: %u of %u grant references filled in (0 is "
			  "not a reference)",
			nrefs, buf->num_pages);
		return false;
	}
	if (extra != 0) {
		log_error("backend-allocated buffer: %u non-zero entries after the %u references "
			  "of buffer_sz %u",
			extra, buf->num_pages, buf->size);
		return false;
	}
	void *base = xengnttab_map_domain_grant_refs(
		buf->gt, buf->num_pages, buf->domid, buf->grefs, PROT_READ | PROT_WRITE);
	if (base == NULL) {
		log_error("backend-allocated buffer: mapping its %u pages from domain %u: %s",
			buf->num_pages, buf->domid, strerror(errno));
		return false;
	}
	buf->base = base;
	buf->pixels = base;
	buf->mapped = true;
	log_debug("backend-allocated buffer: mapped %u pages, first ref %u", buf->num_pages,
		buf->grefs[0]);
	return true;
}

void dbuf_build_create_req(const struct dbuf *buf, struct xendispl_req *req)
{
	memset(req, 0, sizeof(*req));
	req->operation = XENDISPL_OP_DBUF_CREATE;
	req->op.dbuf_create.dbuf_cookie = buf->cookie;
	if (buf->kind != DBUF_PRIME) {
		req->op.dbuf_create.width = buf->width;
		req->op.dbuf_create.height = buf->height;
		req->op.dbuf_create.bpp = buf->bpp;
	}
	req->op.dbuf_create.buffer_sz = buf->size;
	req->op.dbuf_create.flags = buf->kind == DBUF_BE_ALLOC ? XENDISPL_DBUF_FLG_REQ_ALLOC : 0;
	req->op.dbuf_create.gref_directory = buf->dir_grefs[0];
	req->op.dbuf_create.data_ofs = buf->data_ofs;
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
