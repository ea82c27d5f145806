#ifndef MOSAIC_VM_SURFACES_DBUF_H
#define MOSAIC_VM_SURFACES_DBUF_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "protocol/ring.h"

/*
 * Display buffers (guest memory described by a page directory, or memory of
 * ours the guest maps) and the framebuffers attached to them. Each request
 * is validated here before any of its values is used; errors go back to the
 * guest as a status.
 */
struct vm_display;
struct vm_mapping;
struct vm_buffer;
struct vm_format;

struct vm_dbuf {
	uint64_t cookie;
	/* Zero for imported (PRIME) buffers: their geometry comes with FB_ATTACH. */
	uint32_t width, height, bpp;
	uint32_t pitch;
	uint32_t data_ofs;
	uint64_t size; // bytes mapped
	bool backend_allocated;
	struct vm_mapping *mapping;
	struct wl_list link;
};

struct vm_fb {
	uint64_t cookie;
	struct vm_dbuf *dbuf;
	uint32_t width, height;
	const struct vm_format *format;
	/* What the renderer reads: the guest's pages, or our converted copy. */
	struct vm_buffer *buffer;
	pixman_image_t *source; // the guest's pixels, for frames we convert
	/* An aligned copy of the guest's rows, when its pitch is not a multiple of 4. */
	void *staging;
	uint32_t pitch, staging_pitch;
	struct wl_list link;
};

int32_t vm_dbuf_create(struct vm_display *display, const struct xendispl_dbuf_create_req *req);
int32_t vm_dbuf_destroy(struct vm_display *display, uint64_t cookie);
int32_t vm_fb_attach(struct vm_display *display, const struct xendispl_fb_attach_req *req);
int32_t vm_fb_detach(struct vm_display *display, uint64_t cookie);
struct vm_fb *vm_fb_find(struct vm_display *display, uint64_t cookie);
/* The guest finished a frame in fb: bring our copy up to date, if we keep one. */
void vm_fb_refresh(struct vm_display *display, struct vm_fb *fb);
/* Drops every buffer of the display (disconnect). */
void vm_dbuf_destroy_all(struct vm_display *display);

#endif
