#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>

#include "compositor/cursor.h"
#include "compositor/focus.h"
#include "compositor/inject.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "compositor/wlr_compat.h"
#include "input-routing/router.h"

struct mosaic_inject {
	struct mosaic_server *server;
	struct wlr_input_device *pointer; // made on first use
	struct wlr_input_device *touch;
};

static uint32_t now_msec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static struct wlr_input_device *make_device(
	struct mosaic_inject *inject, enum wlr_input_device_type type)
{
	const char *name = type == WLR_INPUT_DEVICE_POINTER ? "mosaic-control pointer" :
		"mosaic-control touch";
	struct wlr_input_device *dev = compat_input_device_create(type, name);
	if (dev == NULL) {
		return NULL;
	}
	cursor_add_device(inject->server->cursor, dev, false);
	return dev;
}

static bool parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static bool parse_double(const char *s, double *out)
{
	char *end;
	*out = strtod(s, &end);
	return end != s && *end == '\0' && *out > -1e7 && *out < 1e7;
}

static bool parse_state(const char *s, bool *pressed)
{
	*pressed = strcmp(s, "down") == 0;
	return *pressed || strcmp(s, "up") == 0;
}

/*
 * X Y -> the 0..1 the device reports: over the whole layout, or, for a
 * touch screen a [[touch]] glues to an output, over that output (X Y are
 * then the output's own coordinates, as a real touch screen's would be).
 */
static bool to_unit(struct mosaic_inject *inject, struct wlr_input_device *dev, const char *xs,
	const char *ys, double *ux, double *uy, char *err, size_t err_size)
{
	double x, y;
	if (!parse_double(xs, &x) || !parse_double(ys, &y)) {
		snprintf(err, err_size, "bad position '%.32s %.32s'", xs, ys);
		return false;
	}
	struct wlr_box box;
	bool glued;
	if (!cursor_device_area(inject->server->cursor, dev, &box, &glued)) {
		snprintf(err, err_size, "no output");
		return false;
	}
	double ox = glued ? 0 : box.x, oy = glued ? 0 : box.y;
	if (x < ox || y < oy || x >= ox + box.width || y >= oy + box.height) {
		snprintf(err, err_size, "%g,%g is outside the %s", x, y,
			glued ? "touch screen's output" : "outputs");
		return false;
	}
	*ux = (x - ox) / box.width;
	*uy = (y - oy) / box.height;
	return true;
}

static bool cmd_key(struct mosaic_inject *inject, int argc, char **argv, char *err, size_t n)
{
	long code;
	bool pressed;
	if (argc != 3 || !parse_int(argv[1], 1, KEY_MAX, &code) || !parse_state(argv[2], &pressed)) {
		snprintf(err, n, "usage: input key CODE down|up (CODE: a Linux key code)");
		return false;
	}
	struct mosaic_server *server = inject->server;
	if (server->focus->app == NULL || server->seat == NULL ||
		server->seat->own_keyboard == NULL) {
		input_router_key(server->router, (uint32_t)code, pressed);
		return true;
	}
	/* An app gets keys through its wl_keyboard: typed on mosaic's own keyboard. */
	struct wlr_keyboard_key_event event = {
		.time_msec = now_msec(),
		.keycode = (uint32_t)code,
		.update_state = true,
		.state = pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED,
	};
	wlr_keyboard_notify_key(wlr_keyboard_from_input_device(server->seat->own_keyboard), &event);
	return true;
}

static struct wlr_input_device *pointer(struct mosaic_inject *inject, char *err, size_t n)
{
	if (inject->pointer == NULL) {
		inject->pointer = make_device(inject, WLR_INPUT_DEVICE_POINTER);
	}
	if (inject->pointer == NULL) {
		snprintf(err, n, "out of memory");
	}
	return inject->pointer;
}

static bool cmd_pointer(struct mosaic_inject *inject, int argc, char **argv, char *err, size_t n)
{
	double ux, uy;
	if (argc != 3) {
		snprintf(err, n, "usage: input pointer X Y");
		return false;
	}
	struct wlr_input_device *dev = pointer(inject, err, n);
	if (dev == NULL || !to_unit(inject, dev, argv[1], argv[2], &ux, &uy, err, n)) {
		return false;
	}
	struct wlr_pointer_motion_absolute_event event = {
		COMPAT_POINTER_EVENT_FROM(dev), .time_msec = now_msec(), .x = ux, .y = uy};
	wl_signal_emit(&wlr_pointer_from_input_device(dev)->events.motion_absolute, &event);
	wl_signal_emit(&wlr_pointer_from_input_device(dev)->events.frame,
		wlr_pointer_from_input_device(dev));
	return true;
}

static bool cmd_button(struct mosaic_inject *inject, int argc, char **argv, char *err, size_t n)
{
	static const struct {
		const char *name;
		uint32_t code;
	} names[] = {{"left", BTN_LEFT}, {"right", BTN_RIGHT}, {"middle", BTN_MIDDLE}};
	long code = -1;
	bool pressed;
	for (size_t i = 0; argc == 3 && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(argv[1], names[i].name) == 0) {
			code = names[i].code;
		}
	}
	if (argc != 3 || (code < 0 && !parse_int(argv[1], BTN_MISC, BTN_GEAR_UP, &code)) ||
		!parse_state(argv[2], &pressed)) {
		snprintf(err, n, "usage: input button left|right|middle|CODE down|up");
		return false;
	}
	struct wlr_input_device *dev = pointer(inject, err, n);
	if (dev == NULL) {
		return false;
	}
	struct wlr_pointer_button_event event = {
		COMPAT_POINTER_EVENT_FROM(dev),
		.time_msec = now_msec(),
		.button = (uint32_t)code,
		.state = compat_button_state(pressed),
	};
	wl_signal_emit(&wlr_pointer_from_input_device(dev)->events.button, &event);
	wl_signal_emit(&wlr_pointer_from_input_device(dev)->events.frame,
		wlr_pointer_from_input_device(dev));
	return true;
}

