#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "protocol/displif.h"
#include "protocol/edid.h"
#include "protocol/xs_value.h"

static void say(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t why_size, const char *fmt, ...)
{
	if (why == NULL || why_size == 0) {
		return;
	}
	va_list args;
	va_start(args, fmt);
	vsnprintf(why, why_size, fmt, args);
	va_end(args);
}

/* DRM's fourcc codes, as displif carries them (drm_fourcc.h's, without libdrm). */
#define FOURCC(a, b, c, d)                                                                         \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define FORMAT_YUYV FOURCC('Y', 'U', 'Y', 'V')

uint32_t displif_format_bpp(uint32_t fourcc)
{
	switch (fourcc) {
	case FOURCC('X', 'R', '2', '4'): // XRGB8888
	case FOURCC('A', 'R', '2', '4'): // ARGB8888
		return 32;
	case FOURCC('R', 'G', '2', '4'): // RGB888
		return 24;
	case FOURCC('R', 'G', '1', '6'): // RGB565
	case FOURCC('X', 'R', '1', '2'): // XRGB4444
	case FOURCC('A', 'R', '1', '2'): // ARGB4444
	case FOURCC('X', 'R', '1', '5'): // XRGB1555
	case FOURCC('A', 'R', '1', '5'): // ARGB1555
	case FORMAT_YUYV:
		return 16;
	default:
		return 0;
	}
}

static uint64_t packed_pitch(uint32_t width, uint32_t bpp)
{
	return ((uint64_t)width * bpp + 7) / 8;
}

int displif_check_new_cookie(uint64_t untrusted_cookie, bool in_use, uint64_t *cookie)
{
	if (untrusted_cookie == 0) {
		return -EINVAL;
	}
	if (in_use) {
		return -EEXIST;
	}
	*cookie = untrusted_cookie;
	return 0;
}

