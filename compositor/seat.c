#include <stdlib.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/util/log.h>
#include <xkbcommon/xkbcommon.h>

#include <linux/input-event-codes.h>

#include "compositor/apps.h"
#include "compositor/bindings.h"
#include "compositor/cursor.h"
#include "compositor/focus.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "compositor/wlr_compat.h"
#include "input-routing/keymap.h"
#include "input-routing/router.h"

#define MAX_TAKEN_KEYS 32
#define MAX_HELD_KEYS 32

struct mosaic_keyboard {
	struct mosaic_seat *seat;
	struct wlr_input_device *device;
	/* Keys whose press a binding took: their release is not for guests either. */
	uint32_t taken[MAX_TAKEN_KEYS];
	size_t taken_len;
	/* A virtual keyboard's own keymap: its keys are sent as the guests' layout types them. */
	bool translate;
	struct {
		uint32_t keycode; // the keyboard's (xkb)
		uint32_t code;    // what the guest got (Linux)
		bool shift;       // with a Shift of ours around it
	} held[MAX_HELD_KEYS];
	size_t held_len;
	uint32_t mods_sent; // its modifiers, sent to guests as key presses

	struct wl_listener key;
	struct wl_listener modifiers;
	struct wl_listener destroy;
	struct wl_list link; // mosaic_seat.keyboards
};

static bool take_release(struct mosaic_keyboard *keyboard, uint32_t keycode)
{
	for (size_t i = 0; i < keyboard->taken_len; i++) {
		if (keyboard->taken[i] == keycode) {
			keyboard->taken[i] = keyboard->taken[--keyboard->taken_len];
			return true;
		}
	}
	return false;
}

static void translate_press(struct mosaic_keyboard *keyboard, uint32_t keycode)
{
	struct mosaic_seat *seat = keyboard->seat;
	struct wlr_keyboard *wlr_keyboard = wlr_keyboard_from_input_device(keyboard->device);
	uint32_t code;
	bool shift;
	xkb_keysym_t sym = wlr_keyboard->xkb_state != NULL ?
		xkb_state_key_get_one_sym(wlr_keyboard->xkb_state, keycode) :
		XKB_KEY_NoSymbol;
	if (keyboard->held_len == MAX_HELD_KEYS || seat->keymap == NULL ||
		!input_keymap_lookup(seat->keymap, sym, &code, &shift)) {
		char name[64];
		xkb_keysym_get_name(sym, name, sizeof(name));
		wlr_log(WLR_DEBUG, "%s: no key types %s on the guests' layout",
			keyboard->device->name, name);
		return;
	}
	/* Shift already held through the modifiers: no second one. */
	shift = shift && !(keyboard->mods_sent & WLR_MODIFIER_SHIFT);
	keyboard->held[keyboard->held_len].keycode = keycode;
	keyboard->held[keyboard->held_len].code = code;
	keyboard->held[keyboard->held_len].shift = shift;
	keyboard->held_len++;
	if (shift) {
		input_router_key(seat->server->router, KEY_LEFTSHIFT, true);
	}
	input_router_key(seat->server->router, code, true);
}

static void translate_release(struct mosaic_keyboard *keyboard, uint32_t keycode)
{
	struct input_router *router = keyboard->seat->server->router;
	for (size_t i = 0; i < keyboard->held_len; i++) {
		if (keyboard->held[i].keycode != keycode) {
			continue;
		}
		input_router_key(router, keyboard->held[i].code, false);
		if (keyboard->held[i].shift) {
			input_router_key(router, KEY_LEFTSHIFT, false);
		}
		keyboard->held[i] = keyboard->held[--keyboard->held_len];
		return;
	}
}

/* Whether the focus is an app's: its keys go through wl_seat, with the keyboard's own keymap. */
static bool to_app(struct mosaic_keyboard *keyboard)
{
	struct mosaic_server *server = keyboard->seat->server;
	if (server->focus == NULL || server->focus->app == NULL) {
		return false;
	}
	compat_seat_set_keyboard(keyboard->seat->seat, keyboard->device);
	return true;
}

/*
 * Modifiers: an app is told them as state. A virtual keyboard's come as
 * state, not keys: guests get them as keys.
 */
