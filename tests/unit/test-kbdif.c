/*
 * The kbdif event ring's producer, against a page in our own memory and a
 * guest played here: nothing unconsumed is ever overwritten, order is kept,
 * motion merges while queued, keys and touch down/up never do, an overflow
 * drops and then releases what the guest still holds, and an impossible
 * consumer index stops all writing.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "protocol/kbdif.h"

/* The guest: a page, its consumer index, and what it has read so far. */
struct guest {
	union {
		struct xenkbd_page page;
		uint8_t bytes[XEN_PAGE_SIZE];
	} * mem;
	union xenkbd_in_event *seen;
	size_t nseen, cap;
};

static void guest_init(struct guest *g)
{
	memset(g, 0, sizeof(*g));
	g->mem = calloc(1, sizeof(*g->mem));
	g->cap = 1 << 16;
	g->seen = calloc(g->cap, sizeof(*g->seen));
	if (g->mem == NULL || g->seen == NULL) {
		abort();
	}
}

static void guest_finish(struct guest *g)
{
	free(g->mem);
	free(g->seen);
}

/* Consumes up to max events, as xen-kbdfront's interrupt handler does. */
static size_t guest_consume(struct guest *g, size_t max)
{
	struct xenkbd_page *page = &g->mem->page;
	uint32_t prod = page->in_prod, cons = page->in_cons;
	CHECK_MSG(prod - cons <= XENKBD_IN_RING_LEN, "producer %u is %u ahead of %u", prod,
		prod - cons, cons);
	size_t n = 0;
	for (; cons != prod && n < max; cons++, n++) {
		if (g->nseen < g->cap) {
			g->seen[g->nseen++] = XENKBD_IN_RING_REF(page, cons);
		}
	}
	page->in_cons = cons;
	return n;
}

static void push_ok(struct kbdif_ring *ring, const union xenkbd_in_event *event)
{
	enum kbdif_status status = kbdif_ring_push(ring, event);
	CHECK_MSG(status == KBDIF_OK, "push: status %d", status);
	kbdif_ring_flush(ring);
}

static void push_key(struct kbdif_ring *ring, uint32_t code, bool pressed)
{
	union xenkbd_in_event event;
	kbdif_event_key(&event, code, pressed);
	push_ok(ring, &event);
}

static void push_touch(struct kbdif_ring *ring, uint8_t type, uint8_t contact, int32_t x, int32_t y)
{
	union xenkbd_in_event event;
	kbdif_event_touch(&event, type, contact, x, y);
	push_ok(ring, &event);
}

/* Keys with codes 1.., in order, written straight and queued, every slot intact. */
static void test_order(void)
{
	struct guest g;
	guest_init(&g);
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);

	union xenkbd_in_event event;
	kbdif_event_key(&event, 30, true);
	CHECK_MSG(kbdif_ring_push(&ring, &event) == KBDIF_OK, "first key");
	CHECK_MSG(g.mem->page.in_prod == 1 && ring.notify, "written at once and to be notified");
	CHECK_MSG(memcmp(&XENKBD_IN_RING_REF(&g.mem->page, 0), &event, sizeof(event)) == 0,
		"slot 0 holds the event");
	guest_consume(&g, SIZE_MAX);
	g.nseen = 0;

	/* 10000 events, the guest consuming in bursts of 0..60. */
	uint32_t sent = 0;
	unsigned seed = 1;
	while (sent < 10000) {
		for (int i = 0; i < 7 && sent < 10000; i++, sent++) {
			push_key(&ring, 1 + sent % 700, sent % 2 == 0);
		}
		CHECK_MSG(ring.count <= KBDIF_QUEUE_MAX, "queue over its bound");
		seed = seed * 1103515245 + 12345;
		guest_consume(&g, (seed >> 16) % 61);
		kbdif_ring_flush(&ring);
	}
	while (ring.count > 0) {
		guest_consume(&g, SIZE_MAX);
		kbdif_ring_flush(&ring);
	}
	guest_consume(&g, SIZE_MAX);
	CHECK_MSG(g.nseen == 10000, "%zu events seen", g.nseen);
	for (size_t i = 0; i < g.nseen && i < 10000; i++) {
		const struct xenkbd_key *key = &g.seen[i].key;
		if (key->type != XENKBD_TYPE_KEY || key->keycode != 1 + i % 700 ||
			key->pressed != (i % 2 == 0)) {
			CHECK_MSG(false, "event %zu: type %u code %u pressed %u", i, key->type,
				key->keycode, key->pressed);
			break;
		}
	}
	CHECK_MSG(ring.dropped == 0 && ring.merged == 0, "dropped %llu merged %llu",
		(unsigned long long)ring.dropped, (unsigned long long)ring.merged);
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

