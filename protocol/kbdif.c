#include <stdlib.h>
#include <string.h>

#include "protocol/kbdif.h"

/* How far back a touch motion looks for its contact's queued motion to merge with. */
#define MERGE_SCAN_MAX (2 * KBDIF_CONTACT_COUNT + 2)

static bool bit_get(const uint8_t *bits, uint32_t i)
{
	return (bits[i / 8] >> (i % 8)) & 1;
}

static void bit_set(uint8_t *bits, uint32_t i, bool value)
{
	if (value) {
		bits[i / 8] |= (uint8_t)(1u << (i % 8));
	} else {
		bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
	}
}

static int32_t add_saturated(int32_t a, int32_t b)
{
	int64_t sum = (int64_t)a + b;
	if (sum > INT32_MAX) {
		return INT32_MAX;
	}
	if (sum < INT32_MIN) {
		return INT32_MIN;
	}
	return (int32_t)sum;
}

void kbdif_event_key(union xenkbd_in_event *event, uint32_t keycode, bool pressed)
{
	memset(event, 0, sizeof(*event));
	event->key.type = XENKBD_TYPE_KEY;
	event->key.pressed = pressed ? 1 : 0;
	event->key.keycode = keycode;
}

void kbdif_event_motion(union xenkbd_in_event *event, int32_t dx, int32_t dy, int32_t dz)
{
	memset(event, 0, sizeof(*event));
	event->motion.type = XENKBD_TYPE_MOTION;
	event->motion.rel_x = dx;
	event->motion.rel_y = dy;
	event->motion.rel_z = dz;
}

void kbdif_event_position(union xenkbd_in_event *event, int32_t x, int32_t y, int32_t dz)
{
	memset(event, 0, sizeof(*event));
	event->pos.type = XENKBD_TYPE_POS;
	event->pos.abs_x = x;
	event->pos.abs_y = y;
	event->pos.rel_z = dz;
}

void kbdif_event_touch(
	union xenkbd_in_event *event, uint8_t type, uint8_t contact, int32_t x, int32_t y)
{
	memset(event, 0, sizeof(*event));
	event->mtouch.type = XENKBD_TYPE_MTOUCH;
	event->mtouch.event_type = type;
	event->mtouch.contact_id = contact;
	if (type == XENKBD_MT_EV_DOWN || type == XENKBD_MT_EV_MOTION) {
		event->mtouch.u.pos.abs_x = x;
		event->mtouch.u.pos.abs_y = y;
	}
}

void kbdif_ring_init(struct kbdif_ring *ring, void *page)
{
	memset(ring, 0, sizeof(*ring));
	ring->page = page;
	/* Whatever a backend before us left unconsumed stays; we go on after it. */
	ring->prod = READ_ONCE(ring->page->in_prod);
}

void kbdif_ring_finish(struct kbdif_ring *ring)
{
	free(ring->queue);
	memset(ring, 0, sizeof(*ring));
}

void kbdif_ring_assume_contact(struct kbdif_ring *ring, uint8_t contact)
{
	bit_set(ring->contacts_taken, contact, true);
	bit_set(ring->contacts_wanted, contact, true);
}

/* Keys and contacts as the owner asks, whatever becomes of the event. */
static void track(uint8_t *keys, uint8_t *contacts, const union xenkbd_in_event *event)
{
	if (event->type == XENKBD_TYPE_KEY && event->key.keycode < KBDIF_KEY_COUNT) {
		bit_set(keys, event->key.keycode, event->key.pressed != 0);
	} else if (event->type == XENKBD_TYPE_MTOUCH) {
		if (event->mtouch.event_type == XENKBD_MT_EV_DOWN) {
			bit_set(contacts, event->mtouch.contact_id, true);
		} else if (event->mtouch.event_type == XENKBD_MT_EV_UP) {
			bit_set(contacts, event->mtouch.contact_id, false);
		}
	}
}

/*
 * Free slots in the ring, or -1 if the guest's consumer index is impossible:
 * it may only ever be 0 to XENKBD_IN_RING_LEN events behind what we produced.
 */