static void keyboard_handle_modifiers(struct wl_listener *listener, void *data)
{
	struct mosaic_keyboard *keyboard = wl_container_of(listener, keyboard, modifiers);
	struct wlr_keyboard *wlr_keyboard = wlr_keyboard_from_input_device(keyboard->device);
	if (to_app(keyboard)) {
		wlr_seat_keyboard_notify_modifiers(keyboard->seat->seat, &wlr_keyboard->modifiers);
	}
	if (!keyboard->translate) {
		return;
	}
	static const struct {
		uint32_t mod, code;
	} keys[] = {
		{WLR_MODIFIER_SHIFT, KEY_LEFTSHIFT},
		{WLR_MODIFIER_CTRL, KEY_LEFTCTRL},
		{WLR_MODIFIER_ALT, KEY_LEFTALT},
		{WLR_MODIFIER_LOGO, KEY_LEFTMETA},
	};
	struct input_router *router = keyboard->seat->server->router;
	uint32_t mods = wlr_keyboard_from_input_device(keyboard->device)->modifiers.depressed;
	for (size_t i = 0; router != NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
		bool now = mods & keys[i].mod, before = keyboard->mods_sent & keys[i].mod;
		if (now != before) {
			input_router_key(router, keys[i].code, now);
		}
	}
	keyboard->mods_sent = mods;
}

static void keyboard_handle_key(struct wl_listener *listener, void *data)
{
	struct mosaic_keyboard *keyboard = wl_container_of(listener, keyboard, key);
	struct wlr_keyboard_key_event *event = data;
	struct mosaic_seat *seat = keyboard->seat;
	uint32_t keycode = event->keycode + 8; // evdev to xkb
	/* The keyboard's state is still that before this key: the modifiers held with it. */
	if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED &&
		bindings_handle_key(
			seat->server, wlr_keyboard_from_input_device(keyboard->device), keycode)) {
		if (keyboard->taken_len < MAX_TAKEN_KEYS) {
			keyboard->taken[keyboard->taken_len++] = keycode;
		}
		return;
	}
	if (event->state == WL_KEYBOARD_KEY_STATE_RELEASED && take_release(keyboard, keycode)) {
		return;
	}
	if (to_app(keyboard)) {
		wlr_seat_keyboard_notify_key(
			seat->seat, event->time_msec, event->keycode, event->state);
		return;
	}
	struct input_router *router = seat->server->router;
	bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
	if (router == NULL) {
		return;
	}
	if (!keyboard->translate) {
		input_router_key(router, event->keycode, pressed);
	} else if (pressed) {
		translate_press(keyboard, keycode);
	} else {
		translate_release(keyboard, keycode);
	}
}

static void keyboard_destroy(struct mosaic_keyboard *keyboard)
{
	struct input_router *router = keyboard->seat->server->router;
	/* What it holds is let go, as a keyboard unplugged with a key down. */
	while (router != NULL && keyboard->held_len > 0) {
		translate_release(keyboard, keyboard->held[keyboard->held_len - 1].keycode);
	}
	wl_list_remove(&keyboard->modifiers.link);
	wl_list_remove(&keyboard->key.link);
	wl_list_remove(&keyboard->destroy.link);
	wl_list_remove(&keyboard->link);
	free(keyboard);
}

static void keyboard_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_keyboard *keyboard = wl_container_of(listener, keyboard, destroy);
	if (wlr_input_device_get_virtual_keyboard(keyboard->device) != NULL) {
		compat_virtual_keyboard_release(keyboard->device);
	}
	keyboard_destroy(keyboard);
}

static void add_keyboard(struct mosaic_seat *seat, struct wlr_input_device *device,
	bool set_keymap)
{
	struct mosaic_keyboard *keyboard = calloc(1, sizeof(*keyboard));
	if (keyboard == NULL) {
		return;
	}
	if (set_keymap) {
		/* The XKB_DEFAULT_* environment variables choose the layout. */
		struct xkb_keymap *keymap =
			xkb_keymap_new_from_names(seat->xkb, NULL, XKB_KEYMAP_COMPILE_NO_FLAGS);
		if (keymap == NULL ||
			!wlr_keyboard_set_keymap(wlr_keyboard_from_input_device(device), keymap)) {
			wlr_log(WLR_ERROR, "Keyboard %s: no keymap; its keys are ignored",
				device->name);
		}
		xkb_keymap_unref(keymap);
		wlr_keyboard_set_repeat_info(wlr_keyboard_from_input_device(device), 25, 600);
	}
	keyboard->seat = seat;
	keyboard->device = device;
	keyboard->key.notify = keyboard_handle_key;
	wl_signal_add(&wlr_keyboard_from_input_device(device)->events.key, &keyboard->key);
	keyboard->translate = !set_keymap;
	keyboard->modifiers.notify = keyboard_handle_modifiers;
	wl_signal_add(&wlr_keyboard_from_input_device(device)->events.modifiers,
		&keyboard->modifiers);
	keyboard->destroy.notify = keyboard_handle_destroy;
	wl_signal_add(&device->events.destroy, &keyboard->destroy);
	wl_list_insert(&seat->keyboards, &keyboard->link);
	compat_seat_set_keyboard(seat->seat, device);
	wlr_log(WLR_INFO, "Keyboard: %s", device->name != NULL ? device->name : "(unnamed)");
}