/* A backend before us left events: we go on after them, never over them. */
static void test_resume_prod(void)
{
	struct guest g;
	guest_init(&g);
	g.mem->page.in_prod = 0xfffffff0u;
	g.mem->page.in_cons = 0xffffffe0u;
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);
	for (int i = 0; i < 60; i++) {
		push_key(&ring, 2 + i, true);
	}
	/* Up to the wrap of the index (below), the rest queued. */
	CHECK_MSG(g.mem->page.in_prod == 0, "in_prod %#x", g.mem->page.in_prod);
	CHECK_MSG(ring.count == 60 - 16, "%u queued", ring.count);
	guest_consume(&g, SIZE_MAX);
	while (ring.count > 0) {
		kbdif_ring_flush(&ring);
		guest_consume(&g, SIZE_MAX);
	}
	CHECK_MSG(g.nseen == 16 + 60, "%zu events seen", g.nseen);
	for (size_t i = 16; i < g.nseen; i++) {
		CHECK_MSG(g.seen[i].key.keycode == 2 + (i - 16), "event %zu: code %u", i,
			g.seen[i].key.keycode);
	}
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

/*
 * The index wraps at 2^32, which the ring's 51 slots do not divide: index 0
 * and index 0xffffffff share slot 0, for the guest as for us. Found by
 * fuzz-kbdif: the event written at index 0 replaced the unconsumed one at
 * 0xffffffff, so the guest read the later one twice and never the earlier
 * (a key release lost: a key stuck down). A guest chooses the index it
 * starts from, and one up for long enough gets there anyway.
 */
static void test_index_wrap(void)
{
	struct guest g;
	guest_init(&g);
	g.mem->page.in_prod = g.mem->page.in_cons = 0xfffffffeu;
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);
	for (uint32_t i = 0; i < 4; i++) {
		push_key(&ring, KEY_A + i, i % 2 == 0);
	}
	/* Index 0 waits until the guest has read 0xffffffff. */
	CHECK_MSG(g.mem->page.in_prod == 0 && ring.count == 2, "in_prod %#x, %u queued",
		g.mem->page.in_prod, ring.count);
	guest_consume(&g, SIZE_MAX);
	kbdif_ring_flush(&ring);
	guest_consume(&g, SIZE_MAX);
	CHECK_MSG(g.nseen == 4, "%zu events seen", g.nseen);
	for (uint32_t i = 0; i < g.nseen; i++) {
		CHECK_MSG(g.seen[i].key.keycode == KEY_A + i && g.seen[i].key.pressed == (i % 2 == 0),
			"event %u: code %u pressed %u", i, g.seen[i].key.keycode,
			g.seen[i].key.pressed);
	}
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

