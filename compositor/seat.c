#include <stdlib.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/util/log.h>
#include <xkbcommon/xkbcommon.h>

#include "compositor/bindings.h"
#include "compositor/seat.h"
#include "compositor/server.h"

#define MAX_TAKEN_KEYS 32

struct mosaic_keyboard {
	struct mosaic_seat *seat;
	struct wlr_input_device *device;
	/* Keys whose press a binding took: their release is not for guests either. */
	uint32_t taken[MAX_TAKEN_KEYS];
	size_t taken_len;

	struct wl_listener key;
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

static void keyboard_handle_key(struct wl_listener *listener, void *data)
{
	struct mosaic_keyboard *keyboard = wl_container_of(listener, keyboard, key);
	struct wlr_event_keyboard_key *event = data;
	struct mosaic_seat *seat = keyboard->seat;
	uint32_t keycode = event->keycode + 8; // evdev to xkb
	/* The keyboard's state is still that before this key: the modifiers held with it. */
	if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED &&
		bindings_handle_key(seat->server, keyboard->device->keyboard, keycode)) {
		if (keyboard->taken_len < MAX_TAKEN_KEYS) {
			keyboard->taken[keyboard->taken_len++] = keycode;
		}
		return;
	}
	if (event->state == WL_KEYBOARD_KEY_STATE_RELEASED && take_release(keyboard, keycode)) {
		return;
	}
	struct mosaic_key_event key = {keyboard->device, event};
	wl_signal_emit(&seat->events.key, &key);
}

static void keyboard_destroy(struct mosaic_keyboard *keyboard)
{
	wl_list_remove(&keyboard->key.link);
	wl_list_remove(&keyboard->destroy.link);
	wl_list_remove(&keyboard->link);
	free(keyboard);
}

static void keyboard_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_keyboard *keyboard = wl_container_of(listener, keyboard, destroy);
	struct mosaic_seat *seat = keyboard->seat;
	if (wlr_input_device_get_virtual_keyboard(keyboard->device) != NULL) {
		/*
		 * wlroots 0.15 never frees a virtual keyboard's wlr_keyboard (its
		 * impl's destroy does nothing); without an impl,
		 * wlr_keyboard_destroy, which comes next, frees it.
		 */
		keyboard->device->keyboard->impl = NULL;
	}
	keyboard_destroy(keyboard);
	if (wl_list_empty(&seat->keyboards)) {
		wlr_seat_set_capabilities(seat->seat, 0);
	}
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
		if (keymap == NULL || !wlr_keyboard_set_keymap(device->keyboard, keymap)) {
			wlr_log(WLR_ERROR, "Keyboard %s: no keymap; its keys are ignored",
				device->name);
		}
		xkb_keymap_unref(keymap);
		wlr_keyboard_set_repeat_info(device->keyboard, 25, 600);
	}
	keyboard->seat = seat;
	keyboard->device = device;
	keyboard->key.notify = keyboard_handle_key;
	wl_signal_add(&device->keyboard->events.key, &keyboard->key);
	keyboard->destroy.notify = keyboard_handle_destroy;
	wl_signal_add(&device->events.destroy, &keyboard->destroy);
	wl_list_insert(&seat->keyboards, &keyboard->link);
	wlr_seat_set_keyboard(seat->seat, device);
	wlr_seat_set_capabilities(seat->seat, WL_SEAT_CAPABILITY_KEYBOARD);
	wlr_log(WLR_INFO, "Keyboard: %s", device->name != NULL ? device->name : "(unnamed)");
}

static void seat_handle_new_input(struct wl_listener *listener, void *data)
{
	struct mosaic_seat *seat = wl_container_of(listener, seat, new_input);
	struct wlr_input_device *device = data;
	/* Pointers and touch screens are input routing's, later. */
	if (device->type == WLR_INPUT_DEVICE_KEYBOARD) {
		add_keyboard(seat, device, true);
	}
}

static void seat_handle_new_virtual_keyboard(struct wl_listener *listener, void *data)
{
	struct mosaic_seat *seat = wl_container_of(listener, seat, new_virtual_keyboard);
	struct wlr_virtual_keyboard_v1 *keyboard = data;
	/* Its client sends the keymap. */
	add_keyboard(seat, &keyboard->input_device, false);
}

struct mosaic_seat *seat_create(struct mosaic_server *server)
{
	struct mosaic_seat *seat = calloc(1, sizeof(*seat));
	if (seat == NULL) {
		return NULL;
	}
	seat->server = server;
	wl_list_init(&seat->keyboards);
	wl_signal_init(&seat->events.key);
	seat->xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
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
	return seat;
}

void seat_destroy(struct mosaic_seat *seat)
{
	if (seat == NULL) {
		return;
	}
	wl_list_remove(&seat->new_input.link);
	wl_list_remove(&seat->new_virtual_keyboard.link);
	struct mosaic_keyboard *keyboard, *tmp;
	wl_list_for_each_safe(keyboard, tmp, &seat->keyboards, link) {
		keyboard_destroy(keyboard);
	}
	wlr_seat_destroy(seat->seat);
	xkb_context_unref(seat->xkb);
	free(seat);
}
