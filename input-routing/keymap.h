#ifndef MOSAIC_INPUT_ROUTING_KEYMAP_H
#define MOSAIC_INPUT_ROUTING_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <xkbcommon/xkbcommon.h>

/*
 * Guests get Linux key codes and apply their own keyboard layout. A real
 * keyboard's codes go through as they are; a virtual keyboard (wtype)
 * brings a keymap of its own whose codes mean nothing to a guest, so its
 * keys are turned back into the codes that type the same symbol on the
 * guests' layout (XKB_DEFAULT_* of mosaic's environment, "us" without).
 */
struct input_keymap;

struct input_keymap *input_keymap_create(struct xkb_context *context);
void input_keymap_destroy(struct input_keymap *keymap);

/* The Linux code typing sym, and whether Shift must be held for it. false: none does. */
bool input_keymap_lookup(const struct input_keymap *keymap, xkb_keysym_t sym, uint32_t *code,
	bool *shift);

#endif