/* The keyboard's wl_seat focus: the focused app's surface, or nobody's (a guest's keys go by kbdif). */
static void seat_handle_focus(struct wl_listener *listener, void *data)
{
	struct mosaic_seat *seat = wl_container_of(listener, seat, focus);
	struct mosaic_focus *focus = data;
	if (focus->app == NULL) {
		wlr_seat_keyboard_notify_clear_focus(seat->seat);
		return;
	}
	struct wlr_keyboard *keyboard = wlr_seat_get_keyboard(seat->seat);
	struct wlr_keyboard_modifiers none = {0};
	wlr_seat_keyboard_notify_enter(seat->seat, app_get_surface(focus->app),
		keyboard != NULL ? keyboard->keycodes : NULL,
		keyboard != NULL ? keyboard->num_keycodes : 0,
		keyboard != NULL ? &keyboard->modifiers : &none);
}

static void seat_handle_new_input(struct wl_listener *listener, void *data)
{
	struct mosaic_seat *seat = wl_container_of(listener, seat, new_input);
	struct wlr_input_device *device = data;
	switch (device->type) {
	case WLR_INPUT_DEVICE_KEYBOARD:
		add_keyboard(seat, device, true);
		break;
	case WLR_INPUT_DEVICE_POINTER:
	case WLR_INPUT_DEVICE_TOUCH:
		cursor_add_device(seat->server->cursor, device, true);
		break;
	default:
		break;
	}
}

static void seat_handle_new_virtual_keyboard(struct wl_listener *listener, void *data)
{
	struct mosaic_seat *seat = wl_container_of(listener, seat, new_virtual_keyboard);
	struct wlr_virtual_keyboard_v1 *keyboard = data;
	/* Its client sends the keymap. */
	add_keyboard(seat, compat_virtual_keyboard_device(keyboard), false);
}

struct mosaic_seat *seat_create(struct mosaic_server *server)
{
	struct mosaic_seat *seat = calloc(1, sizeof(*seat));
	if (seat == NULL) {
		return NULL;
	}
	seat->server = server;
	wl_list_init(&seat->keyboards);
	seat->xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	seat->keymap = seat->xkb != NULL ? input_keymap_create(seat->xkb) : NULL;
	if (seat->keymap == NULL) {
		wlr_log(WLR_ERROR, "No keymap for the guests' layout: virtual keyboards reach no guest");
	}
	seat->seat = wlr_seat_create(server->display, "seat0");
	seat->virtual_keyboards = wlr_virtual_keyboard_manager_v1_create(server->display);
	if (seat->xkb == NULL || seat->seat == NULL || seat->virtual_keyboards == NULL) {
		wlr_log(WLR_ERROR, "Cannot create the seat");
		if (seat->seat != NULL) {
			wlr_seat_destroy(seat->seat);
		}
		xkb_context_unref(seat->xkb);
		free(seat);
		return NULL;
	}
	seat->new_input.notify = seat_handle_new_input;
	wl_signal_add(&server->backend->events.new_input, &seat->new_input);
	seat->new_virtual_keyboard.notify = seat_handle_new_virtual_keyboard;
	wl_signal_add(&seat->virtual_keyboards->events.new_virtual_keyboard,
		&seat->new_virtual_keyboard);
	seat->focus.notify = seat_handle_focus;
	wl_signal_add(&server->events.focus, &seat->focus);
	/*
	 * The control socket can type, point and touch whatever devices there
	 * are: apps always have all three.
	 */
	wlr_seat_set_capabilities(seat->seat, WL_SEAT_CAPABILITY_KEYBOARD |
			WL_SEAT_CAPABILITY_POINTER | WL_SEAT_CAPABILITY_TOUCH);
	seat->own_keyboard =
		compat_input_device_create(WLR_INPUT_DEVICE_KEYBOARD, "mosaic-control keyboard");
	if (seat->own_keyboard != NULL) {
		add_keyboard(seat, seat->own_keyboard, true);
	}
	return seat;
}

void seat_destroy(struct mosaic_seat *seat)
{
	if (seat == NULL) {
		return;
	}
	wl_list_remove(&seat->new_input.link);
	wl_list_remove(&seat->new_virtual_keyboard.link);
	wl_list_remove(&seat->focus.link);
	if (seat->own_keyboard != NULL) {
		/* Its destroy signal takes it off the list. */
		compat_input_device_destroy(seat->own_keyboard);
	}
	struct mosaic_keyboard *keyboard, *tmp;
	wl_list_for_each_safe(keyboard, tmp, &seat->keyboards, link) {
		keyboard_destroy(keyboard);
	}
	wlr_seat_destroy(seat->seat);
	input_keymap_destroy(seat->keymap);
	xkb_context_unref(seat->xkb);
	free(seat);
}
