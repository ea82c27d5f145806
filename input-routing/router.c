#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/log.h>

#include "input-routing/router.h"
#include "input-routing/transform.h"
#include "input-routing/vkbd.h"
#include "layouts/layout.h"

/* Contacts one guest can hold at once, whatever it asks for. */
#define MAX_CONTACTS 16
/* Buttons followed for release: BTN_MOUSE (BTN_LEFT) .. BTN_TASK and beyond. */
#define BUTTON_FIRST BTN_MOUSE
#define BUTTON_COUNT 16

struct input_device {
	struct input_router *router;
	struct vkbd_device *input;
	/* What the guest was told is down. */
	uint8_t keys[KEY_CNT / 8];
	uint32_t buttons;
	struct {
		bool live;
		int32_t id; // the compositor's contact id
		int32_t width, height; // its connector's size, coordinates are scaled from
	} slots[MAX_CONTACTS];
	bool touch_pending; // contact changes since the last frame
	/* Without multi-touch, one contact is a pointer with its left button held. */
	bool emulating;
	int32_t emulated_id, emulated_width, emulated_height;
	int32_t pos_x, pos_y; // last absolute position sent, for wheel events

	struct wl_listener connect;
	struct wl_listener disconnect;
	struct wl_listener destroy;
	struct wl_list link; // input_router.devices
};

static struct input_device *device_of(struct input_router *router, struct vkbd_device *input)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		if (dev->input == input) {
			return dev;
		}
	}
	return NULL;
}

static bool key_down(const struct input_device *dev, uint32_t code)
{
	return dev->keys[code / 8] & (1u << (code % 8));
}

static void set_key(struct input_device *dev, uint32_t code, bool down)
{
	if (down) {
		dev->keys[code / 8] |= (uint8_t)(1u << (code % 8));
	} else {
		dev->keys[code / 8] &= (uint8_t)~(1u << (code % 8));
	}
}

static void release_keys(struct input_device *dev)
{
	for (uint32_t code = 0; code < KEY_CNT; code++) {
		if (key_down(dev, code)) {
			set_key(dev, code, false);
			vkbd_send_key(dev->input, code, false);
		}
	}
}

static void release_buttons(struct input_device *dev)
{
	for (uint32_t b = 0; b < BUTTON_COUNT; b++) {
		if (dev->buttons & (1u << b)) {
			vkbd_send_key(dev->input, BUTTON_FIRST + b, false);
			dev->router->buttons_down--;
		}
	}
	dev->buttons = 0;
}

static void release_contacts(struct input_device *dev)
{
	if (dev->emulating) {
		dev->emulating = false;
		vkbd_send_key(dev->input, BTN_LEFT, false);
	}
	bool any = false;
	for (int32_t s = 0; s < MAX_CONTACTS; s++) {
		if (dev->slots[s].live) {
			dev->slots[s].live = false;
			vkbd_send_touch_up(dev->input, s);
			any = true;
		}
	}
	if (any || dev->touch_pending) {
		vkbd_send_touch_frame(dev->input, 0);
		dev->touch_pending = false;
	}
}

/* The connection ended: the guest's input state went with it, nothing to release. */
static void forget(struct input_device *dev)
{
	struct input_router *router = dev->router;
	memset(dev->keys, 0, sizeof(dev->keys));
	for (uint32_t b = 0; b < BUTTON_COUNT; b++) {
		if (dev->buttons & (1u << b)) {
			router->buttons_down--;
		}
	}
	dev->buttons = 0;
	memset(dev->slots, 0, sizeof(dev->slots));
	dev->touch_pending = false;
	dev->emulating = false;
	if (router->pointer_input == dev->input) {
		router->pointer_input = NULL;
	}
	if (router->focus_input == dev->input) {
		router->focus_input = NULL;
	}
}

static void refocus(struct input_router *router);

static void device_handle_connect(struct wl_listener *listener, void *data)
{
	struct input_device *dev = wl_container_of(listener, dev, connect);
	/* The focused guest's keyboard may be this one, arriving after its display. */
	refocus(dev->router);
}

static void device_handle_disconnect(struct wl_listener *listener, void *data)
{
	struct input_device *dev = wl_container_of(listener, dev, disconnect);
	forget(dev);
}

static void device_handle_destroy(struct wl_listener *listener, void *data)
{
	struct input_device *dev = wl_container_of(listener, dev, destroy);
	forget(dev);
	wl_list_remove(&dev->connect.link);
	wl_list_remove(&dev->disconnect.link);
	wl_list_remove(&dev->destroy.link);
	wl_list_remove(&dev->link);
	free(dev);
}