static int ring_room(struct kbdif_ring *ring)
{
	uint32_t cons = READ_ONCE(ring->page->in_cons);
	uint32_t used = ring->prod - cons;
	if (used > XENKBD_IN_RING_LEN) {
		ring->broken = true;
		ring->bad_cons = cons;
		return -1;
	}
	/* The guest has read the slots it released before we write them again. */
	mb();
	uint32_t room = XENKBD_IN_RING_LEN - used;
	/*
	 * The index wraps at 2^32, which the ring's length does not divide:
	 * index 0 shares slot 0 with 0xffffffff. Go past the wrap only once
	 * everything before it is consumed.
	 */
	if (ring->prod == 0 && used != 0) {
		room = 0;
	} else if (ring->prod != 0 && room > 0u - ring->prod) {
		room = 0u - ring->prod;
	}
	return (int)room;
}

static void write_slot(struct kbdif_ring *ring, const union xenkbd_in_event *event)
{
	memcpy(&XENKBD_IN_RING_REF(ring->page, ring->prod), event, sizeof(*event));
	ring->prod++;
	ring->written++;
}

static void publish(struct kbdif_ring *ring)
{
	/* The events are in place before the guest can see the index that covers them. */
	wmb();
	WRITE_ONCE(ring->page->in_prod, ring->prod);
	ring->notify = true;
}

static union xenkbd_in_event *queue_at(struct kbdif_ring *ring, uint32_t i)
{
	return &ring->queue[(ring->head + i) % KBDIF_QUEUE_MAX];
}

static bool enqueue(struct kbdif_ring *ring, const union xenkbd_in_event *event)
{
	if (ring->queue == NULL) {
		ring->queue = calloc(KBDIF_QUEUE_MAX, sizeof(*ring->queue));
		if (ring->queue == NULL) {
			return false;
		}
	}
	if (ring->count == KBDIF_QUEUE_MAX) {
		return false;
	}
	*queue_at(ring, ring->count) = *event;
	ring->count++;
	return true;
}

/* Merges a touch motion into its contact's last queued motion, past others' motion and frames. */
static bool merge_touch_motion(struct kbdif_ring *ring, const struct xenkbd_mtouch *mt)
{
	uint32_t scanned = 0;
	for (uint32_t i = ring->count; i-- > 0 && scanned < MERGE_SCAN_MAX; scanned++) {
		struct xenkbd_mtouch *queued = &queue_at(ring, i)->mtouch;
		if (queued->type != XENKBD_TYPE_MTOUCH) {
			return false;
		}
		if (queued->event_type == XENKBD_MT_EV_SYN) {
			continue;
		}
		if (queued->event_type != XENKBD_MT_EV_MOTION) {
			/* A contact going down or up: what came after it stays after it. */
			return false;
		}
		if (queued->contact_id == mt->contact_id) {
			queued->u.pos = mt->u.pos;
			return true;
		}
	}
	return false;
}

/* Folds the event into what is queued, if that loses nothing but intermediate steps. */
static bool merge(struct kbdif_ring *ring, const union xenkbd_in_event *event)
{
	union xenkbd_in_event *tail = queue_at(ring, ring->count - 1);
	switch (event->type) {
	case XENKBD_TYPE_MOTION:
		if (tail->type != XENKBD_TYPE_MOTION) {
			return false;
		}
		tail->motion.rel_x = add_saturated(tail->motion.rel_x, event->motion.rel_x);
		tail->motion.rel_y = add_saturated(tail->motion.rel_y, event->motion.rel_y);
		tail->motion.rel_z = add_saturated(tail->motion.rel_z, event->motion.rel_z);
		return true;
	case XENKBD_TYPE_POS:
		if (tail->type != XENKBD_TYPE_POS) {
			return false;
		}
		tail->pos.abs_x = event->pos.abs_x;
		tail->pos.abs_y = event->pos.abs_y;
		tail->pos.rel_z = add_saturated(tail->pos.rel_z, event->pos.rel_z);
		return true;
	case XENKBD_TYPE_MTOUCH:
		if (event->mtouch.event_type == XENKBD_MT_EV_SYN) {
			/* A frame with nothing in it since the last one. */
			return tail->type == XENKBD_TYPE_MTOUCH &&
			       tail->mtouch.event_type == XENKBD_MT_EV_SYN;
		}
		if (event->mtouch.event_type == XENKBD_MT_EV_MOTION) {
			return merge_touch_motion(ring, &event->mtouch);
		}
		return false;
	default:
		return false;
	}
}

