#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <wlr/util/log.h>

#include "protocol/pgdir.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/dbuf.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/mapping.h"
#include "vm-surfaces/vm_surfaces.h"

/* Linux's frontend never offers a mode larger than 4095x2047; leave room for others. */
#define MAX_DIMENSION 8192u

static struct vm_dbuf *dbuf_find(struct vm_display *display, uint64_t cookie)
{
	struct vm_dbuf *dbuf;
	wl_list_for_each(dbuf, &display->dbufs, link) {
		if (dbuf->cookie == cookie) {
			return dbuf;
		}
	}
	return NULL;
}

struct vm_fb *vm_fb_find(struct vm_display *display, uint64_t cookie)
{
	struct vm_fb *fb;
	wl_list_for_each(fb, &display->fbs, link) {
		if (fb->cookie == cookie) {
			return fb;
		}
	}
	return NULL;
}

int32_t vm_dbuf_create(struct vm_display *display, const struct xendispl_dbuf_create_req *req)
{
	uint64_t cookie = req->dbuf_cookie;
	uint32_t width = req->width, height = req->height, bpp = req->bpp;
	uint32_t buffer_sz = req->buffer_sz, data_ofs = req->data_ofs;

	if (cookie == 0) {
		vm_display_guest_error(display, "DBUF_CREATE with cookie 0");
		return -EINVAL;
	}
	if (dbuf_find(display, cookie) != NULL) {
		vm_display_guest_error(display, "DBUF_CREATE: cookie %#llx is in use",
			(unsigned long long)cookie);
		return -EEXIST;
	}
	if (req->flags & XENDISPL_DBUF_FLG_REQ_ALLOC) {
		vm_display_guest_error(display, "DBUF_CREATE: backend allocation is not offered");
		return -EOPNOTSUPP;
	}
	if (width == 0 || height == 0 || bpp == 0) {
		vm_display_guest_error(display, "DBUF_CREATE: imported buffers are not supported");
		return -EOPNOTSUPP;
	}
	if (width > MAX_DIMENSION || height > MAX_DIMENSION ||
		(bpp != 16 && bpp != 24 && bpp != 32)) {
		vm_display_guest_error(display, "DBUF_CREATE: unsupported geometry %ux%u@%u bpp",
			width, height, bpp);
		return -EINVAL;
	}
	uint64_t pitch = ((uint64_t)width * bpp + 7) / 8;
	uint64_t frame = pitch * height;
	uint64_t nr_pages = ((uint64_t)buffer_sz + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;
	if (buffer_sz < frame || data_ofs >= XEN_PAGE_SIZE ||
		(uint64_t)data_ofs + frame > nr_pages * XEN_PAGE_SIZE) {
		vm_display_guest_error(display,
			"DBUF_CREATE: buffer_sz %u (data_ofs %u) too small for %ux%u@%u bpp", buffer_sz,
			data_ofs, width, height, bpp);
		return -EINVAL;
	}
	uint64_t size = nr_pages * XEN_PAGE_SIZE;
	if (display->mapped_bytes + size > display->surfaces->memory_budget) {
		vm_display_guest_error(display,
			"DBUF_CREATE: %llu bytes would exceed the memory budget of %llu bytes",
			(unsigned long long)size,
			(unsigned long long)display->surfaces->memory_budget);
		return -ENOMEM;
	}

	uint32_t *refs = calloc(nr_pages, sizeof(*refs));
	struct vm_dbuf *dbuf = calloc(1, sizeof(*dbuf));
	int32_t status = -ENOMEM;
	if (refs == NULL || dbuf == NULL) {
		goto out;
	}
	int err = pgdir_collect(display->surfaces->gnttab, display->domid, req->gref_directory,
		(uint32_t)nr_pages, refs);
	if (err != 0) {
		vm_display_guest_error(display,
			"DBUF_CREATE: page directory %u does not describe %llu pages",
			req->gref_directory, (unsigned long long)nr_pages);
		status = err;
		goto out;
	}
	dbuf->mapping = vm_mapping_create(display->surfaces->gnttab, display->domid, refs,
		(uint32_t)nr_pages, PROT_READ);
	if (dbuf->mapping == NULL) {
		vm_display_guest_error(display, "DBUF_CREATE: cannot map the %llu buffer pages",
			(unsigned long long)nr_pages);
		status = -EINVAL;
		goto out;
	}
	dbuf->cookie = cookie;
	dbuf->width = width;
	dbuf->height = height;
	dbuf->bpp = bpp;
	dbuf->pitch = (uint32_t)pitch;
	dbuf->data_ofs = data_ofs;
	dbuf->size = size;
	display->mapped_bytes += size;
	wl_list_insert(display->dbufs.prev, &dbuf->link);
	free(refs);
	return 0;

out:
	free(refs);
	free(dbuf);
	return status;
}

static void fb_destroy(struct vm_fb *fb)
{
	wl_list_remove(&fb->link);
	/* The scene may still show it: the mapping lives until the last lock goes. */
	wlr_buffer_drop(&fb->buffer->base);
	free(fb);
}

static void dbuf_free(struct vm_display *display, struct vm_dbuf *dbuf)
{
	struct vm_fb *fb, *tmp;
	wl_list_for_each_safe(fb, tmp, &display->fbs, link) {
		if (fb->dbuf == dbuf) {
			fb_destroy(fb);
		}
	}
	display->mapped_bytes -= dbuf->size;
	wl_list_remove(&dbuf->link);
	vm_mapping_unref(dbuf->mapping);
	free(dbuf);
}

int32_t vm_dbuf_destroy(struct vm_display *display, uint64_t cookie)
{
	struct vm_dbuf *dbuf = dbuf_find(display, cookie);
	if (dbuf == NULL) {
		vm_display_guest_error(display, "DBUF_DESTROY: unknown cookie %#llx",
			(unsigned long long)cookie);
		return -ENOENT;
	}
	dbuf_free(display, dbuf);
	return 0;
}

void vm_dbuf_destroy_all(struct vm_display *display)
{
	struct vm_dbuf *dbuf, *tmp;
	wl_list_for_each_safe(dbuf, tmp, &display->dbufs, link) {
		dbuf_free(display, dbuf);
	}
}

/* The formats the guest may attach, and what the renderer is given for each. */
static bool format_lookup(uint32_t fourcc, uint32_t *bpp, uint32_t *shown)
{
	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		/* Guest alpha is not premultiplied and often 0: show opaque. */
		*bpp = 32;
		*shown = DRM_FORMAT_XRGB8888;
		return true;
	default:
		return false;
	}
}