static void router_handle_new_input(struct wl_listener *listener, void *data)
{
	struct input_router *router = wl_container_of(listener, router, new_input);
	struct vkbd_device *input = data;
	struct input_device *dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		wlr_log(WLR_ERROR, "Out of memory: input of guest %u %s/%u not routed",
			input->domid, input->kind, input->devid);
		return;
	}
	dev->router = router;
	dev->input = input;
	dev->connect.notify = device_handle_connect;
	wl_signal_add(&input->events.connect, &dev->connect);
	dev->disconnect.notify = device_handle_disconnect;
	wl_signal_add(&input->events.disconnect, &dev->disconnect);
	dev->destroy.notify = device_handle_destroy;
	wl_signal_add(&input->events.destroy, &dev->destroy);
	wl_list_insert(router->devices.prev, &dev->link);
}

struct input_router *input_router_create(struct vkbd_manager *manager)
{
	struct input_router *router = calloc(1, sizeof(*router));
	if (router == NULL) {
		return NULL;
	}
	router->manager = manager;
	wl_list_init(&router->devices);
	router->new_input.notify = router_handle_new_input;
	wl_signal_add(&manager->events.new_input, &router->new_input);
	struct vkbd_device *input;
	wl_list_for_each(input, &manager->inputs, link) {
		router_handle_new_input(&router->new_input, input);
	}
	return router;
}

void input_router_destroy(struct input_router *router)
{
	if (router == NULL) {
		return;
	}
	struct input_device *dev, *tmp;
	wl_list_for_each_safe(dev, tmp, &router->devices, link) {
		device_handle_destroy(&dev->destroy, NULL);
	}
	wl_list_remove(&router->new_input.link);
	free(router->focus.name);
	free(router->focus.unique_id);
	free(router);
}

void input_router_set_config(struct input_router *router, const struct layout_config *config)
{
	router->config = config;
	refocus(router);
}

/* Whether the displ_be convention's "T:<id>" part of unique_id names connector. */
static bool names_connector(const char *unique_id, const char *connector)
{
	size_t len = strlen(connector);
	for (const char *p = unique_id; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ';');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == len + 2 && strncmp(p, "T:", 2) == 0 && strncmp(p + 2, connector, len) == 0) {
			return true;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

static bool names_any_connector(const char *unique_id)
{
	if (unique_id == NULL) {
		return false;
	}
	for (const char *p = unique_id; *p != '\0'; p++) {
		if ((p == unique_id || p[-1] == ';') && p[0] == 'T' && p[1] == ':') {
			return true;
		}
	}
	return false;
}

static struct vkbd_device *find_device(struct input_router *router, uint32_t domid, uint32_t devid)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		if (dev->input->domid == domid && dev->input->devid == devid) {
			return dev->input;
		}
	}
	return NULL;
}

/* Whether the layout file gives input device devid of the target's domain to some connector. */
static bool configured(struct input_router *router, const struct input_target *t, uint32_t devid)
{
	const struct layout_config *config = router->config;
	for (size_t i = 0; config != NULL && i < config->inputs_len; i++) {
		const struct layout_input *in = &config->inputs[i];
		if (layout_guest_matches(in->guest, t->name, t->domid) && (uint32_t)in->device == devid) {
			return true;
		}
	}
	return false;
}

struct vkbd_device *input_router_find(struct input_router *router, const struct input_target *t)
{
	const struct layout_config *config = router->config;
	for (size_t i = 0; config != NULL && i < config->inputs_len; i++) {
		const struct layout_input *in = &config->inputs[i];
		if (layout_guest_matches(in->guest, t->name, t->domid) && (uint32_t)in->display_device == t->devid &&
			(uint32_t)in->connector == t->index) {
			/* The file says which: no guessing, even while that device is away. */
			return find_device(router, t->domid, (uint32_t)in->device);
		}
	}
	struct input_device *dev;
	if (t->unique_id[0] != '\0') {
		wl_list_for_each(dev, &router->devices, link) {
			if (dev->input->domid == t->domid && dev->input->unique_id != NULL &&
				names_connector(dev->input->unique_id, t->unique_id)) {
				return dev->input;
			}
		}
	}
	/* The domain's first device that is not another connector's. */
	struct vkbd_device *best = NULL;
	wl_list_for_each(dev, &router->devices, link) {
		struct vkbd_device *in = dev->input;
		if (in->domid != t->domid || names_any_connector(in->unique_id) ||
			configured(router, t, in->devid)) {
			continue;
		}
		if (best == NULL || in->devid < best->devid) {
			best = in;
		}
	}
	return best;
}