/* A contact the guest never saw go down (its DOWN was dropped) has nothing to move or lift. */
static bool deliverable(const struct kbdif_ring *ring, const union xenkbd_in_event *event)
{
	if (event->type != XENKBD_TYPE_MTOUCH) {
		return true;
	}
	uint8_t type = event->mtouch.event_type;
	if (type == XENKBD_MT_EV_DOWN || type == XENKBD_MT_EV_SYN) {
		return true;
	}
	return bit_get(ring->contacts_taken, event->mtouch.contact_id);
}

enum kbdif_status kbdif_ring_push(struct kbdif_ring *ring, const union xenkbd_in_event *event)
{
	track(ring->keys_wanted, ring->contacts_wanted, event);
	if (ring->broken || ring->page == NULL) {
		return KBDIF_BROKEN;
	}
	if (ring->dropping) {
		ring->dropped++;
		ring->dropped_episode++;
		return KBDIF_DROPPED;
	}
	if (!deliverable(ring, event)) {
		return KBDIF_OK;
	}
	if (ring->count == 0) {
		int room = ring_room(ring);
		if (room < 0) {
			return KBDIF_BROKEN;
		}
		if (room > 0) {
			write_slot(ring, event);
			publish(ring);
			track(ring->keys_taken, ring->contacts_taken, event);
			return KBDIF_OK;
		}
	} else if (merge(ring, event)) {
		ring->merged++;
		return KBDIF_OK;
	}
	if (!enqueue(ring, event)) {
		ring->dropping = true;
		ring->dropped++;
		ring->dropped_episode = 1;
		return KBDIF_DROPPED;
	}
	track(ring->keys_taken, ring->contacts_taken, event);
	return KBDIF_OK;
}

/*
 * The queue has drained after an overflow: release what the guest still
 * holds down but the owner let go of meanwhile (presses that were dropped
 * are not invented).
 */
static void release_dropped(struct kbdif_ring *ring)
{
	union xenkbd_in_event event;
	for (uint32_t key = 0; key < KBDIF_KEY_COUNT; key++) {
		if (bit_get(ring->keys_taken, key) && !bit_get(ring->keys_wanted, key)) {
			kbdif_event_key(&event, key, false);
			enqueue(ring, &event);
			bit_set(ring->keys_taken, key, false);
		}
	}
	int last = -1;
	for (uint32_t contact = 0; contact < KBDIF_CONTACT_COUNT; contact++) {
		if (bit_get(ring->contacts_taken, contact) &&
			!bit_get(ring->contacts_wanted, contact)) {
			kbdif_event_touch(&event, XENKBD_MT_EV_UP, (uint8_t)contact, 0, 0);
			enqueue(ring, &event);
			bit_set(ring->contacts_taken, contact, false);
			last = (int)contact;
		}
	}
	if (last >= 0) {
		kbdif_event_touch(&event, XENKBD_MT_EV_SYN, (uint8_t)last, 0, 0);
		enqueue(ring, &event);
	}
}

bool kbdif_ring_flush(struct kbdif_ring *ring)
{
	if (ring->broken || ring->page == NULL) {
		return false;
	}
	bool wrote = false;
	for (;;) {
		if (ring->count == 0) {
			if (!ring->dropping) {
				break;
			}
			/* Drained: take events again, after setting straight what was dropped. */
			ring->dropping = false;
			release_dropped(ring);
			if (ring->count == 0) {
				break;
			}
		}
		int room = ring_room(ring);
		if (room <= 0) {
			break;
		}
		while (room-- > 0 && ring->count > 0) {
			write_slot(ring, queue_at(ring, 0));
			ring->head = (ring->head + 1) % KBDIF_QUEUE_MAX;
			ring->count--;
		}
		publish(ring);
		wrote = true;
	}
	return wrote;
}
