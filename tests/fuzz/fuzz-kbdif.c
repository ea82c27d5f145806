#define _DEFAULT_SOURCE // MAP_ANONYMOUS
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "protocol/kbdif.h"
#include "protocol/xs_value.h"

/*
 * libFuzzer target: the PV input side of what a guest (and the toolstack)
 * writes. First the device's XenStore values, read as input-routing/vkbd.c
 * reads them (the same xs_value calls, limits and defaults); then the event
 * ring of protocol/kbdif.c on a page of its own between two inaccessible
 * ones, whose in_prod and in_cons the guest set before we started and whose
 * in_cons it changes between our writes, as it likes.
 *
 * Input: a header (in_prod, in_cons, 8 bytes), then operations, each a byte
 * and its payload, up to a 0xff byte (a key with bit 7 comes after a burst of
 * presses and releases of its own); after it, XenStore values split at
 * NULs ("\x01" alone is an absent key). Operations: a key, relative motion,
 * a position, a touch event (through kbdif's constructors), the guest
 * consuming some events or writing any in_cons, a flush, an inherited contact.
 *
 * Checked, besides ASan and UBSan: nothing is written outside the page, nor
 * on it but in_prod and the in-ring's slots; an event the guest has not
 * consumed is never overwritten; in_prod only moves forward, never more than
 * a ring ahead of a consistent in_cons, and stops once the ring is broken,
 * which only an impossible in_cons does; the queue stays bounded. While the
 * guest behaves, what it reads is what was pushed, less merges and drops, and
 * once everything is drained no key or contact stays down in the guest that
 * the owner has released.
 */

#define LEN XENKBD_IN_RING_LEN
#define VKBD_DEFAULT_WIDTH 800
#define VKBD_DEFAULT_HEIGHT 600
#define VKBD_MAX_SIZE 65536

static void check(bool ok)
{
	if (!ok) {
		__builtin_trap();
	}
}

static uint8_t *pages; // three: the middle one is the ring's

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pages = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(pages != MAP_FAILED);
	check(mprotect(pages + 4096, 4096, PROT_READ | PROT_WRITE) == 0);
	return 0;
}

/* vkbd.c's read_backend_u32(): def when absent or malformed. */
static uint32_t backend_u32(const char *untrusted, uint32_t def, uint32_t max)
{
	uint32_t v = def;
	int err = xs_value_parse_u32(untrusted, max, &v);
	check(err == 0 || err == -ENOENT || err == -EINVAL);
	check((err == -ENOENT) == (untrusted == NULL));
	if (err != 0) {
		char shown[33];
		xs_value_sanitize(untrusted, shown, sizeof(shown));
		for (const char *c = shown; *c != '\0'; c++) {
			check(*c >= 0x20 && *c < 0x7f);
		}
		v = def;
	}
	check(v <= max || v == def);
	return v;
}

/* vkbd.c's read_request(): anything but a clean number is not asked. */
static bool request(const char *untrusted)
{
	bool on = true;
	int err = xs_value_parse_flag(untrusted, &on);
	check(err == 0 || err == -ENOENT || err == -EINVAL);
	check(err == 0 || !on);
	return on;
}

enum {
	K_DSBL_KEYBRD,
	K_DSBL_POINTER,
	K_WIDTH,
	K_HEIGHT,
	K_FEAT_MT,
	K_MT_WIDTH,
	K_MT_HEIGHT,
	K_MT_CONTACTS,
	K_FEAT_ABS,
	K_FEAT_RAW,
	K_UNIQUE_ID,
	K_REQ_ABS,
	K_REQ_RAW,
	K_REQ_MT,
	K_PAGE_GREF,
	K_EVT_CHANNEL,
	K_STATE,
	K_COUNT,
};

struct device {
	int32_t width, height, mt_width, mt_height, mt_contacts;
	bool keyboard, pointer, abs, raw, mt;
};

