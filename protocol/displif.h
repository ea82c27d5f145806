#ifndef MOSAIC_PROTOCOL_DISPLIF_H
#define MOSAIC_PROTOCOL_DISPLIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/ring.h"

/*
 * displif, the backend's side: everything a guest writes (requests, ring
 * indexes, connector keys) is checked here before anyone uses it, and flip
 * events are written here. Values read from the guest are named untrusted_*
 * until a check has passed; the checked structs below are all that the
 * device code sees. A check returns 0, or the negative errno the request is
 * answered with, and then says why in text for the log (why may be NULL).
 *
 * Checks that need the device's state (is this cookie in use? which dbuf
 * is it?) take what they need of it as arguments, so that every status
 * comes from here, in the order the device asks.
 *
 * Pure: no Xen calls, no logging, no allocation.
 */

/* Linux's frontend never offers a mode larger than 4095x2047; leave room for others. */
#define DISPLIF_MAX_DIMENSION 8192u
/* A connector's resolution: what an EDID timing can describe (Linux's frontend: 4095x2047). */
#define DISPLIF_MAX_RESOLUTION 4095u
/* Linux's frontend serves up to 4 connectors per device. */
#define DISPLIF_MAX_CONNECTORS 4u
#define DISPLIF_WHY_SIZE 160

/* A checked DBUF_CREATE. */
struct displif_dbuf {
	uint64_t cookie; // never 0
	/* All zero for an import (PRIME): its geometry comes with FB_ATTACH. */
	uint32_t width, height, bpp; // else 1..DISPLIF_MAX_DIMENSION, bpp 16, 24 or 32
	uint32_t pitch;              // bytes per row, tightly packed; 0 for imports
	uint32_t data_ofs;           // < XEN_PAGE_SIZE; 0 when backend-allocated
	uint32_t gref_directory;     // the directory's first page (not checked: mapping it is)
	uint32_t nr_pages;           // grant refs the directory lists: buffer_sz in pages, >= 1
	uint64_t size;               // nr_pages pages: holds data_ofs + pitch * height
	bool backend_allocated;      // our pages, granted to the guest
};

/* A checked FB_ATTACH, against its dbuf. */
struct displif_fb {
	uint64_t cookie;        // never 0
	uint32_t width, height; // 1..DISPLIF_MAX_DIMENSION, within the dbuf
	uint32_t fourcc, bpp;   // a format of displif_format_bpp(); YUYV's width even
	uint32_t pitch;         // the dbuf's, or tightly packed for imports
};

/* A checked SET_CONFIG: disable, or show the fb from (x, y). */
struct displif_config {
	bool disable;
	uint64_t fb_cookie;
	uint32_t x, y;          // inside the fb
	uint32_t width, height; // 1..the fb's size
};

/* A checked GET_EDID. */
struct displif_edid_buffer {
	uint32_t buffer_sz; // EDID_BLOCK_SIZE..XENDISPL_EDID_MAX_SIZE
	uint32_t nr_pages;  // 1..XENDISPL_EDID_MAX_SIZE / XEN_PAGE_SIZE
	uint32_t gref_directory;
};

/* Bits per pixel of a format guests may attach (those Linux advertises); 0 for others. */
uint32_t displif_format_bpp(uint32_t fourcc);

/*
 * A cookie for a new dbuf or fb: 0 is never valid (-EINVAL). in_use says
 * whether the device already has one by that cookie (-EEXIST).
 */
int displif_check_new_cookie(uint64_t untrusted_cookie, bool in_use, uint64_t *cookie);

/*
 * DBUF_CREATE's values, after displif_check_new_cookie(): flags, geometry,
 * buffer_sz against the geometry and data_ofs (no wrap), pages. -EINVAL.
 */
int displif_check_dbuf_create(const struct xendispl_dbuf_create_req *untrusted_req,
	struct displif_dbuf *out, char *why, size_t why_size);

/*
 * FB_ATTACH's values, after displif_check_new_cookie() of fb_cookie and
 * with the dbuf that dbuf_cookie names (NULL: none, -ENOENT): the format
 * (-EINVAL), and the frame within the dbuf (-EINVAL).
 */
int displif_check_fb_attach(const struct xendispl_fb_attach_req *untrusted_req,
	const struct displif_dbuf *dbuf, struct displif_fb *out, char *why, size_t why_size);

/* SET_CONFIG disables when fb_cookie, width and height are all zero. */
bool displif_config_disables(const struct xendispl_set_config_req *untrusted_req);
/*
 * SET_CONFIG that does not disable, with the fb that fb_cookie names (NULL:
 * none, -ENOENT): the rectangle starts inside it, is no larger, and bpp is
 * the fb's (-EINVAL). The connector shows its resolution's worth from (x, y).
 */
int displif_check_set_config(const struct xendispl_set_config_req *untrusted_req,
	const struct displif_fb *fb, struct displif_config *out, char *why, size_t why_size);

/*
 * DBUF_DESTROY, FB_DETACH and PG_FLIP name a buffer the device has (found):
 * else -ENOENT, cookie 0 included. what names the request for the log.
 */
int displif_check_found(
	bool found, const char *what, uint64_t untrusted_cookie, char *why, size_t why_size);

/* GET_EDID's buffer: one EDID block fits, and no more than displif allows. -EINVAL. */
int displif_check_get_edid(const struct xendispl_get_edid_req *untrusted_req,
	struct displif_edid_buffer *out, char *why, size_t why_size);

/*
 * Buffer requests travel on connector 0's ring only (-EINVAL); unknown
 * operations are -EINVAL too.
 */
int displif_check_operation(
	uint8_t untrusted_operation, uint32_t connector, char *why, size_t why_size);

/* A request producer more than a ring ahead of our consumer is broken: -EPROTO. */
int displif_check_req_prod(const struct xen_displif_back_ring *ring, RING_IDX untrusted_prod);

/* Starts a response to req: zeroed, id and operation echoed (Linux drops it otherwise). */
void displif_response_init(struct xendispl_resp *resp, const struct xendispl_req *req);

/*
 * A connector's "resolution" key, "WxH" in strict decimal, each 1..
 * DISPLIF_MAX_RESOLUTION (so that GET_EDID can describe it); NULL (absent) or
 * anything else is -EINVAL.
 */
int displif_parse_resolution(const char *untrusted_value, uint32_t *width, uint32_t *height);

/*
 * How many connectors a device has: those with a resolution key, counted
 * from 0 up to the first missing one. None is -ENOENT; past
 * DISPLIF_MAX_CONNECTORS they are not served.
 */
int displif_check_connector_count(uint32_t untrusted_count, uint32_t *count);

/* The event page: ours to produce into, the guest's to consume from. */
struct displif_event_ring {
	struct xendispl_event_page *page; // shared: the guest writes in_cons, or anything
	uint32_t prod;                    // ours: in_prod on the page is only ever written
	uint16_t id;                      // the next event's id, from 0 per connection
};

/* Starts producing on page (mapped, 4096 bytes) at the guest's current in_prod. */
void displif_event_ring_init(struct displif_event_ring *ring, void *page);
/*
 * Writes one flip event; false if the guest has not made room for it (a
 * consumer index beyond what we produced counts as no room).
 */
bool displif_event_ring_put_flip(struct displif_event_ring *ring, uint64_t fb_cookie);

#endif
