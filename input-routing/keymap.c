#include <stdlib.h>

#include "input-routing/keymap.h"

/* xkb keycodes are Linux codes + 8; Linux codes below 256 cover every typing key. */
#define FIRST_XKB 8
#define LAST_XKB 255

struct input_keymap {
	/* The symbol of each key without and with Shift, in the first group. */
	xkb_keysym_t syms[LAST_XKB + 1][2];
};

struct input_keymap *input_keymap_create(struct xkb_context *context)
{
	struct input_keymap *keymap = calloc(1, sizeof(*keymap));
	if (keymap == NULL) {
		return NULL;
	}
	struct xkb_keymap *xkb = xkb_keymap_new_from_names(context, NULL, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (xkb == NULL) {
		free(keymap);
		return NULL;
	}
	for (xkb_keycode_t kc = FIRST_XKB; kc <= LAST_XKB; kc++) {
		for (xkb_level_index_t level = 0; level < 2; level++) {
			const xkb_keysym_t *syms;
			if (xkb_keymap_key_get_syms_by_level(xkb, kc, 0, level, &syms) >= 1) {
				keymap->syms[kc][level] = syms[0];
			}
		}
	}
	xkb_keymap_unref(xkb);
	return keymap;
}

void input_keymap_destroy(struct input_keymap *keymap)
{
	free(keymap);
}

bool input_keymap_lookup(const struct input_keymap *keymap, xkb_keysym_t sym, uint32_t *code,
	bool *shift)
{
	if (sym == XKB_KEY_NoSymbol) {
		return false;
	}
	/* Unshifted first: '1' is the 1 key, not Shift+something. */
	for (int level = 0; level < 2; level++) {
		for (xkb_keycode_t kc = FIRST_XKB; kc <= LAST_XKB; kc++) {
			if (keymap->syms[kc][level] == sym) {
				*code = kc - FIRST_XKB;
				*shift = level == 1;
				return true;
			}
		}
	}
	return false;
}
