#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <wlr/util/log.h>

#include "protocol/pgdir.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/dbuf.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/format.h"
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

/* Checks the request's numbers; fills pitch and the page count. 0 or -errno. */
static int32_t check_geometry(struct vm_display *display,
	const struct xendispl_dbuf_create_req *req, uint32_t *pitch, uint64_t *nr_pages)
{
	uint32_t width = req->width, height = req->height, bpp = req->bpp;
	bool imported = width == 0 && height == 0 && bpp == 0;
	if (!imported && (width == 0 || height == 0 || width > MAX_DIMENSION ||
				 height > MAX_DIMENSION || (bpp != 16 && bpp != 24 && bpp != 32))) {
		vm_display_guest_error(display, "DBUF_CREATE: unsupported geometry %ux%u@%u bpp",
			width, height, bpp);
		return -EINVAL;
	}
	uint64_t p = ((uint64_t)width * bpp + 7) / 8;
	uint64_t frame = p * height;
	uint64_t pages = ((uint64_t)req->buffer_sz + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;
	/* Imported buffers start data_ofs into their first page, and may not be empty. */
	if (req->buffer_sz == 0 || req->buffer_sz < frame || req->data_ofs >= XEN_PAGE_SIZE ||
		(uint64_t)req->data_ofs + frame > pages * XEN_PAGE_SIZE) {
		vm_display_guest_error(display,
			"DBUF_CREATE: buffer_sz %u (data_ofs %u) too small for %ux%u@%u bpp",
			req->buffer_sz, req->data_ofs, width, height, bpp);
		return -EINVAL;
	}
	uint64_t size = pages * XEN_PAGE_SIZE;
	if (display->mapped_bytes + size > display->surfaces->memory_budget) {
		vm_display_guest_error(display,
			"DBUF_CREATE: %llu bytes would exceed the guest's memory budget of %llu",
			(unsigned long long)size,
			(unsigned long long)display->surfaces->memory_budget);
		return -ENOMEM;
	}
	*pitch = (uint32_t)p;
	*nr_pages = pages;
	return 0;
}

/* Maps the pages the guest listed in its page directory. */
static int32_t map_guest_pages(struct vm_display *display,
	const struct xendispl_dbuf_create_req *req, uint32_t nr_pages, uint32_t *refs,
	struct vm_mapping **mapping)
{
	int err = pgdir_collect(display->surfaces->gnttab, display->domid, req->gref_directory,
		nr_pages, refs);
	if (err != 0) {
		vm_display_guest_error(display,
			"DBUF_CREATE: page directory %u does not describe %u pages",
			req->gref_directory, nr_pages);
		return err;
	}
	*mapping = vm_mapping_create(display->surfaces->gnttab, display->domid, refs, nr_pages,
		PROT_READ);
	if (*mapping == NULL) {
		vm_display_guest_error(display, "DBUF_CREATE: cannot map the %u buffer pages",
			nr_pages);
		return -EINVAL;
	}
	return 0;
}

/* Backend allocation: our pages, granted to the guest, listed in its directory. */
static int32_t share_own_pages(struct vm_display *display,
	const struct xendispl_dbuf_create_req *req, uint32_t nr_pages, uint32_t *refs,
	struct vm_mapping **mapping)
{
	struct vm_surfaces *surfaces = display->surfaces;
	if (surfaces->gntshr == NULL) {
		vm_display_guest_error(display,
			"DBUF_CREATE: backend allocation unavailable (no grant-sharing device)");
		return -EOPNOTSUPP;
	}
	*mapping = vm_mapping_create_shared(surfaces->gntshr, display->domid, nr_pages, refs);
	if (*mapping == NULL) {
		wlr_log_errno(WLR_ERROR, "Cannot share %u pages with domain %u", nr_pages,
			display->domid);
		return -ENOMEM;
	}
	int err = pgdir_fill(surfaces->gnttab, display->domid, req->gref_directory, nr_pages,
		refs);
	if (err != 0) {
		vm_display_guest_error(display,
			"DBUF_CREATE: page directory %u cannot hold %u refs", req->gref_directory,
			nr_pages);
		vm_mapping_unref(*mapping);
		*mapping = NULL;
		return err;
	}
	return 0;
}

int32_t vm_dbuf_create(struct vm_display *display, const struct xendispl_dbuf_create_req *req)
{
	uint64_t cookie = req->dbuf_cookie;
	if (cookie == 0) {
		vm_display_guest_error(display, "DBUF_CREATE with cookie 0");
		return -EINVAL;
	}
	if (dbuf_find(display, cookie) != NULL) {
		vm_display_guest_error(display, "DBUF_CREATE: cookie %#llx is in use",
			(unsigned long long)cookie);
		return -EEXIST;
	}
	if (req->flags & ~(uint32_t)XENDISPL_DBUF_FLG_REQ_ALLOC) {
		vm_display_guest_error(display, "DBUF_CREATE: unknown flags %#x", req->flags);
		return -EINVAL;
	}
	bool backend_allocated = req->flags & XENDISPL_DBUF_FLG_REQ_ALLOC;
	if (backend_allocated && (req->width == 0 || req->data_ofs != 0)) {
		vm_display_guest_error(display,
			"DBUF_CREATE: backend allocation needs a geometry and no offset");
		return -EINVAL;
	}
	uint32_t pitch;
	uint64_t nr_pages;
	int32_t status = check_geometry(display, req, &pitch, &nr_pages);
	if (status != 0) {
		return status;
	}

	uint32_t *refs = calloc(nr_pages, sizeof(*refs));
	struct vm_dbuf *dbuf = calloc(1, sizeof(*dbuf));
	if (refs == NULL || dbuf == NULL) {
		status = -ENOMEM;
		goto out;
	}
	status = backend_allocated ?
		share_own_pages(display, req, (uint32_t)nr_pages, refs, &dbuf->mapping) :
		map_guest_pages(display, req, (uint32_t)nr_pages, refs, &dbuf->mapping);
	if (status != 0) {
		goto out;
	}
	dbuf->cookie = cookie;
	dbuf->width = req->width;
	dbuf->height = req->height;
	dbuf->bpp = req->bpp;
	dbuf->pitch = pitch;
	dbuf->data_ofs = req->data_ofs;
	dbuf->size = nr_pages * XEN_PAGE_SIZE;
	dbuf->backend_allocated = backend_allocated;
	display->mapped_bytes += dbuf->size;
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
	if (fb->source != NULL) {
		pixman_image_unref(fb->source);
	}
	free(fb->staging);
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

/* Where in the dbuf the frame lives, and whether it fits. */
static bool fb_fits(const struct vm_dbuf *dbuf, const struct vm_format *format, uint32_t width,
	uint32_t height, uint32_t *pitch)
{
	if (width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
		return false;
	}
	if (dbuf->width == 0) {
		/* Imported buffers do not tell their pitch: Linux's are tightly packed. */
		uint64_t p = ((uint64_t)width * format->bpp + 7) / 8;
		if ((uint64_t)dbuf->data_ofs + p * height > dbuf->size) {
			return false;
		}
		*pitch = (uint32_t)p;
		return true;
	}
	*pitch = dbuf->pitch;
	return format->bpp == dbuf->bpp && width <= dbuf->width && height <= dbuf->height;
}

int32_t vm_fb_attach(struct vm_display *display, const struct xendispl_fb_attach_req *req)
{
	uint64_t fb_cookie = req->fb_cookie;
	uint32_t width = req->width, height = req->height;
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
	const struct vm_format *format = vm_format_lookup(req->pixel_format);
	if (format == NULL) {
		vm_display_guest_error(display, "FB_ATTACH: unsupported format %#x",
			req->pixel_format);
		return -EINVAL;
	}
	uint32_t pitch;
	if (!fb_fits(dbuf, format, width, height, &pitch) ||
		(req->pixel_format == DRM_FORMAT_YUYV && width % 2 != 0)) {
		vm_display_guest_error(display,
			"FB_ATTACH: %ux%u %s does not fit dbuf %ux%u@%u bpp (%llu bytes)", width,
			height, format->name, dbuf->width, dbuf->height, dbuf->bpp,
			(unsigned long long)dbuf->size);
		return -EINVAL;
	}

	struct vm_fb *fb = calloc(1, sizeof(*fb));
	if (fb == NULL) {
		return -ENOMEM;
	}
	void *pixels = (char *)dbuf->mapping->addr + dbuf->data_ofs;
	if (format->direct && pitch % 4 == 0) {
		fb->buffer = vm_buffer_create(dbuf->mapping, dbuf->data_ofs, (int)width,
			(int)height, pitch, format->shown);
	} else {
		uint32_t source_pitch = pitch;
		if (pitch % 4 != 0) {
			/* pixman reads rows at 4-byte multiples only: copy them first. */
			fb->staging_pitch = (pitch + 3) & ~3u;
			fb->staging = malloc((size_t)fb->staging_pitch * height);
			pixels = fb->staging;
			source_pitch = fb->staging_pitch;
		}
		if (pixels != NULL) {
			fb->source = pixman_image_create_bits_no_clear(format->pixman, (int)width,
				(int)height, pixels, (int)source_pitch);
		}
		fb->buffer = vm_buffer_create_memory((int)width, (int)height, DRM_FORMAT_XRGB8888);
	}
	bool converted = !(format->direct && pitch % 4 == 0);
	if (fb->buffer == NULL || (converted && fb->source == NULL)) {
		if (fb->buffer != NULL) {
			wlr_buffer_drop(&fb->buffer->base);
		}
		if (fb->source != NULL) {
			pixman_image_unref(fb->source);
		}
		free(fb->staging);
		free(fb);
		return -ENOMEM;
	}
	fb->pitch = pitch;
	fb->cookie = fb_cookie;
	fb->dbuf = dbuf;
	fb->width = width;
	fb->height = height;
	fb->format = format;
	wl_list_insert(display->fbs.prev, &fb->link);
	return 0;
}

void vm_fb_refresh(struct vm_display *display, struct vm_fb *fb)
{
	if (fb->source == NULL) {
		return;
	}
	/*
	 * displif says nothing of what changed: convert the whole frame. A
	 * fresh wlr_buffer per frame is not needed: the pixman renderer reads
	 * our memory when it draws. But a frame being drawn (on the
	 * composition thread) may read the picture a connector shows now:
	 * a guest flipping to the framebuffer already shown gets a new one,
	 * and the old stays whole until nothing holds it.
	 */
	struct vm_connector *connector;
	wl_list_for_each(connector, &display->connectors, link) {
		if (connector->buffer != &fb->buffer->base) {
			continue;
		}
		struct vm_buffer *fresh = vm_buffer_create_memory(
			(int)fb->width, (int)fb->height, DRM_FORMAT_XRGB8888);
		if (fresh != NULL) {
			wlr_buffer_drop(&fb->buffer->base);
			fb->buffer = fresh;
		}
		break;
	}
	if (fb->staging != NULL) {
		const uint8_t *src = (const uint8_t *)fb->dbuf->mapping->addr + fb->dbuf->data_ofs;
		size_t row = ((size_t)fb->width * fb->format->bpp + 7) / 8;
		for (uint32_t y = 0; y < fb->height; y++) {
			memcpy((uint8_t *)fb->staging + (size_t)y * fb->staging_pitch,
				src + (size_t)y * fb->pitch, row);
		}
	}
	pixman_image_t *dest = pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8,
		(int)fb->width, (int)fb->height, fb->buffer->data, (int)fb->buffer->stride);
	if (dest == NULL) {
		return;
	}
	pixman_image_composite32(PIXMAN_OP_SRC, fb->source, NULL, dest, 0, 0, 0, 0, 0, 0,
		(int)fb->width, (int)fb->height);
	pixman_image_unref(dest);
	display->bytes_converted += (uint64_t)fb->width * fb->height * 4;
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