int32_t vm_fb_attach(struct vm_display *display, const struct xendispl_fb_attach_req *req)
{
	uint64_t fb_cookie = req->fb_cookie;
	uint32_t width = req->width, height = req->height, fourcc = req->pixel_format;
	if (fb_cookie == 0) {
		vm_display_guest_error(display, "FB_ATTACH with cookie 0");
		return -EINVAL;
	}
	if (vm_fb_find(display, fb_cookie) != NULL) {
		vm_display_guest_error(display, "FB_ATTACH: cookie %#llx is in use",
			(unsigned long long)fb_cookie);
		return -EEXIST;
	}
	struct vm_dbuf *dbuf = dbuf_find(display, req->dbuf_cookie);
	if (dbuf == NULL) {
		vm_display_guest_error(display, "FB_ATTACH: unknown dbuf %#llx",
			(unsigned long long)req->dbuf_cookie);
		return -ENOENT;
	}
	uint32_t bpp, shown;
	if (!format_lookup(fourcc, &bpp, &shown)) {
		vm_display_guest_error(display, "FB_ATTACH: unsupported format %#x", fourcc);
		return -EINVAL;
	}
	if (width == 0 || height == 0 || width > dbuf->width || height > dbuf->height ||
		bpp != dbuf->bpp) {
		vm_display_guest_error(display,
			"FB_ATTACH: %ux%u format %#x does not fit dbuf %ux%u@%u bpp", width, height,
			fourcc, dbuf->width, dbuf->height, dbuf->bpp);
		return -EINVAL;
	}
	struct vm_fb *fb = calloc(1, sizeof(*fb));
	if (fb == NULL) {
		return -ENOMEM;
	}
	fb->buffer = vm_buffer_create(dbuf->mapping, dbuf->data_ofs, (int)width, (int)height,
		dbuf->pitch, shown);
	if (fb->buffer == NULL) {
		free(fb);
		return -ENOMEM;
	}
	fb->cookie = fb_cookie;
	fb->dbuf = dbuf;
	fb->width = width;
	fb->height = height;
	fb->fourcc = fourcc;
	wl_list_insert(display->fbs.prev, &fb->link);
	return 0;
}

int32_t vm_fb_detach(struct vm_display *display, uint64_t cookie)
{
	struct vm_fb *fb = vm_fb_find(display, cookie);
	if (fb == NULL) {
		vm_display_guest_error(display, "FB_DETACH: unknown fb %#llx",
			(unsigned long long)cookie);
		return -ENOENT;
	}
	fb_destroy(fb);
	return 0;
}