/* ---- keyboard ---- */

static void focus_switch_input(struct input_router *router, struct vkbd_device *input)
{
	/* Only the guest with the focus may hold keys. */
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		if (dev->input != input) {
			release_keys(dev);
		}
	}
	router->focus_input = input;
}

static void refocus(struct input_router *router)
{
	focus_switch_input(router,
		router->has_focus ? input_router_find(router, &router->focus) : NULL);
}

void input_router_set_focus(struct input_router *router, const struct input_target *target)
{
	char *name = NULL, *unique_id = NULL;
	if (target != NULL) {
		name = strdup(target->name);
		unique_id = strdup(target->unique_id);
		if (name == NULL || unique_id == NULL) {
			wlr_log(WLR_ERROR, "Out of memory: keyboard focus to nobody");
			free(name);
			free(unique_id);
			target = NULL;
			name = unique_id = NULL;
		}
	}
	free(router->focus.name);
	free(router->focus.unique_id);
	router->has_focus = target != NULL;
	if (target != NULL) {
		router->focus = *target;
	}
	router->focus.name = name;
	router->focus.unique_id = unique_id;
	refocus(router);
}

void input_router_key(struct input_router *router, uint32_t code, bool pressed)
{
	if (code >= KEY_CNT) {
		return;
	}
	struct input_device *dev =
		router->focus_input != NULL ? device_of(router, router->focus_input) : NULL;
	if (dev == NULL || !dev->input->keyboard || !dev->input->connected) {
		router->keys_dropped++;
		return;
	}
	if (!pressed && !key_down(dev, code)) {
		/* Pressed before the guest had the focus: not the guest's key. */
		return;
	}
	set_key(dev, code, pressed);
	if (vkbd_send_key(dev->input, code, pressed)) {
		router->keys_sent++;
	}
}

/* ---- pointer ---- */

void input_router_pointer_motion(struct input_router *router, const struct input_target *target,
	double x, double y, double dx, double dy)
{
	struct vkbd_device *input = target != NULL ? input_router_find(router, target) : NULL;
	if (router->buttons_down > 0 && input != router->pointer_input) {
		/* Held buttons keep the pointer with the guest they were pressed on. */
		return;
	}
	router->pointer_input = input;
	struct input_device *dev = input != NULL ? device_of(router, input) : NULL;
	if (dev == NULL || !input->pointer || !input->connected) {
		return;
	}
	if (input->abs_pointer || input->raw_pointer) {
		int32_t w, h;
		vkbd_abs_range(input, &w, &h);
		int32_t px = input_scale_coord(x, target->width, w);
		int32_t py = input_scale_coord(y, target->height, h);
		if (px != dev->pos_x || py != dev->pos_y) {
			dev->pos_x = px;
			dev->pos_y = py;
			vkbd_send_position(input, px, py, 0);
		}
	} else if (dx != 0 || dy != 0) {
		vkbd_send_motion(input, (int32_t)dx, (int32_t)dy, 0);
	}
}

void input_router_pointer_button(struct input_router *router, uint32_t button, bool pressed)
{
	if (button < BUTTON_FIRST || button >= BUTTON_FIRST + BUTTON_COUNT) {
		return;
	}
	uint32_t bit = 1u << (button - BUTTON_FIRST);
	struct input_device *dev;
	if (!pressed) {
		/* To whoever got the press. */
		wl_list_for_each(dev, &router->devices, link) {
			if (dev->buttons & bit) {
				dev->buttons &= ~bit;
				router->buttons_down--;
				vkbd_send_key(dev->input, button, false);
			}
		}
		return;
	}
	dev = router->pointer_input != NULL ? device_of(router, router->pointer_input) : NULL;
	if (dev == NULL || !dev->input->pointer || !dev->input->connected ||
		(dev->buttons & bit)) {
		return;
	}
	dev->buttons |= bit;
	router->buttons_down++;
	vkbd_send_key(dev->input, button, true);
}

void input_router_pointer_wheel(struct input_router *router, int32_t steps)
{
	struct input_device *dev =
		router->pointer_input != NULL ? device_of(router, router->pointer_input) : NULL;
	if (dev == NULL || steps == 0 || !dev->input->pointer || !dev->input->connected) {
		return;
	}
	if (dev->input->abs_pointer || dev->input->raw_pointer) {
		vkbd_send_position(dev->input, dev->pos_x, dev->pos_y, steps);
	} else {
		vkbd_send_motion(dev->input, 0, 0, steps);
	}
}