/* The device's keys, through the same calls as vkbd.c's read_features() and connect. */
static void read_values(char *values, size_t len, struct device *dev)
{
	const char *key[K_COUNT] = {0};
	char *s = values;
	for (int k = 0; k < K_COUNT && s <= values + len; k++, s += strlen(s) + 1) {
		key[k] = strcmp(s, "\x01") == 0 ? NULL : s;
	}
	dev->keyboard = backend_u32(key[K_DSBL_KEYBRD], 0, UINT32_MAX) == 0;
	dev->pointer = backend_u32(key[K_DSBL_POINTER], 0, UINT32_MAX) == 0;
	dev->width = (int32_t)backend_u32(key[K_WIDTH], VKBD_DEFAULT_WIDTH, VKBD_MAX_SIZE);
	dev->height = (int32_t)backend_u32(key[K_HEIGHT], VKBD_DEFAULT_HEIGHT, VKBD_MAX_SIZE);
	bool feat_mt = backend_u32(key[K_FEAT_MT], 0, UINT32_MAX) != 0;
	dev->mt_width = (int32_t)backend_u32(key[K_MT_WIDTH], VKBD_DEFAULT_WIDTH, VKBD_MAX_SIZE);
	dev->mt_height =
		(int32_t)backend_u32(key[K_MT_HEIGHT], VKBD_DEFAULT_HEIGHT, VKBD_MAX_SIZE);
	dev->mt_contacts = (int32_t)backend_u32(key[K_MT_CONTACTS], 1, KBDIF_CONTACT_COUNT);
	check(dev->width >= 0 && dev->width <= VKBD_MAX_SIZE);
	check(dev->height >= 0 && dev->height <= VKBD_MAX_SIZE);
	check(dev->mt_contacts >= 0 && dev->mt_contacts <= KBDIF_CONTACT_COUNT);
	bool feat_abs = backend_u32(key[K_FEAT_ABS], 0, UINT32_MAX) != 0 || key[K_FEAT_ABS] == NULL;
	bool feat_raw = backend_u32(key[K_FEAT_RAW], 0, UINT32_MAX) != 0 || key[K_FEAT_RAW] == NULL;
	const char *id = NULL;
	int err = xs_value_check_unique_id(key[K_UNIQUE_ID], &id);
	check(err == 0 ? id == key[K_UNIQUE_ID] && strlen(id) <= XS_VALUE_MAX_LEN :
			 err == (key[K_UNIQUE_ID] == NULL ? -ENOENT : -EINVAL));
	dev->abs = feat_abs && request(key[K_REQ_ABS]);
	dev->raw = dev->abs && feat_raw && request(key[K_REQ_RAW]);
	dev->mt = feat_mt && request(key[K_REQ_MT]);
	/* xenstore_read_u32(): page-gref and event-channel, any number. */
	uint32_t v;
	err = xs_value_parse_u32(key[K_PAGE_GREF], UINT32_MAX, &v);
	check(err == 0 || err == -ENOENT || err == -EINVAL);
	err = xs_value_parse_u32(key[K_EVT_CHANNEL], UINT32_MAX, &v);
	check(err == 0 || err == -ENOENT || err == -EINVAL);
	enum xenbus_state state = xs_value_parse_state(key[K_STATE]);
	check(state >= XenbusStateUnknown && state <= XenbusStateReconfigured);
	check(key[K_STATE] != NULL || state == XenbusStateUnknown);
}

/* vkbd.c's clamp(): positions within the range the guest asked for. */
static int32_t clamp(int32_t v, int32_t size)
{
	int32_t max = size > 0 ? size - 1 : 0;
	return v < 0 ? 0 : v > max ? max : v;
}

/* The guest: what it holds down after reading the events it consumed. */
struct guest {
	uint32_t cons;     // what it consumed up to, while it behaves
	uint32_t start, ours; // in_cons and in_prod when we started: events before are not ours
	bool hostile;      // it wrote an in_cons of its own: no more semantic checks
	uint8_t keys[KBDIF_KEY_COUNT];
	uint8_t contacts[KBDIF_CONTACT_COUNT];
};

