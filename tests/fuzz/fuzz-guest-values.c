#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/displif.h"
#include "protocol/edid.h"
#include "protocol/xs_value.h"

/*
 * libFuzzer target: everything a guest can write, through every check of
 * protocol/displif and protocol/xs_value. The first 192 bytes are three
 * displif requests (zero-padded), each read as every kind of request and
 * chained as a guest would (DBUF_CREATE, then FB_ATTACH to that dbuf, then
 * SET_CONFIG on that fb); ring and event indexes come from them too. What
 * follows, split at NULs, is XenStore values for every parser. Besides
 * the sanitizers' checks, it asserts what the device code relies on:
 * a checked dbuf's frame fits its pages and its pages are its grant refs,
 * a checked fb fits its dbuf, a rectangle its fb, a resolution its bounds.
 */

#define REQ_SIZE sizeof(struct xendispl_req)
#define NREQ 3

static void check(bool ok)
{
	if (!ok) {
		__builtin_trap();
	}
}

static bool printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s >= 0x7f) {
			return false;
		}
	}
	return true;
}

/* A failed check says why (printable: it goes to the log); a passed one does not. */
static void check_status(int err, const char *why)
{
	check(err == 0 || err == -EINVAL || err == -ENOENT || err == -EEXIST);
	check((err != 0) == (why[0] != '\0'));
	check(printable(why));
}

static uint64_t packed(uint32_t width, uint32_t bpp)
{
	return ((uint64_t)width * bpp + 7) / 8;
}

static bool check_dbuf(const struct xendispl_dbuf_create_req *req, struct displif_dbuf *d)
{
	char why[DISPLIF_WHY_SIZE] = "";
	int err = displif_check_dbuf_create(req, d, why, sizeof(why));
	check_status(err, why);
	if (err != 0) {
		return false;
	}
	check(d->cookie != 0 && d->cookie == req->dbuf_cookie);
	bool imported = d->width == 0;
	if (imported) {
		check(d->height == 0 && d->bpp == 0 && d->pitch == 0);
	} else {
		check(d->width <= DISPLIF_MAX_DIMENSION && d->height >= 1 &&
			d->height <= DISPLIF_MAX_DIMENSION);
		check(d->bpp == 16 || d->bpp == 24 || d->bpp == 32);
		check(d->pitch == packed(d->width, d->bpp));
	}
	/* The pages are buffer_sz's, and the grant refs are the pages. */
	check(d->nr_pages >= 1 && d->nr_pages <= (1u << 20));
	check(d->size == (uint64_t)d->nr_pages * XEN_PAGE_SIZE);
	check(req->buffer_sz > (uint64_t)(d->nr_pages - 1) * XEN_PAGE_SIZE);
	check(req->buffer_sz <= d->size);
	check(d->data_ofs < XEN_PAGE_SIZE);
	check((uint64_t)d->data_ofs + (uint64_t)d->pitch * d->height <= d->size);
	check(!d->backend_allocated || (!imported && d->data_ofs == 0));
	return true;
}

static bool check_fb(const struct xendispl_fb_attach_req *req, const struct displif_dbuf *d,
	struct displif_fb *fb)
{
	char why[DISPLIF_WHY_SIZE] = "";
	int err = displif_check_fb_attach(req, d, fb, why, sizeof(why));
	check_status(err, why);
	check(d != NULL || err != 0);
	if (err != 0) {
		return false;
	}
	check(fb->cookie != 0 && fb->cookie == req->fb_cookie);
	check(fb->width >= 1 && fb->width <= DISPLIF_MAX_DIMENSION);
	check(fb->height >= 1 && fb->height <= DISPLIF_MAX_DIMENSION);
	check(fb->bpp != 0 && fb->bpp == displif_format_bpp(fb->fourcc));
	check(fb->fourcc != ('Y' | 'U' << 8 | 'Y' << 16 | (uint32_t)'V' << 24) ||
		fb->width % 2 == 0);
	if (d->width != 0) {
		check(fb->pitch == d->pitch && fb->bpp == d->bpp);
		check(fb->width <= d->width && fb->height <= d->height);
	} else {
		check(fb->pitch == packed(fb->width, fb->bpp));
	}
	/* Every row the renderer reads is inside the mapping. */
	check(fb->pitch >= packed(fb->width, fb->bpp));
	check((uint64_t)d->data_ofs + (uint64_t)fb->pitch * (fb->height - 1) +
			packed(fb->width, fb->bpp) <=
		d->size);
	return true;
}

