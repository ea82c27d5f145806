#include "modes.h"

#include <string.h>

static const char *const names[MISBEHAVE_COUNT] = {
	[MISBEHAVE_NONE] = "none",
	[MISBEHAVE_BAD_OPCODE] = "bad-opcode",
	[MISBEHAVE_COOKIE_ZERO] = "cookie-zero",
	[MISBEHAVE_DUP_COOKIE] = "dup-cookie",
	[MISBEHAVE_UNKNOWN_COOKIE] = "unknown-cookie",
	[MISBEHAVE_SMALL_BUFFER] = "small-buffer",
	[MISBEHAVE_HUGE_BUFFER] = "huge-buffer",
	[MISBEHAVE_PGDIR_SHORT] = "pgdir-short",
	[MISBEHAVE_PGDIR_LONG] = "pgdir-long",
	[MISBEHAVE_PGDIR_LOOP] = "pgdir-loop",
	[MISBEHAVE_PGDIR_FOREIGN] = "pgdir-foreign",
	[MISBEHAVE_DATA_OFS] = "data-ofs",
	[MISBEHAVE_FB_MISMATCH] = "fb-mismatch",
	[MISBEHAVE_CONFIG_OUTSIDE] = "config-outside",
	[MISBEHAVE_FLIP_DETACHED] = "flip-detached",
	[MISBEHAVE_FLIP_NEVER] = "flip-never",
	[MISBEHAVE_BUFFER_WRONG_RING] = "buffer-wrong-ring",
	[MISBEHAVE_BE_ALLOC_UNASKED] = "be-alloc-unasked",
	[MISBEHAVE_BUDGET_GHOST] = "budget-ghost",
	[MISBEHAVE_MANY_DBUFS] = "many-dbufs",
	[MISBEHAVE_MANY_FBS] = "many-fbs",
	[MISBEHAVE_FLOOD] = "flood",
	[MISBEHAVE_DIE_IN_CREATE] = "die-in-create",
	[MISBEHAVE_DIE_IN_FLIP] = "die-in-flip",
	[MISBEHAVE_RING_OVERFLOW] = "ring-overflow",
	[MISBEHAVE_XS_RES_ZERO] = "xs-res-zero",
	[MISBEHAVE_XS_RES_HUGE] = "xs-res-huge",
	[MISBEHAVE_XS_MISSING_REF] = "xs-missing-ref",
	[MISBEHAVE_XS_BAD_REF] = "xs-bad-ref",
	[MISBEHAVE_XS_BAD_CHANNEL] = "xs-bad-channel",
};

enum misbehave_mode misbehave_mode_from_name(const char *name)
{
	for (int m = MISBEHAVE_NONE + 1; name != NULL && m < MISBEHAVE_COUNT; m++) {
		if (strcmp(names[m], name) == 0) {
			return (enum misbehave_mode)m;
		}
	}
	return MISBEHAVE_NONE;
}

const char *misbehave_mode_name(enum misbehave_mode mode)
{
	return mode >= 0 && mode < MISBEHAVE_COUNT ? names[mode] : "?";
}

bool misbehave_mode_is_xenstore(enum misbehave_mode mode)
{
	return mode >= MISBEHAVE_XS_RES_ZERO && mode <= MISBEHAVE_XS_BAD_CHANNEL;
}

bool misbehave_mode_ends_run(enum misbehave_mode mode)
{
	return mode == MISBEHAVE_RING_OVERFLOW || misbehave_mode_is_xenstore(mode);
}

static const char *const kbd_names[KBD_MISBEHAVE_COUNT] = {
	[KBD_MISBEHAVE_NONE] = "none",
	[KBD_MISBEHAVE_STALL] = "kbd-stall",
	[KBD_MISBEHAVE_BAD_CONS] = "kbd-bad-cons",
	[KBD_MISBEHAVE_BAD_GREF] = "kbd-bad-gref",
	[KBD_MISBEHAVE_NO_CHANNEL] = "kbd-no-channel",
	[KBD_MISBEHAVE_PAGE_REF] = "kbd-page-ref",
};

enum kbd_misbehave_mode kbd_misbehave_mode_from_name(const char *name)
{
	for (int m = KBD_MISBEHAVE_NONE + 1; name != NULL && m < KBD_MISBEHAVE_COUNT; m++) {
		if (strcmp(kbd_names[m], name) == 0) {
			return (enum kbd_misbehave_mode)m;
		}
	}
	return KBD_MISBEHAVE_NONE;
}

const char *kbd_misbehave_mode_name(enum kbd_misbehave_mode mode)
{
	return mode >= 0 && mode < KBD_MISBEHAVE_COUNT ? kbd_names[mode] : "?";
}
