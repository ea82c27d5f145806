#ifndef VGUEST_MODES_H
#define VGUEST_MODES_H

#include <stdbool.h>

/*
 * The hostile behaviours of --misbehave, one per hostile case a backend must
 * survive. README.md describes each. Request modes print one line per answer
 * and go on flipping; XenStore modes and ring-overflow print the backend's
 * state and error key, then leave.
 */
enum misbehave_mode {
	MISBEHAVE_NONE = 0,
	/* Requests, after the guest's own buffers are up. */
	MISBEHAVE_BAD_OPCODE,
	MISBEHAVE_COOKIE_ZERO,
	MISBEHAVE_DUP_COOKIE,
	MISBEHAVE_UNKNOWN_COOKIE,
	MISBEHAVE_SMALL_BUFFER,
	MISBEHAVE_HUGE_BUFFER,
	MISBEHAVE_PGDIR_SHORT,
	MISBEHAVE_PGDIR_LONG,
	MISBEHAVE_PGDIR_LOOP,
	MISBEHAVE_PGDIR_FOREIGN,
	MISBEHAVE_DATA_OFS,
	MISBEHAVE_FB_MISMATCH,
	MISBEHAVE_CONFIG_OUTSIDE,
	MISBEHAVE_FLIP_DETACHED,
	MISBEHAVE_FLIP_NEVER,
	MISBEHAVE_BUFFER_WRONG_RING,
	MISBEHAVE_BE_ALLOC_UNASKED,
	MISBEHAVE_BUDGET_GHOST,
	MISBEHAVE_MANY_DBUFS,
	MISBEHAVE_MANY_FBS,
	MISBEHAVE_FLOOD,
	/* A crash with a request in flight: the guest exits as soon as it is on the ring. */
	MISBEHAVE_DIE_IN_CREATE,
	MISBEHAVE_DIE_IN_FLIP,
	/* The ring itself: the backend must give up on us. */
	MISBEHAVE_RING_OVERFLOW,
	/* Our XenStore directory, before publishing. */
	MISBEHAVE_XS_RES_ZERO,
	MISBEHAVE_XS_RES_HUGE,
	MISBEHAVE_XS_MISSING_REF,
	MISBEHAVE_XS_BAD_REF,
	MISBEHAVE_XS_BAD_CHANNEL,
	MISBEHAVE_COUNT,
};

/*
 * The kbdif frontend's (--vkb) hostile behaviours, named "kbd-...": the
 * first three are published instead of a proper page-gref/event-channel;
 * kbd-bad-cons corrupts the ring once connected; kbd-stall consumes nothing
 * until SIGUSR1.
 */
enum kbd_misbehave_mode {
	KBD_MISBEHAVE_NONE = 0,
	KBD_MISBEHAVE_STALL,      /* never consume the event ring (until SIGUSR1) */
	KBD_MISBEHAVE_BAD_CONS,   /* in_cons 1000 ahead of in_prod once connected */
	KBD_MISBEHAVE_BAD_GREF,   /* page-gref of a page never granted */
	KBD_MISBEHAVE_NO_CHANNEL, /* no event-channel published */
	KBD_MISBEHAVE_PAGE_REF,   /* only the obsolete page-ref (a frame number) published */
	KBD_MISBEHAVE_COUNT,
};

/* The mode named on the command line, MISBEHAVE_NONE if none matches. */
enum misbehave_mode misbehave_mode_from_name(const char *name);
const char *misbehave_mode_name(enum misbehave_mode mode);

/* Modes acted out on XenStore before publishing. */
bool misbehave_mode_is_xenstore(enum misbehave_mode mode);
/* Modes after which the guest reports the backend's state and leaves (exit 0). */
bool misbehave_mode_ends_run(enum misbehave_mode mode);

enum kbd_misbehave_mode kbd_misbehave_mode_from_name(const char *name);
const char *kbd_misbehave_mode_name(enum kbd_misbehave_mode mode);

#endif