static void guest_read(struct guest *g, struct xenkbd_page *page, uint32_t upto)
{
	for (; g->cons != upto; g->cons++) {
		const union xenkbd_in_event *e = &XENKBD_IN_RING_REF(page, g->cons);
		if (g->cons - g->start < g->ours - g->start) {
			continue; // left by a backend before us: anything
		}
		if (e->type == XENKBD_TYPE_KEY) {
			check(e->key.pressed <= 1);
			if (e->key.keycode < KBDIF_KEY_COUNT) {
				g->keys[e->key.keycode] = e->key.pressed;
			}
		} else if (e->type == XENKBD_TYPE_MTOUCH) {
			if (e->mtouch.event_type == XENKBD_MT_EV_DOWN) {
				g->contacts[e->mtouch.contact_id] = 1;
			} else if (e->mtouch.event_type == XENKBD_MT_EV_UP) {
				g->contacts[e->mtouch.contact_id] = 0;
			}
		} else {
			check(e->type == XENKBD_TYPE_MOTION || e->type == XENKBD_TYPE_POS);
		}
	}
	WRITE_ONCE(page->in_cons, g->cons);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *page_bytes = pages + 4096;
	struct xenkbd_page *page = (struct xenkbd_page *)page_bytes;
	memset(page_bytes, 0, 4096);
	/* What the frontend (or a backend before us) left: any indexes at all. */
	uint32_t hdr[2] = {0};
	memcpy(hdr, data, size < 8 ? size : 8);
	page->in_prod = hdr[0];
	page->in_cons = hdr[1];
	data += size < 8 ? size : 8;
	size -= size < 8 ? size : 8;
	/* Bytes the backend must never write: everything but in_prod and the in-ring. */
	for (size_t i = 8; i < XENKBD_IN_RING_OFFS; i++) {
		page_bytes[i] = (uint8_t)(i * 7);
	}
	for (size_t i = XENKBD_IN_RING_OFFS + XENKBD_IN_RING_SIZE; i < 4096; i++) {
		page_bytes[i] = (uint8_t)(i * 13);
	}

	/* The operations end at 0xff; XenStore values follow. */
	const uint8_t *end = memchr(data, 0xff, size);
	size_t ops = end != NULL ? (size_t)(end - data) : size;
	struct device dev;
	size_t vlen = end != NULL ? size - ops - 1 : 0;
	char *values = malloc(vlen + 1);
	check(values != NULL);
	if (vlen > 0) {
		memcpy(values, end + 1, vlen);
	}
	values[vlen] = '\0';
	read_values(values, vlen, &dev);
	free(values);

	struct kbdif_ring ring;
	kbdif_ring_init(&ring, page);
	check(ring.prod == hdr[0]);
	static struct guest g;
	memset(&g, 0, sizeof(g));
	g.cons = g.start = hdr[1];
	g.ours = hdr[0];
	/* A guest whose in_cons is not within a ring behind in_prod is hostile from the start. */
	g.hostile = hdr[0] - hdr[1] > LEN;
	uint8_t wanted_keys[KBDIF_KEY_COUNT] = {0};
	uint8_t wanted_contacts[KBDIF_CONTACT_COUNT] = {0};
	static uint8_t before[4096];

	for (size_t i = 0; i < ops;) {
		uint8_t op = data[i++];
		uint8_t arg[9] = {0};
		size_t n = ops - i < sizeof(arg) ? ops - i : sizeof(arg);
		memcpy(arg, data + i, n);
		int32_t a, b;
		memcpy(&a, arg + 1, 4);
		memcpy(&b, arg + 5, 4);

		union xenkbd_in_event event;
		bool pushed = false, flush = false;
		switch (op % 8) {
		case 0: { // a key, as vkbd sends (code < KEY_CNT only if the router passes it)
			uint32_t code = ((uint32_t)arg[0] | (uint32_t)arg[1] << 8) % 0x320;
			if (op & 0x80) {
				/* A burst of presses and releases: enough of them overflow the queue. */
				for (int k = 0; k <= arg[2] >> 1; k++) {
					kbdif_event_key(&event, code, true);
					kbdif_ring_push(&ring, &event);
					kbdif_event_key(&event, code, false);
					kbdif_ring_push(&ring, &event);
				}
				check(ring.count <= KBDIF_QUEUE_MAX);
			}
			kbdif_event_key(&event, code, arg[2] & 1);
			if (code < KBDIF_KEY_COUNT) {
				wanted_keys[code] = arg[2] & 1;
			}
			pushed = true;
			i += 3;
			break;
		}
		case 1:
			kbdif_event_motion(&event, a, b, (int8_t)arg[0]);
			pushed = true;
			i += 9;
			break;
		case 2:
			kbdif_event_position(&event, clamp(a, dev.width), clamp(b, dev.height),
				(int8_t)arg[0]);
			pushed = true;
			i += 9;
			break;
		case 3: { // touch: down, motion, up, frame
			uint8_t type = arg[0] & 3;
			uint8_t contact = (uint8_t)(arg[0] >> 2);
			kbdif_event_touch(&event, type, contact, clamp(a, dev.mt_width),
				clamp(b, dev.mt_height));
			if (type == XENKBD_MT_EV_DOWN) {
				wanted_contacts[contact] = 1;
			} else if (type == XENKBD_MT_EV_UP) {
				wanted_contacts[contact] = 0;
			}
			pushed = true;
			i += 9;
			break;
		}
		case 4: // the guest consumes arg[0] events at most
			if (!g.hostile) {
				uint32_t avail = page->in_prod - g.cons;
				uint32_t k = arg[0] < avail ? arg[0] : avail;
				guest_read(&g, page, g.cons + k);
			}
			i += 1;
			break;
		case 5: // the guest writes an in_cons of its own
			WRITE_ONCE(page->in_cons, (uint32_t)a);
			g.hostile = g.hostile || (uint32_t)a != g.cons;
			i += 9;
			break;
		case 6:
			flush = true;
			break;
		case 7: // a contact the guest may hold from a backend before us
			kbdif_ring_assume_contact(&ring, arg[0]);
			wanted_contacts[arg[0]] = 1;
			g.contacts[arg[0]] = 1;
			i += 1;
			break;
		}
		/* What the guest left; now the backend writes. */
		memcpy(before + XENKBD_IN_RING_OFFS, page_bytes + XENKBD_IN_RING_OFFS,
			XENKBD_IN_RING_SIZE);
		uint32_t prod_before = page->in_prod;
		uint32_t cons = page->in_cons;
		bool broken_before = ring.broken;
		if (flush) {
			kbdif_ring_flush(&ring);
		}
		if (pushed) {
			enum kbdif_status status = kbdif_ring_push(&ring, &event);
			check(status == KBDIF_OK || status == KBDIF_DROPPED || status == KBDIF_BROKEN);
			check((status == KBDIF_BROKEN) == ring.broken);
			kbdif_ring_flush(&ring);
		}

		/* in_cons is the guest's (the rest of the page is checked at the end). */
		check(page->in_cons == cons);
		uint32_t advanced = page->in_prod - prod_before;
		check(ring.prod == page->in_prod);
		check(ring.count <= KBDIF_QUEUE_MAX);
		/* Broken only by an impossible in_cons, and then nothing more is written. */
		check(!ring.broken || broken_before ||
			(ring.bad_cons == cons && prod_before - cons > LEN));
		if (broken_before) {
			check(advanced == 0 && memcmp(before + XENKBD_IN_RING_OFFS,
						       page_bytes + XENKBD_IN_RING_OFFS,
						       XENKBD_IN_RING_SIZE) == 0);
		}
		if (prod_before - cons <= LEN) {
			/* A consistent in_cons: never more than a ring unconsumed... */
			check(page->in_prod - cons <= LEN);
			/* ...and every event not consumed is still in its slot. */
			for (uint32_t k = cons; k != prod_before; k++) {
				size_t off = XENKBD_IN_RING_OFFS +
					     (k % LEN) * sizeof(union xenkbd_in_event);
				check(memcmp(before + off, page_bytes + off,
					      sizeof(union xenkbd_in_event)) == 0);
			}
		}
		check(!ring.broken || g.hostile);
	}

	/* A behaving guest drains everything: nothing it holds is released in the owner. */
	if (!g.hostile && !ring.broken) {
		for (int round = 0; round < 2 * KBDIF_QUEUE_MAX / LEN + 8; round++) {
			guest_read(&g, page, page->in_prod);
			kbdif_ring_flush(&ring);
			if (!kbdif_ring_pending(&ring) && g.cons == page->in_prod) {
				break;
			}
		}
		check(!kbdif_ring_pending(&ring) && g.cons == page->in_prod && !ring.broken);
		for (uint32_t k = 0; k < KBDIF_KEY_COUNT; k++) {
			check(!g.keys[k] || wanted_keys[k]);
		}
		for (uint32_t c = 0; c < KBDIF_CONTACT_COUNT; c++) {
			check(!g.contacts[c] || wanted_contacts[c]);
		}
	}
	/* Only in_prod and the in-ring's slots were ever written. */
	for (size_t i = 8; i < XENKBD_IN_RING_OFFS; i++) {
		check(page_bytes[i] == (uint8_t)(i * 7));
	}
	for (size_t i = XENKBD_IN_RING_OFFS + XENKBD_IN_RING_SIZE; i < 4096; i++) {
		check(page_bytes[i] == (uint8_t)(i * 13));
	}
	kbdif_ring_finish(&ring);
	return 0;
}