/* The geometry and the buffer it lives in; all numbers widened, so nothing wraps. */
static int check_dbuf_geometry(const struct xendispl_dbuf_create_req *untrusted_req,
	struct displif_dbuf *out, char *why, size_t why_size)
{
	uint32_t width = untrusted_req->width, height = untrusted_req->height;
	uint32_t bpp = untrusted_req->bpp, buffer_sz = untrusted_req->buffer_sz;
	uint32_t data_ofs = untrusted_req->data_ofs;
	bool imported = width == 0 && height == 0 && bpp == 0;
	if (!imported &&
		(width == 0 || height == 0 || width > DISPLIF_MAX_DIMENSION ||
			height > DISPLIF_MAX_DIMENSION || (bpp != 16 && bpp != 24 && bpp != 32))) {
		say(why, why_size, "DBUF_CREATE: unsupported geometry %ux%u@%u bpp", width, height,
			bpp);
		return -EINVAL;
	}
	uint64_t pitch = packed_pitch(width, bpp);
	uint64_t frame = pitch * height;
	uint64_t pages = ((uint64_t)buffer_sz + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;
	/* Imported buffers start data_ofs into their first page, and may not be empty. */
	if (buffer_sz == 0 || buffer_sz < frame || data_ofs >= XEN_PAGE_SIZE ||
		(uint64_t)data_ofs + frame > pages * XEN_PAGE_SIZE) {
		say(why, why_size,
			"DBUF_CREATE: buffer_sz %u (data_ofs %u) too small for %ux%u@%u bpp",
			buffer_sz, data_ofs, width, height, bpp);
		return -EINVAL;
	}
	out->width = width;
	out->height = height;
	out->bpp = bpp;
	out->pitch = (uint32_t)pitch;
	out->data_ofs = data_ofs;
	out->nr_pages = (uint32_t)pages;
	out->size = pages * XEN_PAGE_SIZE;
	return 0;
}

int displif_check_dbuf_create(const struct xendispl_dbuf_create_req *untrusted_req,
	struct displif_dbuf *out, char *why, size_t why_size)
{
	struct displif_dbuf dbuf = {0};
	if (untrusted_req->dbuf_cookie == 0) {
		say(why, why_size, "DBUF_CREATE with cookie 0");
		return -EINVAL;
	}
	uint32_t flags = untrusted_req->flags;
	if (flags & ~(uint32_t)XENDISPL_DBUF_FLG_REQ_ALLOC) {
		say(why, why_size, "DBUF_CREATE: unknown flags %#x", flags);
		return -EINVAL;
	}
	dbuf.backend_allocated = flags & XENDISPL_DBUF_FLG_REQ_ALLOC;
	if (dbuf.backend_allocated && (untrusted_req->width == 0 || untrusted_req->data_ofs != 0)) {
		say(why, why_size,
			"DBUF_CREATE: backend allocation needs a geometry and no offset");
		return -EINVAL;
	}
	int err = check_dbuf_geometry(untrusted_req, &dbuf, why, why_size);
	if (err != 0) {
		return err;
	}
	dbuf.cookie = untrusted_req->dbuf_cookie;
	dbuf.gref_directory = untrusted_req->gref_directory;
	*out = dbuf;
	return 0;
}

/* Where in the dbuf the frame lives, and whether it fits. */
static bool fb_fits(const struct displif_dbuf *dbuf, uint32_t bpp, uint32_t width, uint32_t height,
	uint32_t *pitch)
{
	if (width == 0 || height == 0 || width > DISPLIF_MAX_DIMENSION ||
		height > DISPLIF_MAX_DIMENSION) {
		return false;
	}
	if (dbuf->width == 0) {
		/* Imported buffers do not tell their pitch: Linux's are tightly packed. */
		uint64_t p = packed_pitch(width, bpp);
		if ((uint64_t)dbuf->data_ofs + p * height > dbuf->size) {
			return false;
		}
		*pitch = (uint32_t)p;
		return true;
	}
	*pitch = dbuf->pitch;
	return bpp == dbuf->bpp && width <= dbuf->width && height <= dbuf->height;
}

int displif_check_fb_attach(const struct xendispl_fb_attach_req *untrusted_req,
	const struct displif_dbuf *dbuf, struct displif_fb *out, char *why, size_t why_size)
{
	if (untrusted_req->fb_cookie == 0) {
		say(why, why_size, "FB_ATTACH with cookie 0");
		return -EINVAL;
	}
	if (dbuf == NULL) {
		say(why, why_size, "FB_ATTACH: unknown dbuf %#llx",
			(unsigned long long)untrusted_req->dbuf_cookie);
		return -ENOENT;
	}
	uint32_t fourcc = untrusted_req->pixel_format;
	uint32_t bpp = displif_format_bpp(fourcc);
	if (bpp == 0) {
		say(why, why_size, "FB_ATTACH: unsupported format %#x", fourcc);
		return -EINVAL;
	}
	uint32_t width = untrusted_req->width, height = untrusted_req->height, pitch;
	if (!fb_fits(dbuf, bpp, width, height, &pitch) ||
		(fourcc == FORMAT_YUYV && width % 2 != 0)) {
		say(why, why_size,
			"FB_ATTACH: %ux%u %.4s does not fit dbuf %ux%u@%u bpp (%llu bytes)", width,
			height, (const char *)&fourcc, dbuf->width, dbuf->height, dbuf->bpp,
			(unsigned long long)dbuf->size);
		return -EINVAL;
	}
	*out = (struct displif_fb){
		.cookie = untrusted_req->fb_cookie,
		.width = width,
		.height = height,
		.fourcc = fourcc,
		.bpp = bpp,
		.pitch = pitch,
	};
	return 0;
}

bool displif_config_disables(const struct xendispl_set_config_req *untrusted_req)
{
	return untrusted_req->fb_cookie == 0 && untrusted_req->width == 0 &&
	       untrusted_req->height == 0;
}

int displif_check_set_config(const struct xendispl_set_config_req *untrusted_req,
	const struct displif_fb *fb, struct displif_config *out, char *why, size_t why_size)
{
	if (displif_config_disables(untrusted_req)) {
		/* The frontend expects no flip event for it. */
		*out = (struct displif_config){.disable = true};
		return 0;
	}
	if (fb == NULL) {
		say(why, why_size, "SET_CONFIG: unknown fb %#llx",
			(unsigned long long)untrusted_req->fb_cookie);
		return -ENOENT;
	}
	/*
	 * Linux's frontend sends the framebuffer's size and the scan-out
	 * offset into it (one framebuffer may serve several connectors), not
	 * the mode, and the framebuffer format's bits per pixel.
	 */
	uint32_t x = untrusted_req->x, y = untrusted_req->y;
	uint32_t width = untrusted_req->width, height = untrusted_req->height;
	uint32_t bpp = untrusted_req->bpp;
	if (width == 0 || height == 0 || width > fb->width || height > fb->height ||
		x >= fb->width || y >= fb->height || bpp != fb->bpp) {
		say(why, why_size, "SET_CONFIG: %ux%u+%u+%u@%u bpp does not fit fb %ux%u@%u bpp",
			width, height, x, y, bpp, fb->width, fb->height, fb->bpp);
		return -EINVAL;
	}
	*out = (struct displif_config){
		.fb_cookie = fb->cookie,
		.x = x,
		.y = y,
		.width = width,
		.height = height,
	};
	return 0;
}

int displif_check_found(
	bool found, const char *what, uint64_t untrusted_cookie, char *why, size_t why_size)
{
	if (!found) {
		say(why, why_size, "%s %#llx", what, (unsigned long long)untrusted_cookie);
		return -ENOENT;
	}
	return 0;
}

int displif_check_get_edid(const struct xendispl_get_edid_req *untrusted_req,
	struct displif_edid_buffer *out, char *why, size_t why_size)
{
	uint32_t buffer_sz = untrusted_req->buffer_sz;
	if (buffer_sz < EDID_BLOCK_SIZE || buffer_sz > XENDISPL_EDID_MAX_SIZE) {
		say(why, why_size, "GET_EDID: buffer of %u bytes", buffer_sz);
		return -EINVAL;
	}
	out->buffer_sz = buffer_sz;
	out->nr_pages = (buffer_sz + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;
	out->gref_directory = untrusted_req->gref_directory;
	return 0;
}

static bool is_buffer_request(uint8_t operation)
{
	return operation == XENDISPL_OP_DBUF_CREATE || operation == XENDISPL_OP_DBUF_DESTROY ||
	       operation == XENDISPL_OP_FB_ATTACH || operation == XENDISPL_OP_FB_DETACH;
}

int displif_check_operation(
	uint8_t untrusted_operation, uint32_t connector, char *why, size_t why_size)
{
	if (is_buffer_request(untrusted_operation) && connector != 0) {
		/* displif: buffers are a device's, and travel on connector 0's ring. */
		say(why, why_size, "operation %#x on connector %u's ring", untrusted_operation,
			connector);
		return -EINVAL;
	}
	if (untrusted_operation < XENDISPL_OP_DBUF_CREATE ||
		untrusted_operation > XENDISPL_OP_GET_EDID) {
		say(why, why_size, "unknown operation %#x", untrusted_operation);
		return -EINVAL;
	}
	return 0;
}

int displif_check_req_prod(const struct xen_displif_back_ring *ring, RING_IDX untrusted_prod)
{
	/* A producer more than a ring ahead is broken; Linux backends give up too. */
	if (RING_REQUEST_PROD_OVERFLOW(ring, untrusted_prod)) {
		return -EPROTO;
	}
	return 0;
}

void displif_response_init(struct xendispl_resp *resp, const struct xendispl_req *req)
{
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	resp->operation = req->operation;
}

int displif_parse_resolution(const char *untrusted_value, uint32_t *width, uint32_t *height)
{
	char w[16], h[16];
	const char *x = untrusted_value != NULL ? strchr(untrusted_value, 'x') : NULL;
	if (x == NULL || x == untrusted_value || (size_t)(x - untrusted_value) >= sizeof(w) ||
		strlen(x + 1) >= sizeof(h)) {
		return -EINVAL;
	}
	memcpy(w, untrusted_value, (size_t)(x - untrusted_value));
	w[x - untrusted_value] = '\0';
	strcpy(h, x + 1);
	uint32_t pw, ph;
	if (xs_value_parse_u32(w, DISPLIF_MAX_RESOLUTION, &pw) != 0 ||
		xs_value_parse_u32(h, DISPLIF_MAX_RESOLUTION, &ph) != 0 || pw == 0 || ph == 0) {
		return -EINVAL;
	}
	*width = pw;
	*height = ph;
	return 0;
}

int displif_check_connector_count(uint32_t untrusted_count, uint32_t *count)
{
	if (untrusted_count == 0) {
		return -ENOENT;
	}
	*count =
		untrusted_count < DISPLIF_MAX_CONNECTORS ? untrusted_count : DISPLIF_MAX_CONNECTORS;
	return 0;
}

void displif_event_ring_init(struct displif_event_ring *ring, void *page)
{
	ring->page = page;
	/* Our producer index is private: the page is shared and guest-writable. */
	ring->prod = READ_ONCE(ring->page->in_prod);
	ring->id = 0;
}

bool displif_event_ring_put_flip(struct displif_event_ring *ring, uint64_t fb_cookie)
{
	struct xendispl_event_page *page = ring->page;
	uint32_t untrusted_cons = READ_ONCE(page->in_cons);
	rmb();
	/* in_cons is the guest's: a value beyond what we produced is treated as full. */
	if (ring->prod - untrusted_cons >= XENDISPL_IN_RING_LEN) {
		return false;
	}
	/*
	 * The index wraps at 2^32, which the ring's length does not divide: the
	 * first slots after the wrap are those of the last before it. Go past
	 * the wrap only once everything before it is consumed.
	 */
	if (ring->prod == 0 && untrusted_cons != 0) {
		return false;
	}
	struct xendispl_evt *evt = &XENDISPL_IN_RING_REF(page, ring->prod);
	memset(evt, 0, sizeof(*evt));
	evt->id = ring->id++;
	evt->type = XENDISPL_EVT_PG_FLIP;
	evt->op.pg_flip.fb_cookie = fb_cookie;
	wmb();
	ring->prod++;
	WRITE_ONCE(page->in_prod, ring->prod);
	return true;
}