static void check_config(const struct xendispl_set_config_req *req, const struct displif_fb *fb)
{
	struct displif_config c;
	char why[DISPLIF_WHY_SIZE] = "";
	int err = displif_check_set_config(req, fb, &c, why, sizeof(why));
	check_status(err, why);
	if (err != 0) {
		check(!displif_config_disables(req));
		return;
	}
	check(c.disable == displif_config_disables(req));
	if (c.disable) {
		return;
	}
	check(fb != NULL && c.fb_cookie == fb->cookie);
	check(c.x < fb->width && c.y < fb->height);
	check(c.width >= 1 && c.width <= fb->width && c.height >= 1 && c.height <= fb->height);
}

static void check_request(const struct xendispl_req *req)
{
	char why[DISPLIF_WHY_SIZE] = "";
	for (uint32_t connector = 0; connector <= DISPLIF_MAX_CONNECTORS; connector++) {
		why[0] = '\0';
		int err = displif_check_operation(req->operation, connector, why, sizeof(why));
		check_status(err, why);
		check(err != 0 || (req->operation >= XENDISPL_OP_DBUF_CREATE &&
					  req->operation <= XENDISPL_OP_GET_EDID));
	}
	struct displif_edid_buffer e;
	why[0] = '\0';
	int err = displif_check_get_edid(&req->op.get_edid, &e, why, sizeof(why));
	check_status(err, why);
	if (err == 0) {
		check(e.buffer_sz >= EDID_BLOCK_SIZE && e.buffer_sz <= XENDISPL_EDID_MAX_SIZE);
		check(e.nr_pages >= 1 && e.nr_pages <= XENDISPL_EDID_MAX_SIZE / XEN_PAGE_SIZE);
		check((uint64_t)e.nr_pages * XEN_PAGE_SIZE >= e.buffer_sz);
	}
	uint64_t cookie = 0;
	err = displif_check_new_cookie(req->op.dbuf_destroy.dbuf_cookie, false, &cookie);
	check(err == 0 ? cookie != 0 : err == -EINVAL);
	struct xendispl_resp resp;
	displif_response_init(&resp, req);
	check(resp.id == req->id && resp.operation == req->operation && resp.status == 0);
}

static void check_rings(const uint8_t *bytes)
{
	uint32_t a, b, c;
	memcpy(&a, bytes, 4);
	memcpy(&b, bytes + 4, 4);
	memcpy(&c, bytes + 8, 4);

	static union {
		struct xen_displif_sring sring;
		uint8_t page[XEN_PAGE_SIZE];
	} req_page;
	struct xen_displif_back_ring ring;
	BACK_RING_INIT(&ring, &req_page.sring, XEN_PAGE_SIZE);
	ring.rsp_prod_pvt = ring.req_cons = a;
	if (displif_check_req_prod(&ring, b) == 0) {
		check(b - a <= RING_SIZE(&ring));
	}

	/* A guest's event page: whatever in_prod and in_cons it wrote. */
	static union {
		struct xendispl_event_page page;
		uint8_t bytes[XENDISPL_EVENT_PAGE_SIZE];
	} evt_page;
	evt_page.page.in_prod = a;
	struct displif_event_ring events;
	displif_event_ring_init(&events, &evt_page.page);
	evt_page.page.in_cons = c;
	unsigned put = 0;
	for (unsigned i = 0; i < XENDISPL_IN_RING_LEN + 2; i++) {
		if (!displif_event_ring_put_flip(&events, i)) {
			break;
		}
		put++;
		/* Never more unconsumed events than slots. */
		check(events.prod - c <= XENDISPL_IN_RING_LEN);
		check(evt_page.page.in_prod == events.prod);
	}
	check(put <= XENDISPL_IN_RING_LEN);
	check(events.id == put);
}

