/*
 * displif's checks, one by one: each accepts what Linux's frontend sends
 * and rejects the rest with the status the guest is answered with, at the
 * boundaries (sizes that overflow 32 bits, offsets that wrap, grant-ref
 * counts, zero geometry, formats, rectangles, ring indexes, resolution
 * strings), and the flip event writer never overwrites an unconsumed event.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "protocol/displif.h"
#include "protocol/edid.h"

static struct xendispl_dbuf_create_req dbuf_req(
	uint32_t width, uint32_t height, uint32_t bpp, uint32_t buffer_sz, uint32_t data_ofs)
{
	return (struct xendispl_dbuf_create_req){
		.dbuf_cookie = 0x1000,
		.width = width,
		.height = height,
		.bpp = bpp,
		.buffer_sz = buffer_sz,
		.data_ofs = data_ofs,
		.gref_directory = 77,
	};
}

static int create(struct xendispl_dbuf_create_req req, struct displif_dbuf *out)
{
	char why[DISPLIF_WHY_SIZE] = "";
	int err = displif_check_dbuf_create(&req, out, why, sizeof(why));
	CHECK_MSG((err == 0) == (why[0] == '\0'), "status %d, why \"%s\"", err, why);
	return err;
}

static void test_formats(void)
{
	CHECK_INT(displif_format_bpp(DRM_FORMAT_XRGB8888), 32);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_ARGB8888), 32);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_RGB888), 24);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_RGB565), 16);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_XRGB4444), 16);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_ARGB4444), 16);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_XRGB1555), 16);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_ARGB1555), 16);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_YUYV), 16);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_NV12), 0);
	CHECK_INT(displif_format_bpp(DRM_FORMAT_XBGR8888), 0);
	CHECK_INT(displif_format_bpp(0), 0);
}

static void test_cookies(void)
{
	uint64_t cookie = 5;
	CHECK_INT(displif_check_new_cookie(0, false, &cookie), -EINVAL);
	CHECK_INT(displif_check_new_cookie(0, true, &cookie), -EINVAL); // 0 first, as before
	CHECK_INT(displif_check_new_cookie(9, true, &cookie), -EEXIST);
	CHECK_INT(cookie, 5);
	CHECK_INT(displif_check_new_cookie(UINT64_MAX, false, &cookie), 0);
	CHECK(cookie == UINT64_MAX);

	char why[DISPLIF_WHY_SIZE];
	CHECK_INT(
		displif_check_found(false, "FB_DETACH: unknown fb", 0, why, sizeof(why)), -ENOENT);
	CHECK_STR(why, "FB_DETACH: unknown fb 0");
	CHECK_INT(displif_check_found(false, "PG_FLIP: unknown fb", 0xab, NULL, 0), -ENOENT);
	CHECK_INT(displif_check_found(true, "PG_FLIP: unknown fb", 0xab, why, sizeof(why)), 0);
}

static void test_dbuf_create(void)
{
	struct displif_dbuf d;
	/* Linux's dumb 1080p XRGB8888 buffer: 2025 grant refs. */
	CHECK_INT(create(dbuf_req(1920, 1080, 32, 1920 * 1080 * 4, 0), &d), 0);
	CHECK(d.cookie == 0x1000 && d.width == 1920 && d.height == 1080 && d.bpp == 32);
	CHECK_INT(d.pitch, 7680);
	CHECK_INT(d.nr_pages, 2025);
	CHECK(d.size == 2025ull * 4096);
	CHECK_INT(d.gref_directory, 77);
	CHECK(!d.backend_allocated);
	/* Rows are packed: 641 pixels of 24 bits are 1923 bytes; one page more for a partial one.
	 */
	CHECK_INT(create(dbuf_req(641, 3, 24, 1923 * 3, 0), &d), 0);
	CHECK_INT(d.pitch, 1923);
	CHECK_INT(d.nr_pages, 2);
	/* The largest sizes, and one more. */
	CHECK_INT(create(dbuf_req(8192, 8192, 32, 8192u * 8192 * 4, 0), &d), 0);
	CHECK_INT(d.nr_pages, 65536);
	CHECK_INT(create(dbuf_req(8193, 1, 32, 8193 * 4, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 8193, 32, 8193 * 4, 0), &d), -EINVAL);
	/* buffer_sz's largest: the page count does not wrap. */
	CHECK_INT(create(dbuf_req(1, 1, 32, UINT32_MAX, 0), &d), 0);
	CHECK_INT(d.nr_pages, 1048576);
	CHECK(d.size == 1048576ull * 4096);

	/* A frame of 8192x8192x32 is 2^31 bits: computed wide, a byte short is short. */
	CHECK_INT(create(dbuf_req(8192, 8192, 32, 8192u * 8192 * 4 - 1, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1920, 1080, 32, 1920 * 1080 * 4 - 1, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1920, 1080, 32, 0, 0), &d), -EINVAL);

	/* Offsets: the frame must fit the pages after data_ofs; data_ofs stays in page 0. */
	CHECK_INT(create(dbuf_req(1024, 1, 32, 4096, 1), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1000, 1, 32, 4000, 96), &d), 0);
	CHECK_INT(d.data_ofs, 96);
	CHECK_INT(create(dbuf_req(1000, 1, 32, 4000, 97), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 32, 4, 4096), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 32, 4, UINT32_MAX), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 32, UINT32_MAX, UINT32_MAX), &d), -EINVAL);

	/* Geometry: all zero is an import; partly zero is not anything. */
	CHECK_INT(create(dbuf_req(0, 0, 0, 8192, 100), &d), 0);
	CHECK(d.width == 0 && d.height == 0 && d.bpp == 0 && d.pitch == 0);
	CHECK_INT(d.nr_pages, 2);
	CHECK_INT(d.data_ofs, 100);
	CHECK_INT(create(dbuf_req(0, 0, 0, 1, 4095), &d), 0);
	CHECK_INT(create(dbuf_req(0, 0, 0, 0, 0), &d), -EINVAL); // empty
	CHECK_INT(create(dbuf_req(0, 0, 0, 4096, 4096), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(0, 1, 32, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 0, 32, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 0, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(0, 0, 32, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 8, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 15, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 64, 4096, 0), &d), -EINVAL);
	CHECK_INT(create(dbuf_req(1, 1, 16, 4096, 0), &d), 0);

	/* Cookie and flags. */
	struct xendispl_dbuf_create_req req = dbuf_req(64, 64, 32, 64 * 64 * 4, 0);
	req.dbuf_cookie = 0;
	CHECK_INT(create(req, &d), -EINVAL);
	req = dbuf_req(64, 64, 32, 64 * 64 * 4, 0);
	req.flags = 2;
	CHECK_INT(create(req, &d), -EINVAL);
	req.flags = XENDISPL_DBUF_FLG_REQ_ALLOC;
	CHECK_INT(create(req, &d), 0);
	CHECK(d.backend_allocated);
	req.data_ofs = 64;
	CHECK_INT(create(req, &d), -EINVAL); // backend allocation: no offset
	req = dbuf_req(0, 0, 0, 4096, 0);
	req.flags = XENDISPL_DBUF_FLG_REQ_ALLOC;
	CHECK_INT(create(req, &d), -EINVAL); // ...and a geometry
}

