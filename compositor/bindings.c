#include <wlr/types/wlr_keyboard.h>
#include <wlr/util/log.h>
#include <xkbcommon/xkbcommon.h>

#include "compositor/bindings.h"
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

/* Focus switching, unless the layout file turns these off or binds the keys otherwise. */
static const struct {
	uint32_t modifiers;
	xkb_keysym_t key;
	const char *command;
} defaults[] = {
	{LAYOUT_MOD_SUPER, XKB_KEY_1, "focus 1"},
	{LAYOUT_MOD_SUPER, XKB_KEY_2, "focus 2"},
	{LAYOUT_MOD_SUPER, XKB_KEY_3, "focus 3"},
	{LAYOUT_MOD_SUPER, XKB_KEY_4, "focus 4"},
	{LAYOUT_MOD_SUPER, XKB_KEY_5, "focus 5"},
	{LAYOUT_MOD_SUPER, XKB_KEY_6, "focus 6"},
	{LAYOUT_MOD_SUPER, XKB_KEY_7, "focus 7"},
	{LAYOUT_MOD_SUPER, XKB_KEY_8, "focus 8"},
	{LAYOUT_MOD_SUPER, XKB_KEY_9, "focus 9"},
	{LAYOUT_MOD_SUPER, XKB_KEY_Tab, "focus next"},
	{LAYOUT_MOD_SUPER | LAYOUT_MOD_SHIFT, XKB_KEY_Tab, "focus prev"},
	{LAYOUT_MOD_SUPER, XKB_KEY_Escape, "focus none"},
};

bool bindings_handle_key(struct mosaic_server *server, struct wlr_keyboard *keyboard,
	uint32_t keycode)
{
	const struct layout_config *config = server->layout;
	if (keyboard->xkb_state == NULL) {
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
	for (size_t i = 0; config != NULL && i < config->bindings_len; i++) {
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
		wl_signal_emit(&server->events.binding, (void *)b->command);
		return true;
	}
	if (config != NULL && !config->default_bindings) {
		return false;
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if ((mods & ~(uint32_t)LAYOUT_MOD_MOD2) != defaults[i].modifiers ||
			(!key_has_sym(translated, n_translated, defaults[i].key) &&
				!key_has_sym(raw, n_raw, defaults[i].key))) {
			continue;
		}
		wlr_log(WLR_INFO, "Binding (default): %s", defaults[i].command);
		wl_signal_emit(&server->events.binding, (void *)defaults[i].command);
		return true;
	}
	return false;
}