static void check_string(const char *s, uint32_t max)
{
	uint32_t v;
	int err = xs_value_parse_u32(s, max, &v);
	check(err == 0 || err == -EINVAL);
	check(err != 0 || (v <= max && s[0] >= '0' && s[0] <= '9' && strlen(s) <= 10));

	bool on;
	err = xs_value_parse_flag(s, &on);
	check(err == 0 || (err == -EINVAL && !on));
	enum xenbus_state state = xs_value_parse_state(s);
	check(state >= XenbusStateUnknown && state <= XenbusStateReconfigured);

	const char *id = NULL;
	err = xs_value_check_unique_id(s, &id);
	check((err == 0 && id == s) || (err == -EINVAL && strlen(s) > XS_VALUE_MAX_LEN));

	char clean[33];
	xs_value_sanitize(s, clean, sizeof(clean));
	check(printable(clean) && strlen(clean) == (strlen(s) < 32 ? strlen(s) : 32));
	char name[XS_VALUE_NAME_MAX + 1];
	xs_value_domain_name(s, max, name);
	check(name[0] != '\0' && strlen(name) <= XS_VALUE_NAME_MAX && printable(name));

	uint32_t w = 0, h = 0;
	if (displif_parse_resolution(s, &w, &h) == 0) {
		check(w >= 1 && w <= DISPLIF_MAX_DIMENSION && h >= 1 && h <= DISPLIF_MAX_DIMENSION);
		check(strchr(s, 'x') != NULL);
	}
	uint32_t count = 0;
	err = displif_check_connector_count(max, &count);
	check(err == 0 ? count >= 1 && count <= DISPLIF_MAX_CONNECTORS && count <= max
		       : err == -ENOENT && max == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t bytes[NREQ * REQ_SIZE] = {0};
	memcpy(bytes, data, size < sizeof(bytes) ? size : sizeof(bytes));
	struct xendispl_req reqs[NREQ];
	memcpy(reqs, bytes, sizeof(reqs));
	for (int i = 0; i < NREQ; i++) {
		check_request(&reqs[i]);
	}

	struct displif_dbuf dbuf;
	struct displif_fb fb;
	bool have_dbuf = check_dbuf(&reqs[0].op.dbuf_create, &dbuf);
	bool have_fb = check_fb(&reqs[1].op.fb_attach, have_dbuf ? &dbuf : NULL, &fb);
	check_config(&reqs[2].op.set_config, have_fb ? &fb : NULL);
	/* The same bytes as the other kinds, on their own. */
	if (check_dbuf(&reqs[1].op.dbuf_create, &dbuf)) {
		check_fb(&reqs[2].op.fb_attach, &dbuf, &fb);
	}
	if (check_fb(&reqs[0].op.fb_attach, have_dbuf ? &dbuf : NULL, &fb)) {
		check_config(&reqs[0].op.set_config, &fb);
	}
	check_rings(bytes);

	/* XenStore values: the rest, split at NULs. */
	if (size <= sizeof(bytes)) {
		return 0;
	}
	size_t len = size - sizeof(bytes);
	char *copy = malloc(len + 1);
	if (copy == NULL) {
		return 0;
	}
	memcpy(copy, data + sizeof(bytes), len);
	copy[len] = '\0';
	uint32_t max;
	memcpy(&max, bytes + 12, 4);
	for (char *s = copy; s <= copy + len; s += strlen(s) + 1) {
		check_string(s, max);
		check_string(s, UINT32_MAX);
		check_string(s, DISPLIF_MAX_DIMENSION);
	}
	free(copy);
	return 0;
}
