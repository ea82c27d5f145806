#include <wlr/types/wlr_keyboard.h>
#include <wlr/util/log.h>
#include <xkbcommon/xkbcommon.h>

#include "compositor/bindings.h"
#include "compositor/control.h"
#include "compositor/server.h"

static xkb_keysym_t binding_keysym(const struct layout_binding *binding)
{
	return xkb_keysym_to_lower(xkb_keysym_from_name(binding->key, XKB_KEYSYM_CASE_INSENSITIVE));
}

bool bindings_check(const struct layout_config *config, struct layout_error *err)
{
	for (size_t i = 0; i < config->bindings_len; i++) {
		const struct layout_binding *b = &config->bindings[i];
		if (xkb_keysym_from_name(b->key, XKB_KEYSYM_CASE_INSENSITIVE) == XKB_KEY_NoSymbol) {
			layout_error_at(err, &b->pos,
				"bindings: '%s': unknown key '%s' (not an xkbcommon keysym name)",
				b->combination, b->key);
			return false;
		}
	}
	return true;
}

static bool key_has_sym(const xkb_keysym_t *syms, int n, xkb_keysym_t want)
{
	for (int i = 0; i < n; i++) {
		if (xkb_keysym_to_lower(syms[i]) == want) {
			return true;
		}
	}
	return false;
}

bool bindings_handle_key(struct mosaic_server *server, struct wlr_keyboard *keyboard,
	uint32_t keycode)
{
	const struct layout_config *config = server->layout;
	if (config == NULL || config->bindings_len == 0 || keyboard->xkb_state == NULL) {
		return false;
	}
	/* The key as the modifiers make it (ISO_Left_Tab) and as printed on it (Tab). */
	const xkb_keysym_t *translated, *raw;
	int n_translated = xkb_state_key_get_syms(keyboard->xkb_state, keycode, &translated);
	xkb_layout_index_t group = xkb_state_key_get_layout(keyboard->xkb_state, keycode);
	int n_raw = xkb_keymap_key_get_syms_by_level(
		keyboard->keymap, keycode, group == XKB_LAYOUT_INVALID ? 0 : group, 0, &raw);
	/* Caps Lock never counts; Num Lock (Mod2) only for bindings that name it. */
	uint32_t mods = wlr_keyboard_get_modifiers(keyboard) & ~(uint32_t)WLR_MODIFIER_CAPS;
	for (size_t i = 0; i < config->bindings_len; i++) {
		const struct layout_binding *b = &config->bindings[i];
		uint32_t have = (b->modifiers & LAYOUT_MOD_MOD2) ? mods : mods & ~(uint32_t)LAYOUT_MOD_MOD2;
		if (have != b->modifiers) {
			continue;
		}
		xkb_keysym_t want = binding_keysym(b);
		if (!key_has_sym(translated, n_translated, want) && !key_has_sym(raw, n_raw, want)) {
			continue;
		}
		wlr_log(WLR_INFO, "Binding %s: %s", b->combination, b->command);
		control_run(server, b->command);
		return true;
	}
	return false;
}