static int attach(const struct displif_dbuf *dbuf, uint32_t width, uint32_t height, uint32_t fourcc,
	struct displif_fb *out)
{
	struct xendispl_fb_attach_req req = {
		.dbuf_cookie = 0x1000,
		.fb_cookie = 0x2000,
		.width = width,
		.height = height,
		.pixel_format = fourcc,
	};
	char why[DISPLIF_WHY_SIZE] = "";
	int err = displif_check_fb_attach(&req, dbuf, out, why, sizeof(why));
	CHECK_MSG((err == 0) == (why[0] == '\0'), "status %d, why \"%s\"", err, why);
	return err;
}

static void test_fb_attach(void)
{
	struct displif_dbuf d;
	struct displif_fb fb;
	CHECK_INT(create(dbuf_req(1920, 1080, 32, 1920 * 1080 * 4, 0), &d), 0);
	CHECK_INT(attach(&d, 1920, 1080, DRM_FORMAT_XRGB8888, &fb), 0);
	CHECK(fb.cookie == 0x2000 && fb.width == 1920 && fb.height == 1080);
	CHECK_INT(fb.bpp, 32);
	CHECK_INT(fb.pitch, 7680);
	CHECK_INT(fb.fourcc, DRM_FORMAT_XRGB8888);
	CHECK_INT(attach(&d, 1280, 720, DRM_FORMAT_ARGB8888, &fb), 0);
	CHECK_INT(fb.pitch, 7680); // the dbuf's
	CHECK_INT(attach(&d, 1921, 1080, DRM_FORMAT_XRGB8888, &fb), -EINVAL);
	CHECK_INT(attach(&d, 1920, 1081, DRM_FORMAT_XRGB8888, &fb), -EINVAL);
	CHECK_INT(attach(&d, 0, 1080, DRM_FORMAT_XRGB8888, &fb), -EINVAL);
	CHECK_INT(attach(&d, 1920, 0, DRM_FORMAT_XRGB8888, &fb), -EINVAL);
	CHECK_INT(attach(&d, 1920, 1080, DRM_FORMAT_RGB565, &fb), -EINVAL); // bpp differs
	CHECK_INT(attach(&d, 1920, 1080, DRM_FORMAT_NV12, &fb), -EINVAL);
	CHECK_INT(attach(&d, 1920, 1080, 0, &fb), -EINVAL);
	CHECK_INT(attach(NULL, 1920, 1080, DRM_FORMAT_XRGB8888, &fb), -ENOENT);

	struct xendispl_fb_attach_req req = {
		.fb_cookie = 0, .width = 1, .height = 1, .pixel_format = DRM_FORMAT_XRGB8888};
	CHECK_INT(displif_check_fb_attach(&req, &d, &fb, NULL, 0), -EINVAL);

	/* YUYV: two pixels share their chroma, the width is even. */
	CHECK_INT(create(dbuf_req(64, 64, 16, 64 * 64 * 2, 0), &d), 0);
	CHECK_INT(attach(&d, 64, 64, DRM_FORMAT_YUYV, &fb), 0);
	CHECK_INT(attach(&d, 63, 64, DRM_FORMAT_YUYV, &fb), -EINVAL);
	CHECK_INT(attach(&d, 63, 64, DRM_FORMAT_RGB565, &fb), 0);

	/* Imports: packed rows after data_ofs, within the pages. */
	CHECK_INT(create(dbuf_req(0, 0, 0, 8192, 96), &d), 0);
	CHECK_INT(attach(&d, 1024, 2, DRM_FORMAT_XRGB8888, &fb), -EINVAL); // 96 + 8192 > 8192
	CHECK_INT(attach(&d, 1000, 2, DRM_FORMAT_XRGB8888, &fb), 0);
	CHECK_INT(fb.pitch, 4000);
	CHECK_INT(attach(&d, 641, 3, DRM_FORMAT_RGB888, &fb), 0);
	CHECK_INT(fb.pitch, 1923);
	CHECK_INT(attach(&d, 8192, 8192, DRM_FORMAT_XRGB8888, &fb), -EINVAL);
	CHECK_INT(attach(&d, 8193, 1, DRM_FORMAT_XRGB8888, &fb), -EINVAL);
}