/* Behind a full ring: motion sums, positions keep the last, keys stay apart. */
static void test_merge_pointer(void)
{
	struct guest g;
	guest_init(&g);
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);
	for (int i = 0; i < XENKBD_IN_RING_LEN; i++) {
		push_key(&ring, 16, i % 2 == 0);
	}
	union xenkbd_in_event event;
	for (int i = 0; i < 1000; i++) {
		kbdif_event_motion(&event, 1, -2, i % 2);
		push_ok(&ring, &event);
	}
	CHECK_MSG(ring.count == 1 && ring.merged == 999, "%u queued, %llu merged", ring.count,
		(unsigned long long)ring.merged);
	push_key(&ring, BTN_LEFT, true);
	push_key(&ring, BTN_LEFT, false);
	push_key(&ring, BTN_LEFT, true);
	for (int i = 0; i < 10; i++) {
		kbdif_event_position(&event, 100 + i, 200 + i, 1);
		push_ok(&ring, &event);
	}
	kbdif_event_motion(&event, INT32_MAX, 0, 0);
	push_ok(&ring, &event);
	push_ok(&ring, &event);
	CHECK_MSG(ring.count == 6, "%u queued", ring.count);

	while (kbdif_ring_pending(&ring)) {
		guest_consume(&g, SIZE_MAX);
		kbdif_ring_flush(&ring);
	}
	guest_consume(&g, SIZE_MAX);
	CHECK_MSG(g.nseen == XENKBD_IN_RING_LEN + 6, "%zu events", g.nseen);
	if (g.nseen == XENKBD_IN_RING_LEN + 6) {
		const union xenkbd_in_event *e = &g.seen[XENKBD_IN_RING_LEN];
		CHECK_MSG(e[0].type == XENKBD_TYPE_MOTION && e[0].motion.rel_x == 1000 &&
				  e[0].motion.rel_y == -2000 && e[0].motion.rel_z == 500,
			"merged motion %d %d %d", e[0].motion.rel_x, e[0].motion.rel_y,
			e[0].motion.rel_z);
		CHECK_MSG(e[1].type == XENKBD_TYPE_KEY && e[1].key.pressed == 1 &&
				  e[2].type == XENKBD_TYPE_KEY && e[2].key.pressed == 0 &&
				  e[3].type == XENKBD_TYPE_KEY && e[3].key.pressed == 1,
			"button press, release, press kept apart");
		CHECK_MSG(e[4].type == XENKBD_TYPE_POS && e[4].pos.abs_x == 109 &&
				  e[4].pos.abs_y == 209 && e[4].pos.rel_z == 10,
			"merged position %d,%d wheel %d", e[4].pos.abs_x, e[4].pos.abs_y,
			e[4].pos.rel_z);
		CHECK_MSG(e[5].type == XENKBD_TYPE_MOTION && e[5].motion.rel_x == INT32_MAX,
			"motion sums saturate: %d", e[5].motion.rel_x);
	}
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

