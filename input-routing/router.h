#ifndef MOSAIC_INPUT_ROUTING_ROUTER_H
#define MOSAIC_INPUT_ROUTING_ROUTER_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

/*
 * Who gets which input: the keyboard goes to the guest that has the focus,
 * the pointer to the guest under it (or the one a button was pressed on),
 * each touch contact to the guest it went down on, for its whole life. Keeps
 * what every guest saw pressed, so that a guest losing the focus or a
 * contact gets the releases and never keeps a key down.
 *
 * Guests are addressed by display connector; which PV input device belongs
 * to a connector is decided by the layout file's [[input]] entries, then by
 * the convention unique-id "...;T:<connector unique-id>", then by taking
 * the domain's first device.
 */
struct vkbd_device;
struct vkbd_manager;
struct layout_config;

/* A guest display connector, as the compositor shows it. */
struct input_target {
	uint32_t domid, devid, index; // vdispl device and connector
	char *name;                   // domain name ("" if unknown)
	char *unique_id;              // the connector's, "" if none
	int32_t width, height;        // the connector's resolution
};

struct input_router {
	struct vkbd_manager *manager;
	const struct layout_config *config; // [[input]] pairings; NULL: none
	struct wl_list devices; // input_device.link

	/* Keyboard focus (valid when has_focus): the connector it goes to (strings owned). */
	bool has_focus;
	struct input_target focus;
	struct vkbd_device *focus_input; // NULL: the guest has no keyboard device (yet)

	/* The pointer's guest: under the pointer, or holding a button. */
	struct vkbd_device *pointer_input;
	uint32_t buttons_down;

	/* Counters, for mosaicctl. */
	uint64_t keys_sent, keys_dropped;

	struct wl_listener new_input;
};

struct input_router *input_router_create(struct vkbd_manager *manager);
void input_router_destroy(struct input_router *router);
/* The layout file in force (NULL: none), for [[input]] pairings. */
void input_router_set_config(struct input_router *router, const struct layout_config *config);

/* The device that serves target's input, NULL if none. */
struct vkbd_device *input_router_find(struct input_router *router, const struct input_target *target);

/* Keyboard focus to target (NULL: nobody). Keys the old guest holds are released. */
void input_router_set_focus(struct input_router *router, const struct input_target *target);
/* A key (Linux input code) from any keyboard: to the focused guest. */
void input_router_key(struct input_router *router, uint32_t code, bool pressed);

/*
 * The pointer moved to (x, y) in target's connector pixels (target NULL:
 * over no guest). dx, dy: the relative motion, for guests that asked for it.
 */
void input_router_pointer_motion(struct input_router *router, const struct input_target *target,
	double x, double y, double dx, double dy);
/* A button (BTN_*) on the pointer's guest; its release goes where the press went. */
void input_router_pointer_button(struct input_router *router, uint32_t button, bool pressed);
/* Wheel steps, positive downwards. */
void input_router_pointer_wheel(struct input_router *router, int32_t steps);
/* Whether a button is held: the pointer stays with its guest until it is released. */
bool input_router_pointer_grabbed(const struct input_router *router);

/* A contact went down at (x, y) in target's connector pixels. */
void input_router_touch_down(struct input_router *router, int32_t id,
	const struct input_target *target, double x, double y);
void input_router_touch_motion(struct input_router *router, int32_t id, double x, double y);
void input_router_touch_up(struct input_router *router, int32_t id);
/* The end of a set of contact changes: each guest that got some sees one frame. */
void input_router_touch_frame(struct input_router *router);
/* Every contact is lifted (the compositor took the touch screen back). */
void input_router_touch_cancel(struct input_router *router);
/* Releases every held button: the guest they were pressed on left the screen. */
void input_router_release_buttons(struct input_router *router);

#endif
