#ifndef MOSAIC_PROTOCOL_KBDIF_H
#define MOSAIC_PROTOCOL_KBDIF_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/ring.h"

/*
 * The backend's half of a kbdif event ring (struct xenkbd_page, shared with
 * the guest): events go in at in_prod and the guest consumes them. An event
 * is never written over one the guest has not consumed; what the ring cannot
 * take waits in a bounded queue, in order, where pointer motion, positions
 * and touch motion are merged. Keys and touch contacts going down or up are
 * never merged away. If the queue fills up too, the guest is not consuming:
 * everything is dropped until the queue has drained, and then the keys and
 * contacts whose release was dropped are released, so that nothing stays
 * pressed in the guest.
 *
 * Pure: no Xen calls, no logging. The owner notifies the guest when notify
 * is set, retries kbdif_ring_flush() while events are queued, and reports a
 * broken ring (the guest's consumer index is impossible) to the guest.
 */

/* Raw pointer coordinates (request-raw-pointer) range over [0, XENKBD_ABS_MAX]. */
#ifndef XENKBD_ABS_MAX
#define XENKBD_ABS_MAX 0x7fff
#endif

#define KBDIF_QUEUE_MAX 4096
/* Linux's KEY_CNT: key codes are 0..0x2ff. */
#define KBDIF_KEY_COUNT 0x300
/* contact_id is a byte. */
#define KBDIF_CONTACT_COUNT 256

enum kbdif_status {
	KBDIF_OK,      // written, or queued behind a full ring
	KBDIF_DROPPED, // the queue is full: the guest is not consuming
	KBDIF_BROKEN,  // the guest's consumer index is impossible: nothing more is written
};

struct kbdif_ring {
	struct xenkbd_page *page; // shared: the guest writes in_cons (and could write anything)
	uint32_t prod;            // ours: in_prod on the page is only ever written
	bool broken;
	uint32_t bad_cons; // the consumer index that broke it
	bool notify;       // events were written since the owner last notified
	bool dropping;     // the queue overflowed: dropping until it drains

	union xenkbd_in_event *queue; // KBDIF_QUEUE_MAX slots, allocated when first needed
	uint32_t head, count;

	uint64_t written, merged, dropped;
	uint64_t dropped_episode; // dropped since dropping began

	/*
	 * Keys and contacts down as the guest will see them once everything
	 * taken is delivered, and as the owner last asked: they differ only for
	 * what was dropped.
	 */
	uint8_t keys_taken[KBDIF_KEY_COUNT / 8], keys_wanted[KBDIF_KEY_COUNT / 8];
	uint8_t contacts_taken[KBDIF_CONTACT_COUNT / 8], contacts_wanted[KBDIF_CONTACT_COUNT / 8];
};

/* Starts producing on page (mapped, 4096 bytes) from the guest's current in_prod. */
void kbdif_ring_init(struct kbdif_ring *ring, void *page);
/* Forgets the page and frees the queue. */
void kbdif_ring_finish(struct kbdif_ring *ring);

/*
 * Writes the event, or queues it (merged where it can be). Call
 * kbdif_ring_flush() after, to publish what was queued behind it once room
 * appears.
 */
enum kbdif_status kbdif_ring_push(struct kbdif_ring *ring, const union xenkbd_in_event *event);
/*
 * Moves queued events into the ring as far as the guest has made room;
 * ends a dropping episode once the queue is empty. true if anything was
 * written (notify is set then too).
 */
bool kbdif_ring_flush(struct kbdif_ring *ring);

static inline bool kbdif_ring_pending(const struct kbdif_ring *ring)
{
	return ring->count > 0 || ring->dropping;
}

/*
 * The guest may hold this contact down already (another backend served it
 * before us): its release is to be delivered, not taken for one whose down
 * was dropped.
 */
void kbdif_ring_assume_contact(struct kbdif_ring *ring, uint8_t contact);

/* Event constructors: every reserved byte zero. */
void kbdif_event_key(union xenkbd_in_event *event, uint32_t keycode, bool pressed);
void kbdif_event_motion(union xenkbd_in_event *event, int32_t dx, int32_t dy, int32_t dz);
void kbdif_event_position(union xenkbd_in_event *event, int32_t x, int32_t y, int32_t dz);
/* XENKBD_MT_EV_DOWN, _MOTION (x, y used), _UP, _SYN (x, y ignored). */
void kbdif_event_touch(
	union xenkbd_in_event *event, uint8_t type, uint8_t contact, int32_t x, int32_t y);

#endif