static int config(const struct displif_fb *fb, uint64_t cookie, uint32_t x, uint32_t y,
	uint32_t width, uint32_t height, uint32_t bpp, struct displif_config *out)
{
	struct xendispl_set_config_req req = {
		.fb_cookie = cookie,
		.x = x,
		.y = y,
		.width = width,
		.height = height,
		.bpp = bpp,
	};
	char why[DISPLIF_WHY_SIZE] = "";
	int err = displif_check_set_config(&req, fb, out, why, sizeof(why));
	CHECK_MSG((err == 0) == (why[0] == '\0'), "status %d, why \"%s\"", err, why);
	return err;
}

static void test_set_config(void)
{
	struct displif_dbuf d;
	struct displif_fb fb;
	struct displif_config c;
	CHECK_INT(create(dbuf_req(1920, 1080, 32, 1920 * 1080 * 4, 0), &d), 0);
	CHECK_INT(attach(&d, 1920, 1080, DRM_FORMAT_XRGB8888, &fb), 0);

	/* All zero disables, whatever x, y and bpp say; no fb needed. */
	struct xendispl_set_config_req off = {.x = 5, .bpp = 7};
	CHECK(displif_config_disables(&off));
	CHECK_INT(config(NULL, 0, 0, 0, 0, 0, 0, &c), 0);
	CHECK(c.disable);
	CHECK_INT(config(NULL, 0, 3, 4, 0, 0, 99, &c), 0);
	CHECK(c.disable);
	struct xendispl_set_config_req on = {.width = 1};
	CHECK(!displif_config_disables(&on));

	CHECK_INT(config(&fb, 0x2000, 0, 0, 1920, 1080, 32, &c), 0);
	CHECK(!c.disable && c.fb_cookie == 0x2000 && c.width == 1920 && c.height == 1080);
	CHECK_INT(config(&fb, 0x2000, 1919, 1079, 1, 1, 32, &c), 0);
	CHECK(c.x == 1919 && c.y == 1079);
	CHECK_INT(config(NULL, 0x2000, 0, 0, 1920, 1080, 32, &c), -ENOENT);
	CHECK_INT(config(NULL, 0, 0, 0, 1920, 1080, 32, &c), -ENOENT); // cookie 0 names nothing
	CHECK_INT(config(&fb, 0x2000, 1920, 0, 1920, 1080, 32, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, 0, 1080, 1920, 1080, 32, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, UINT32_MAX, 0, 1920, 1080, 32, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, 0, 0, 1921, 1080, 32, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, 0, 0, 1920, 1081, 32, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, 0, 0, 0, 1080, 32, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, 0, 0, 1920, 0, 32, &c), -EINVAL);
	/* bpp is the fb's format's, as Linux sends it. */
	CHECK_INT(config(&fb, 0x2000, 0, 0, 1920, 1080, 24, &c), -EINVAL);
	CHECK_INT(config(&fb, 0x2000, 0, 0, 1920, 1080, 0, &c), -EINVAL);
}

