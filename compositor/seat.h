#ifndef MOSAIC_COMPOSITOR_SEAT_H
#define MOSAIC_COMPOSITOR_SEAT_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

/*
 * The seat: keyboards (the backend's, such as libinput's on DRM, and
 * virtual ones from zwp_virtual_keyboard_v1 clients such as wtype), and
 * the key bindings they trigger; keys that are no binding's go to the
 * focused guest (through its PV keyboard) or app (through wl_seat).
 * Pointers and touch screens go to the cursor.
 */
struct mosaic_server;
struct input_keymap;
struct wlr_input_device;

struct mosaic_seat {
	struct mosaic_server *server;
	struct wlr_seat *seat;
	struct wlr_virtual_keyboard_manager_v1 *virtual_keyboards;
	struct xkb_context *xkb;
	struct input_keymap *keymap; // the guests' layout, for virtual keyboards
	struct wl_list keyboards; // mosaic_keyboard.link
	/*
	 * mosaic's own keyboard, with the default keymap: the control socket
	 * types on it. Apps always have a wl_keyboard, even on a cockpit
	 * without a physical one.
	 */
	struct wlr_input_device *own_keyboard;

	struct wl_listener new_input;
	struct wl_listener new_virtual_keyboard;
	struct wl_listener focus; // an app's keyboard focus is wl_seat's
};

struct mosaic_seat *seat_create(struct mosaic_server *server);
void seat_destroy(struct mosaic_seat *seat);

#endif
