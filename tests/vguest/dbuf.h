#ifndef VGUEST_DBUF_H
#define VGUEST_DBUF_H

#include <stdint.h>
#include <xengnttab.h>

#include "displif.h"

/*
 * A dumb buffer as xen-drm-front makes one: pitch = width * bpp / 8,
 * buffer_sz = pitch * height, data_ofs 0, pages granted to the backend and
 * listed in a chain of page-directory pages. The cookies are addresses in
 * our memory, as the kernel's are, so they are non-zero and unique while the
 * buffer lives.
 */
struct dbuf_fb {
	uint64_t cookie;
	uint32_t format;
};

struct dbuf {
	xengntshr_handle *gs;
	uint32_t width, height, bpp, pitch, size;
	uint64_t cookie;
	struct dbuf_fb fb;

	void *pixels;
	uint32_t num_pages;
	uint32_t *grefs;

	void *dir;
	uint32_t num_dir_pages;
	uint32_t *dir_grefs;
};

struct dbuf *dbuf_create(
	xengntshr_handle *gs, uint32_t domid, uint32_t width, uint32_t height, uint32_t format);
void dbuf_destroy(struct dbuf *buf);

void dbuf_build_create_req(const struct dbuf *buf, struct xendispl_req *req);
void dbuf_build_attach_req(const struct dbuf *buf, struct xendispl_req *req);

#endif