static void test_get_edid(void)
{
	struct displif_edid_buffer e;
	struct xendispl_get_edid_req req = {.buffer_sz = EDID_BLOCK_SIZE, .gref_directory = 9};
	CHECK_INT(displif_check_get_edid(&req, &e, NULL, 0), 0);
	CHECK(e.buffer_sz == EDID_BLOCK_SIZE && e.nr_pages == 1 && e.gref_directory == 9);
	req.buffer_sz = XENDISPL_EDID_MAX_SIZE;
	CHECK_INT(displif_check_get_edid(&req, &e, NULL, 0), 0);
	CHECK_INT(e.nr_pages, (XENDISPL_EDID_MAX_SIZE + 4095) / 4096);
	req.buffer_sz = EDID_BLOCK_SIZE - 1;
	CHECK_INT(displif_check_get_edid(&req, &e, NULL, 0), -EINVAL);
	req.buffer_sz = XENDISPL_EDID_MAX_SIZE + 1;
	CHECK_INT(displif_check_get_edid(&req, &e, NULL, 0), -EINVAL);
	req.buffer_sz = 0;
	CHECK_INT(displif_check_get_edid(&req, &e, NULL, 0), -EINVAL);
	req.buffer_sz = UINT32_MAX;
	CHECK_INT(displif_check_get_edid(&req, &e, NULL, 0), -EINVAL);
}

