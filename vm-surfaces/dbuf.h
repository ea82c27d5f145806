#ifndef MOSAIC_VM_SURFACES_DBUF_H
#define MOSAIC_VM_SURFACES_DBUF_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "protocol/displif.h"

/*
 * A device's display buffers (guest memory described by a page directory,
 * or memory of ours the guest maps) and the framebuffers attached to them.
 * The request handlers take the guest's request as it came; protocol/displif
 * checks every value before it is used, and errors go back to the guest as
 * a status.
 */
struct vm_host;
struct vm_guest_log;
struct vm_mapping;
struct vm_buffer;
struct vm_format;

struct vm_dbuf {
	struct displif_dbuf desc; // checked
	struct vm_mapping *mapping;
	struct wl_list link;
};

struct vm_fb {
	struct displif_fb desc; // checked
	struct vm_dbuf *dbuf;
	const struct vm_format *format;
	/* What the renderer reads: the guest's pages, or our converted copy. */
	struct vm_buffer *buffer;
	pixman_image_t *source; // the guest's pixels, for frames we convert
	/* An aligned copy of the guest's rows, when its pitch is not a multiple of 4. */
	void *staging;
	uint32_t staging_pitch;
	struct wl_list link;
};

/* One device's buffers. */
struct vm_dbufs {
	const struct vm_host *host;
	struct vm_guest_log *log;
	uint32_t domid;
	struct wl_list dbufs; // vm_dbuf.link
	struct wl_list fbs;   // vm_fb.link
	struct wl_list creating; // DBUF_CREATEs whose pages are being mapped (dbuf.c)
	bool be_alloc; // the toolstack allows backend allocation (be-alloc = 1)
	/* What the guest makes us hold, while it is held (budget.h); NULL when out of memory. */
	struct vm_budget *budget;
	uint32_t fb_count;
	uint64_t bytes_converted; // by formats the renderer cannot read in place
};

/* Framebuffers one device may have attached at once: Linux's frontend uses two per connector. */
#define VM_DBUFS_MAX_FBS 64

/* false when out of memory. */
bool vm_dbufs_init(struct vm_dbufs *dbufs, const struct vm_host *host, struct vm_guest_log *log,
	uint32_t domid);
/*
 * Drops every buffer (disconnect), and buffers being made (never answered);
 * what the scene still holds stays charged until it lets go.
 */
void vm_dbufs_finish(struct vm_dbufs *dbufs);
/* The device goes: finish, and its budget lives on only as long as what is charged to it. */
void vm_dbufs_release(struct vm_dbufs *dbufs);

/* Request handlers: 0 or the negative errno the guest is answered with. */

/* DBUF_CREATE's answer comes later, through created(data, status). */
#define VM_DBUFS_LATER 1
typedef void (*vm_dbufs_created_func_t)(void *data, int32_t status);
/*
 * With the host's mapper, the guest's pages are mapped on its thread: the
 * request is answered when they are (VM_DBUFS_LATER), unless the device goes
 * first. Meanwhile its cookie is taken and nothing else can use the buffer.
 */
int32_t vm_dbufs_handle_create(struct vm_dbufs *dbufs,
	const struct xendispl_dbuf_create_req *untrusted_req, vm_dbufs_created_func_t created,
	void *data);
int32_t vm_dbufs_handle_destroy(struct vm_dbufs *dbufs, uint64_t untrusted_cookie);
int32_t vm_dbufs_handle_fb_attach(
	struct vm_dbufs *dbufs, const struct xendispl_fb_attach_req *untrusted_req);
int32_t vm_dbufs_handle_fb_detach(struct vm_dbufs *dbufs, uint64_t untrusted_cookie);

/* NULL if the device has no fb by that cookie. */
struct vm_fb *vm_dbufs_find_fb(struct vm_dbufs *dbufs, uint64_t cookie);
/*
 * The guest finished a frame in fb: our copy of it is brought up to date
 * in slices, vm_dbufs_convert_rows() for each after vm_dbufs_convert_begin()
 * (if we keep a copy: false if not, or if it must wait). shown: a connector
 * shows the fb's buffer now (a frame being drawn may still read it).
 */
bool vm_dbufs_convert_begin(struct vm_dbufs *dbufs, struct vm_fb *fb, bool shown);
/* Converts rows [y, y + rows) of fb's frame (as far as the fb goes). */
void vm_dbufs_convert_rows(struct vm_dbufs *dbufs, struct vm_fb *fb, uint32_t y, uint32_t rows);

#endif