static bool cmd_wheel(struct mosaic_inject *inject, int argc, char **argv, char *err, size_t n)
{
	long steps;
	if (argc != 2 || !parse_int(argv[1], -100, 100, &steps) || steps == 0) {
		snprintf(err, n, "usage: input wheel STEPS (non-zero, positive: down)");
		return false;
	}
	struct wlr_input_device *dev = pointer(inject, err, n);
	if (dev == NULL) {
		return false;
	}
	struct wlr_pointer_axis_event event = {
		COMPAT_POINTER_EVENT_FROM(dev),
		.time_msec = now_msec(),
		.source = compat_axis_source_wheel(),
		.orientation = compat_axis_orientation_vertical(),
		.delta = 15.0 * steps,
		.delta_discrete = (int32_t)steps * COMPAT_AXIS_DISCRETE_STEP,
	};
	wl_signal_emit(&wlr_pointer_from_input_device(dev)->events.axis, &event);
	wl_signal_emit(&wlr_pointer_from_input_device(dev)->events.frame,
		wlr_pointer_from_input_device(dev));
	return true;
}

static bool cmd_touch(struct mosaic_inject *inject, int argc, char **argv, char *err, size_t n)
{
	if (inject->touch == NULL) {
		inject->touch = make_device(inject, WLR_INPUT_DEVICE_TOUCH);
	}
	struct wlr_input_device *dev = inject->touch;
	if (dev == NULL) {
		snprintf(err, n, "out of memory");
		return false;
	}
	const char *what = argc >= 2 ? argv[1] : "";
	long id;
	double ux, uy;
	if (strcmp(what, "frame") == 0 && argc == 2) {
		wl_signal_emit(&wlr_touch_from_input_device(dev)->events.frame, NULL);
		return true;
	}
	if ((strcmp(what, "down") == 0 || strcmp(what, "motion") == 0) && argc == 5 &&
		parse_int(argv[2], 0, INT32_MAX, &id)) {
		if (!to_unit(inject, dev, argv[3], argv[4], &ux, &uy, err, n)) {
			return false;
		}
		if (what[0] == 'd') {
			struct wlr_touch_down_event event = {COMPAT_TOUCH_EVENT_FROM(dev),
				.time_msec = now_msec(), .touch_id = (int32_t)id, .x = ux, .y = uy};
			wl_signal_emit(&wlr_touch_from_input_device(dev)->events.down, &event);
		} else {
			struct wlr_touch_motion_event event = {COMPAT_TOUCH_EVENT_FROM(dev),
				.time_msec = now_msec(), .touch_id = (int32_t)id, .x = ux, .y = uy};
			wl_signal_emit(&wlr_touch_from_input_device(dev)->events.motion, &event);
		}
		return true;
	}
	if ((strcmp(what, "up") == 0 || strcmp(what, "cancel") == 0) && argc == 3 &&
		parse_int(argv[2], 0, INT32_MAX, &id)) {
		if (what[0] == 'u') {
			struct wlr_touch_up_event event = {COMPAT_TOUCH_EVENT_FROM(dev),
				.time_msec = now_msec(), .touch_id = (int32_t)id};
			wl_signal_emit(&wlr_touch_from_input_device(dev)->events.up, &event);
		} else {
			struct wlr_touch_cancel_event event = {COMPAT_TOUCH_EVENT_FROM(dev),
				.time_msec = now_msec(), .touch_id = (int32_t)id};
			wl_signal_emit(&wlr_touch_from_input_device(dev)->events.cancel, &event);
		}
		return true;
	}
	snprintf(err, n, "usage: input touch down|motion ID X Y | touch up|cancel ID | touch frame");
	return false;
}

bool inject_command(struct mosaic_inject *inject, int argc, char **argv, char *err,
	size_t err_size)
{
	static const struct {
		const char *name;
		bool (*run)(struct mosaic_inject *, int, char **, char *, size_t);
	} cmds[] = {
		{"key", cmd_key},
		{"pointer", cmd_pointer},
		{"button", cmd_button},
		{"wheel", cmd_wheel},
		{"touch", cmd_touch},
	};
	for (size_t i = 0; argc >= 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[0], cmds[i].name) == 0) {
			return cmds[i].run(inject, argc, argv, err, err_size);
		}
	}
	snprintf(err, err_size, "usage: input key|pointer|button|wheel|touch ...");
	return false;
}

struct mosaic_inject *inject_create(struct mosaic_server *server)
{
	struct mosaic_inject *inject = calloc(1, sizeof(*inject));
	if (inject != NULL) {
		inject->server = server;
	}
	return inject;
}

void inject_destroy(struct mosaic_inject *inject)
{
	if (inject == NULL) {
		return;
	}
	if (inject->pointer != NULL) {
		compat_input_device_destroy(inject->pointer);
	}
	if (inject->touch != NULL) {
		compat_input_device_destroy(inject->touch);
	}
	free(inject);
}