bool input_router_pointer_grabbed(const struct input_router *router)
{
	return router->buttons_down > 0;
}

/* ---- touch ---- */

static void emulate_position(struct input_device *dev, double x, double y)
{
	int32_t w, h;
	vkbd_abs_range(dev->input, &w, &h);
	dev->pos_x = input_scale_coord(x, dev->emulated_width, w);
	dev->pos_y = input_scale_coord(y, dev->emulated_height, h);
	vkbd_send_position(dev->input, dev->pos_x, dev->pos_y, 0);
}

static struct input_device *find_contact(struct input_router *router, int32_t id, int32_t *slot)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		for (int32_t s = 0; s < MAX_CONTACTS; s++) {
			if (dev->slots[s].live && dev->slots[s].id == id) {
				*slot = s;
				return dev;
			}
		}
	}
	return NULL;
}

static int32_t slot_limit(const struct vkbd_device *input)
{
	return input->mt_contacts < MAX_CONTACTS ? input->mt_contacts : MAX_CONTACTS;
}

void input_router_touch_down(struct input_router *router, int32_t id,
	const struct input_target *target, double x, double y)
{
	int32_t slot;
	if (find_contact(router, id, &slot) != NULL) {
		return; // a contact id the device reused without an up: keep the first
	}
	struct vkbd_device *input = input_router_find(router, target);
	struct input_device *dev = input != NULL ? device_of(router, input) : NULL;
	if (dev == NULL || !input->connected) {
		return;
	}
	if (!input->multi_touch) {
		if (input->pointer && (input->abs_pointer || input->raw_pointer) && !dev->emulating &&
			!(dev->buttons & 1u)) {
			dev->emulating = true;
			dev->emulated_id = id;
			dev->emulated_width = target->width;
			dev->emulated_height = target->height;
			emulate_position(dev, x, y);
			vkbd_send_key(input, BTN_LEFT, true);
		}
		return;
	}
	for (slot = 0; slot < slot_limit(input) && dev->slots[slot].live; slot++) {
	}
	if (slot >= slot_limit(input)) {
		return; // more contacts than the guest takes: this one is not sent
	}
	dev->slots[slot].live = true;
	dev->slots[slot].id = id;
	dev->slots[slot].width = target->width;
	dev->slots[slot].height = target->height;
	dev->touch_pending = true;
	vkbd_send_touch_down(input, slot, input_scale_coord(x, target->width, input->mt_width),
		input_scale_coord(y, target->height, input->mt_height));
}

static struct input_device *find_emulated(struct input_router *router, int32_t id)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		if (dev->emulating && dev->emulated_id == id) {
			return dev;
		}
	}
	return NULL;
}

void input_router_touch_motion(struct input_router *router, int32_t id, double x, double y)
{
	int32_t slot;
	struct input_device *dev = find_contact(router, id, &slot);
	if (dev == NULL) {
		if ((dev = find_emulated(router, id)) != NULL) {
			emulate_position(dev, x, y);
		}
		return;
	}
	struct vkbd_device *input = dev->input;
	dev->touch_pending = true;
	vkbd_send_touch_motion(input, slot,
		input_scale_coord(x, dev->slots[slot].width, input->mt_width),
		input_scale_coord(y, dev->slots[slot].height, input->mt_height));
}

static void emulation_end(struct input_device *dev)
{
	dev->emulating = false;
	vkbd_send_key(dev->input, BTN_LEFT, false);
}

void input_router_touch_up(struct input_router *router, int32_t id)
{
	int32_t slot;
	struct input_device *dev = find_contact(router, id, &slot);
	if (dev == NULL) {
		if ((dev = find_emulated(router, id)) != NULL) {
			emulation_end(dev);
		}
		return;
	}
	dev->slots[slot].live = false;
	dev->touch_pending = true;
	vkbd_send_touch_up(dev->input, slot);
}

void input_router_touch_frame(struct input_router *router)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		if (dev->touch_pending) {
			dev->touch_pending = false;
			vkbd_send_touch_frame(dev->input, 0);
		}
	}
}

void input_router_touch_cancel(struct input_router *router)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		release_contacts(dev);
	}
}

void input_router_release_buttons(struct input_router *router)
{
	struct input_device *dev;
	wl_list_for_each(dev, &router->devices, link) {
		release_buttons(dev);
	}
	router->pointer_input = NULL;
}