/* Behind a full ring: a contact's motion merges across frames; down, up and order stay. */
static void test_merge_touch(void)
{
	struct guest g;
	guest_init(&g);
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);
	for (int i = 0; i < XENKBD_IN_RING_LEN; i++) {
		push_key(&ring, 16, i % 2 == 0);
	}
	push_touch(&ring, XENKBD_MT_EV_DOWN, 0, 10, 10);
	push_touch(&ring, XENKBD_MT_EV_DOWN, 1, 50, 50);
	push_touch(&ring, XENKBD_MT_EV_SYN, 1, 0, 0);
	for (int i = 1; i <= 100; i++) {
		push_touch(&ring, XENKBD_MT_EV_MOTION, 0, 10 + i, 10);
		push_touch(&ring, XENKBD_MT_EV_MOTION, 1, 50, 50 + i);
		push_touch(&ring, XENKBD_MT_EV_SYN, 1, 0, 0);
	}
	push_touch(&ring, XENKBD_MT_EV_UP, 0, 0, 0);
	push_touch(&ring, XENKBD_MT_EV_SYN, 0, 0, 0);
	push_touch(&ring, XENKBD_MT_EV_MOTION, 1, 70, 70);
	push_touch(&ring, XENKBD_MT_EV_SYN, 1, 0, 0);
	/* D0 D1 S M0 M1 S U0 S M1 S */
	CHECK_MSG(ring.count == 10, "%u queued", ring.count);
	while (kbdif_ring_pending(&ring)) {
		guest_consume(&g, SIZE_MAX);
		kbdif_ring_flush(&ring);
	}
	guest_consume(&g, SIZE_MAX);
	static const struct {
		uint8_t type, contact;
		int32_t x, y;
	} want[] = {
		{XENKBD_MT_EV_DOWN, 0, 10, 10},
		{XENKBD_MT_EV_DOWN, 1, 50, 50},
		{XENKBD_MT_EV_SYN, 1, 0, 0},
		{XENKBD_MT_EV_MOTION, 0, 110, 10},
		{XENKBD_MT_EV_MOTION, 1, 50, 150},
		{XENKBD_MT_EV_SYN, 1, 0, 0},
		{XENKBD_MT_EV_UP, 0, 0, 0},
		{XENKBD_MT_EV_SYN, 0, 0, 0},
		{XENKBD_MT_EV_MOTION, 1, 70, 70},
		{XENKBD_MT_EV_SYN, 1, 0, 0},
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	CHECK_MSG(g.nseen == XENKBD_IN_RING_LEN + n, "%zu events", g.nseen);
	for (size_t i = 0; i < n && XENKBD_IN_RING_LEN + i < g.nseen; i++) {
		const struct xenkbd_mtouch *mt = &g.seen[XENKBD_IN_RING_LEN + i].mtouch;
		bool pos = want[i].type == XENKBD_MT_EV_DOWN || want[i].type == XENKBD_MT_EV_MOTION;
		CHECK_MSG(mt->type == XENKBD_TYPE_MTOUCH && mt->event_type == want[i].type &&
				  mt->contact_id == want[i].contact &&
				  (!pos || (mt->u.pos.abs_x == want[i].x &&
						   mt->u.pos.abs_y == want[i].y)),
			"touch event %zu: type %u contact %u at %d,%d", i, mt->event_type,
			mt->contact_id, mt->u.pos.abs_x, mt->u.pos.abs_y);
	}
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

/*
 * A guest that stops consuming: 51 events in the ring, 4096 queued, the
 * rest dropped; once it drains, keys and contacts it still holds but that
 * were let go meanwhile are released, and events are taken again.
 */
static void test_overflow(void)
{
	struct guest g;
	guest_init(&g);
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);
	push_key(&ring, 42, true);                     // shift held
	push_touch(&ring, XENKBD_MT_EV_DOWN, 3, 1, 1); // a finger down
	push_touch(&ring, XENKBD_MT_EV_SYN, 3, 0, 0);
	uint32_t taken = 3;
	union xenkbd_in_event event;
	enum kbdif_status status = KBDIF_OK;
	int sent;
	for (sent = 0; sent < 10000; sent++) {
		kbdif_event_key(&event, 30, sent % 2 == 0);
		status = kbdif_ring_push(&ring, &event);
		kbdif_ring_flush(&ring);
		if (status != KBDIF_OK) {
			break;
		}
		taken++;
	}
	CHECK_MSG(status == KBDIF_DROPPED && taken == XENKBD_IN_RING_LEN + KBDIF_QUEUE_MAX,
		"dropping after %u events (status %d)", taken, status);
	CHECK_MSG(ring.dropping, "dropping");
	/* While it drops: shift and the finger are let go, a new key is pressed. */
	kbdif_event_key(&event, 48, true);
	CHECK_MSG(kbdif_ring_push(&ring, &event) == KBDIF_DROPPED, "press dropped");
	kbdif_event_key(&event, 42, false);
	CHECK_MSG(kbdif_ring_push(&ring, &event) == KBDIF_DROPPED, "release dropped too");
	kbdif_event_touch(&event, XENKBD_MT_EV_UP, 3, 0, 0);
	CHECK_MSG(kbdif_ring_push(&ring, &event) == KBDIF_DROPPED, "touch up dropped too");

	while (kbdif_ring_pending(&ring)) {
		guest_consume(&g, SIZE_MAX);
		kbdif_ring_flush(&ring);
	}
	guest_consume(&g, SIZE_MAX);
	CHECK_MSG(!ring.dropping && ring.dropped == 4 && ring.dropped_episode == 4,
		"dropping %d, %llu dropped", ring.dropping, (unsigned long long)ring.dropped);
	/* Taken events, then: shift up, contact 3 up, a frame. */
	CHECK_MSG(g.nseen == taken + 3, "%zu events seen, %u taken", g.nseen, taken);
	if (g.nseen == taken + 3) {
		const union xenkbd_in_event *e = &g.seen[taken];
		CHECK_MSG(
			e[0].type == XENKBD_TYPE_KEY && e[0].key.keycode == 42 && !e[0].key.pressed,
			"shift released after the drain");
		CHECK_MSG(e[1].type == XENKBD_TYPE_MTOUCH &&
				  e[1].mtouch.event_type == XENKBD_MT_EV_UP &&
				  e[1].mtouch.contact_id == 3,
			"contact 3 lifted after the drain");
		CHECK_MSG(e[2].type == XENKBD_TYPE_MTOUCH &&
				  e[2].mtouch.event_type == XENKBD_MT_EV_SYN,
			"and a frame");
	}
	/* Key 48's press was dropped: its release goes through, harmless; then all is normal. */
	g.nseen = 0;
	push_key(&ring, 48, false);
	push_key(&ring, 30, true);
	guest_consume(&g, SIZE_MAX);
	CHECK_MSG(g.nseen == 2 && g.seen[1].key.keycode == 30, "taking events again");
	/* A contact whose down was dropped neither moves nor lifts. */
	union xenkbd_in_event m;
	kbdif_event_touch(&m, XENKBD_MT_EV_MOTION, 9, 5, 5);
	CHECK_MSG(kbdif_ring_push(&ring, &m) == KBDIF_OK && ring.prod == g.mem->page.in_prod &&
			  g.mem->page.in_prod == g.mem->page.in_cons,
		"motion of a contact never down is not sent");
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

/* A consumer index ahead of us, or further behind than the ring: nothing more is written. */
static void test_hostile(void)
{
	static const uint32_t bad[] = {1, 1000, 0x80000000u, 0xffffffffu - XENKBD_IN_RING_LEN};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guest g;
		guest_init(&g);
		struct kbdif_ring ring;
		kbdif_ring_init(&ring, g.mem);
		push_key(&ring, 30, true);
		guest_consume(&g, SIZE_MAX);
		g.mem->page.in_cons = 1 + bad[i];
		union xenkbd_in_event event;
		kbdif_event_key(&event, 30, false);
		CHECK_MSG(kbdif_ring_push(&ring, &event) == KBDIF_BROKEN, "in_cons %u: accepted",
			1 + bad[i]);
		CHECK_MSG(
			ring.broken && ring.bad_cons == 1 + bad[i], "broken, at %u", ring.bad_cons);
		CHECK_MSG(g.mem->page.in_prod == 1, "in_prod moved to %u", g.mem->page.in_prod);
		g.mem->page.in_cons = 1;
		CHECK_MSG(
			kbdif_ring_push(&ring, &event) == KBDIF_BROKEN && !kbdif_ring_flush(&ring),
			"broken for good");
		kbdif_ring_finish(&ring);
		guest_finish(&g);
	}

	/* Broken while events wait in the queue: the flush finds it. */
	struct guest g;
	guest_init(&g);
	struct kbdif_ring ring;
	kbdif_ring_init(&ring, g.mem);
	for (int i = 0; i < XENKBD_IN_RING_LEN + 5; i++) {
		push_key(&ring, 30, i % 2 == 0);
	}
	g.mem->page.in_cons = 0xdeadbeef;
	CHECK_MSG(!kbdif_ring_flush(&ring) && ring.broken, "flush into a broken ring");
	CHECK_MSG(g.mem->page.in_prod == XENKBD_IN_RING_LEN, "in_prod %u", g.mem->page.in_prod);
	kbdif_ring_finish(&ring);
	guest_finish(&g);
}

int main(void)
{
	test_order();
	test_resume_prod();
	test_index_wrap();
	test_merge_pointer();
	test_merge_touch();
	test_overflow();
	test_hostile();
	return check_result("test-kbdif");
}
