#ifndef VGUEST_DBUF_H
#define VGUEST_DBUF_H

#include <stdbool.h>
#include <stdint.h>
#include <xengnttab.h>

#include "displif.h"

/*
 * A display buffer as xen-drm-front makes one, of three kinds:
 *
 * - DBUF_DUMB: a dumb buffer, pitch = ceil(width * bpp / 8), buffer_sz =
 *   pitch * height, data_ofs 0; our pages granted to the backend and listed
 *   in a chain of page-directory pages.
 * - DBUF_PRIME: an imported dma-buf: DBUF_CREATE says width = height = bpp
 *   = 0, buffer_sz = the whole pages' size, data_ofs = where the pixels start
 *   in the first page; the geometry comes with FB_ATTACH and the backend
 *   assumes pitch = width * bytes per pixel.
 * - DBUF_BE_ALLOC: XENDISPL_DBUF_FLG_REQ_ALLOC: we share only the directory
 *   pages, writable; the backend fills in the grant references of pages it
 *   allocated, which we map from its domain after its OK.
 *
 * YUYV needs an even width: a buffer for an odd width is one pixel wider
 * (the pattern fills the last pair). The cookies are addresses in our
 * memory, as the kernel's are, so they are non-zero and unique while the
 * buffer lives.
 */
enum dbuf_kind {
	DBUF_DUMB,
	DBUF_PRIME,
	DBUF_BE_ALLOC,
};

/* How the guest allocates buffers. */
struct dbuf_alloc {
	xengntshr_handle *gs;
	xengnttab_handle *gt; /* DBUF_BE_ALLOC: maps the backend's pages */
	uint32_t domid;       /* the backend's */
	enum dbuf_kind kind;
	uint32_t data_ofs; /* DBUF_PRIME */
};

struct dbuf_fb {
	uint64_t cookie;
	uint32_t format;
};

struct dbuf {
	xengntshr_handle *gs;
	xengnttab_handle *gt;
	uint32_t domid;
	enum dbuf_kind kind;
	uint32_t width, height, bpp, pitch;
	uint32_t size;     /* buffer_sz */
	uint32_t data_ofs; /* pixels = base + data_ofs */
	uint64_t cookie;
	struct dbuf_fb fb;

	void *base;   /* our shared pages, or the backend's mapped ones; NULL until mapped */
	void *pixels; /* the first row of the frame */
	uint32_t num_pages;
	uint32_t *grefs;
	bool mapped; /* base is a mapping of the backend's pages */

	void *dir;
	uint32_t num_dir_pages;
	uint32_t *dir_grefs;
};

/* The width of the buffer for a visible width in format (YUYV rounds up to even). */
uint32_t dbuf_width_for(uint32_t format, uint32_t width);

/* A buffer to show width x height in format; NULL (logged) on failure. */
struct dbuf *dbuf_create(
	const struct dbuf_alloc *alloc, uint32_t width, uint32_t height, uint32_t format);
/* Unmaps, unshares and frees. NULL is a no-op. */
void dbuf_destroy(struct dbuf *buf);

/*
 * DBUF_BE_ALLOC, after the backend's OK: checks the references it wrote into
 * our directory and maps its pages. false (logged) if it wrote nonsense or
 * the pages cannot be mapped.
 */
bool dbuf_map_backend_pages(struct dbuf *buf);

void dbuf_build_create_req(const struct dbuf *buf, struct xendispl_req *req);
void dbuf_build_attach_req(const struct dbuf *buf, struct xendispl_req *req);

#endif