static void test_operations(void)
{
	for (uint8_t op = XENDISPL_OP_DBUF_CREATE; op <= XENDISPL_OP_GET_EDID; op++) {
		CHECK_INT(displif_check_operation(op, 0, NULL, 0), 0);
	}
	CHECK_INT(displif_check_operation(XENDISPL_OP_SET_CONFIG, 3, NULL, 0), 0);
	CHECK_INT(displif_check_operation(XENDISPL_OP_PG_FLIP, 1, NULL, 0), 0);
	CHECK_INT(displif_check_operation(XENDISPL_OP_GET_EDID, 2, NULL, 0), 0);
	CHECK_INT(displif_check_operation(XENDISPL_OP_DBUF_CREATE, 1, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(XENDISPL_OP_DBUF_DESTROY, 1, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(XENDISPL_OP_FB_ATTACH, 2, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(XENDISPL_OP_FB_DETACH, 3, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(0x0f, 0, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(0x17, 0, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(0x00, 0, NULL, 0), -EINVAL);
	CHECK_INT(displif_check_operation(0xff, 0, NULL, 0), -EINVAL);

	struct xendispl_req req = {.id = 0xbeef, .operation = XENDISPL_OP_PG_FLIP};
	struct xendispl_resp resp;
	memset(&resp, 0xaa, sizeof(resp));
	displif_response_init(&resp, &req);
	CHECK(resp.id == 0xbeef && resp.operation == XENDISPL_OP_PG_FLIP && resp.status == 0);
	CHECK_INT(resp.op.get_edid.edid_sz, 0);
}

static void test_ring(void)
{
	void *page = calloc(1, XEN_PAGE_SIZE);
	struct xen_displif_back_ring ring;
	SHARED_RING_INIT((struct xen_displif_sring *)page);
	BACK_RING_INIT(&ring, (struct xen_displif_sring *)page, XEN_PAGE_SIZE);
	RING_IDX size = RING_SIZE(&ring);
	CHECK(size > 0);
	CHECK_INT(displif_check_req_prod(&ring, 0), 0);
	CHECK_INT(displif_check_req_prod(&ring, size), 0);
	CHECK_INT(displif_check_req_prod(&ring, size + 1), -EPROTO);
	CHECK_INT(displif_check_req_prod(&ring, UINT32_MAX), -EPROTO); // behind us is broken too
	/* Relative to what we answered, across the index's wrap. */
	ring.rsp_prod_pvt = ring.req_cons = UINT32_MAX - 3;
	CHECK_INT(displif_check_req_prod(&ring, UINT32_MAX - 3 + size), 0);
	CHECK_INT(displif_check_req_prod(&ring, UINT32_MAX - 3 + size + 1), -EPROTO);
	free(page);
}

static void test_resolution(void)
{
	uint32_t w = 7, h = 7;
	CHECK_INT(displif_parse_resolution("1920x1080", &w, &h), 0);
	CHECK(w == 1920 && h == 1080);
	CHECK_INT(displif_parse_resolution("1x1", &w, &h), 0);
	CHECK_INT(displif_parse_resolution("4095x4095", &w, &h), 0);
	CHECK(w == 4095 && h == 4095);
	w = h = 7;
	static const char *const bad[] = {"", "0x0", "0x1080", "1920x0", "1920x", "x1080", "x",
		"1920x1080junk", "99999999999x1", "1x99999999999", "4294967297x1", "-1x5",
		"1920X1080", " 1920x1080", "1920x1080 ", "1920x1080x1", "4096x1", "1x4096", "8192x8192",
		"+1920x1080", "0x780x438", "1920*1080", "1920"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_MSG(displif_parse_resolution(bad[i], &w, &h) == -EINVAL, "\"%s\" parsed",
			bad[i]);
	}
	CHECK_INT(displif_parse_resolution(NULL, &w, &h), -EINVAL);
	CHECK(w == 7 && h == 7);
}

static void test_connector_count(void)
{
	uint32_t n = 9;
	CHECK_INT(displif_check_connector_count(0, &n), -ENOENT);
	CHECK_INT(n, 9);
	for (uint32_t i = 1; i <= DISPLIF_MAX_CONNECTORS; i++) {
		CHECK_INT(displif_check_connector_count(i, &n), 0);
		CHECK_INT(n, i);
	}
	CHECK_INT(displif_check_connector_count(DISPLIF_MAX_CONNECTORS + 1, &n), 0);
	CHECK_INT(n, DISPLIF_MAX_CONNECTORS);
	CHECK_INT(displif_check_connector_count(UINT32_MAX, &n), 0);
	CHECK_INT(n, DISPLIF_MAX_CONNECTORS);
}

static void test_events(void)
{
	struct xendispl_event_page *page = calloc(1, XENDISPL_EVENT_PAGE_SIZE);
	/*
	 * We start at the guest's in_prod. (Not near 2^32: the ring's 63 slots
	 * do not divide the index's range, for the guest's side neither.)
	 */
	page->in_prod = page->in_cons = 1000;
	struct displif_event_ring ring;
	displif_event_ring_init(&ring, page);
	CHECK(ring.prod == 1000 && ring.id == 0);
	for (uint32_t i = 0; i < XENDISPL_IN_RING_LEN; i++) {
		CHECK(displif_event_ring_put_flip(&ring, 100 + i));
	}
	/* Full: nothing unconsumed is overwritten. */
	CHECK(!displif_event_ring_put_flip(&ring, 999));
	CHECK(page->in_prod == 1000 + XENDISPL_IN_RING_LEN);
	for (uint32_t i = 0; i < XENDISPL_IN_RING_LEN; i++) {
		struct xendispl_evt *evt = &XENDISPL_IN_RING_REF(page, page->in_cons + i);
		CHECK_INT(evt->id, i);
		CHECK_INT(evt->type, XENDISPL_EVT_PG_FLIP);
		CHECK(evt->op.pg_flip.fb_cookie == 100 + i);
	}
	/* The guest consumes two: two more fit, ids go on. */
	page->in_cons += 2;
	CHECK(displif_event_ring_put_flip(&ring, 7));
	CHECK(displif_event_ring_put_flip(&ring, 8));
	CHECK(!displif_event_ring_put_flip(&ring, 9));
	CHECK_INT(XENDISPL_IN_RING_REF(page, ring.prod - 1).id, XENDISPL_IN_RING_LEN + 1);
	/* A consumer index beyond what we produced is no room, never a wrap into old events. */
	page->in_cons = ring.prod + 1;
	CHECK(!displif_event_ring_put_flip(&ring, 10));
	page->in_cons = ring.prod + 1000;
	CHECK(!displif_event_ring_put_flip(&ring, 10));
	/* The guest cannot move our producer. */
	page->in_cons = ring.prod;
	page->in_prod = 12345;
	uint32_t prod = ring.prod;
	CHECK(displif_event_ring_put_flip(&ring, 11));
	CHECK(page->in_prod == prod + 1);
	free(page);
}

/*
 * The index wraps at 2^32, which the ring's 63 slots do not divide: indexes
 * 0 to 3 share their slots with 0xfffffffc to 0xffffffff, for the guest as
 * for us. An event written past the wrap replaced an unconsumed one before
 * it (found with the kbdif ring's twin of this, by fuzz-kbdif).
 */
static void test_events_wrap(void)
{
	struct xendispl_event_page *page = calloc(1, XENDISPL_EVENT_PAGE_SIZE);
	page->in_prod = page->in_cons = 0xfffffffcu;
	struct displif_event_ring ring;
	displif_event_ring_init(&ring, page);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK(displif_event_ring_put_flip(&ring, 100 + i));
	}
	/* Past the wrap only once the guest has read everything before it. */
	CHECK(!displif_event_ring_put_flip(&ring, 104));
	for (uint32_t i = 0; i < 4; i++) {
		CHECK(XENDISPL_IN_RING_REF(page, 0xfffffffcu + i).op.pg_flip.fb_cookie == 100 + i);
	}
	page->in_cons = 0;
	for (uint32_t i = 4; i < 8; i++) {
		CHECK(displif_event_ring_put_flip(&ring, 100 + i));
	}
	for (uint32_t i = 4; i < 8; i++) {
		CHECK(XENDISPL_IN_RING_REF(page, i - 4).op.pg_flip.fb_cookie == 100 + i);
	}
	free(page);
}

int main(void)
{
	test_formats();
	test_cookies();
	test_dbuf_create();
	test_fb_attach();
	test_set_config();
	test_get_edid();
	test_operations();
	test_ring();
	test_resolution();
	test_connector_count();
	test_events();
	test_events_wrap();
	return check_result("displif");
}
