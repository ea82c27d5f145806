/*
 * mosaic-test-app: a Wayland client that draws the virtual guests' test
 * pattern (named by its app_id, so tests check it as they check a guest's)
 * at the size the compositor configures, and logs on stdout, one line each,
 * what it is told: configures, frames, keyboard focus, keys, pointer and
 * touch events in surface coordinates.
 *
 *   mosaic-test-app [--app-id ID] [--title T] [--size WxH] [--animate]
 *                   [--buffer WxH] [--flood] [--bad-stride] [--popup X,Y,WxH]
 *                   [--retitle MS TITLE]
 *
 * --popup: once configured, opens a popup of WxH at X,Y of its window (a
 * menu, say), drawing the pattern named "popup"; events on it are logged
 * with "popup" after their kind.
 * --retitle: MS milliseconds after it started, it takes the title TITLE.
 * --size: what it draws when the compositor leaves the size to it (default
 * 320x240). --animate: draws a frame at each frame callback and says so.
 * Hostile modes: --buffer draws WxH whatever it is told; --flood commits
 * without waiting for frame callbacks; --bad-stride makes a buffer whose
 * rows are shorter than its width.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "pattern.h"
#include "xdg-decoration-client-protocol.h"
#include "xdg-shell-client-protocol.h"

struct app {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_seat *seat;
	struct wl_keyboard *keyboard;
	struct wl_pointer *pointer;
	struct wl_touch *touch;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct zxdg_decoration_manager_v1 *decorations;
	struct wl_surface *pointer_surface; // what the pointer is on
	const char *app_id;
	int default_width, default_height;
	int forced_width, forced_height; // --buffer: 0 if not forced
	int width, height;               // the size asked for by the last configure
	bool configured, animate, flood, bad_stride, closed;
	uint32_t frame;
	struct wl_callback *frame_callback;
	struct xkb_context *xkb;
	struct xkb_keymap *keymap; // the keyboard's, as the compositor sends it
	struct xkb_state *xkb_state;
	/* --popup */
	int popup_x, popup_y, popup_w, popup_h; // popup_w 0: none
	struct wl_surface *popup_surface;
	struct xdg_surface *popup_xdg;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void buffer_handle_release(void *data, struct wl_buffer *buffer)
{
	wl_buffer_destroy(buffer);
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_handle_release};

static void draw(struct app *app);

static void frame_handle_done(void *data, struct wl_callback *callback, uint32_t time)
{
	struct app *app = data;
	wl_callback_destroy(callback);
	app->frame_callback = NULL;
	say("frame %u", app->frame);
	if (app->animate) {
		app->frame++;
		draw(app);
	}
}

static const struct wl_callback_listener frame_listener = {.done = frame_handle_done};

/*
 * Attaches to surface a w x h XRGB8888 buffer with the pattern of name
 * (blank unless draw), rows of stride bytes in a pool of stride * h bytes.
 */
static void attach(struct app *app, struct wl_surface *surface, const char *name, int w, int h,
	size_t stride, bool draw)
{
	size_t size = stride * (size_t)h;
	int fd = memfd_create("mosaic-test-app", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		say("error cannot allocate %dx%d", w, h);
		exit(1);
	}
	void *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pixels == MAP_FAILED) {
		say("error cannot map %dx%d", w, h);
		exit(1);
	}
	if (draw) {
		vguest_pattern_fill(pixels, (uint32_t)stride, VGUEST_FORMAT_XRGB8888, name,
			app->frame, (uint32_t)w, (uint32_t)h);
	}
	munmap(pixels, size);
	struct wl_shm_pool *pool = wl_shm_create_pool(app->shm, fd, (int32_t)size);
	struct wl_buffer *buffer = wl_shm_pool_create_buffer(
		pool, 0, w, h, (int32_t)stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(buffer, &buffer_listener, app);
	wl_surface_attach(surface, buffer, 0, 0);
	wl_surface_damage_buffer(surface, 0, 0, w, h);
}

static void draw(struct app *app)
{
	int w = app->forced_width ? app->forced_width : app->width ? app->width : app->default_width;
	int h = app->forced_height ? app->forced_height :
		app->height ? app->height : app->default_height;
	/*
	 * A bad stride (half a row) comes in a pool just large enough for it, as
	 * a hostile client makes it; a huge buffer is left blank: drawing it is
	 * not the point.
	 */
	size_t stride = (size_t)w * 4 / (app->bad_stride ? 2 : 1);
	attach(app, app->surface, app->app_id, w, h, stride,
		!app->forced_width && !app->bad_stride);
	if (!app->flood && app->frame_callback == NULL) {
		app->frame_callback = wl_surface_frame(app->surface);
		wl_callback_add_listener(app->frame_callback, &frame_listener, app);
	}
	wl_surface_commit(app->surface);
	say("drew %u %dx%d", app->frame, w, h);
}

/* The popup's picture: the pattern named "popup", at the size it was given. */
static void draw_popup(struct app *app, int w, int h)
{
	attach(app, app->popup_surface, "popup", w, h, (size_t)w * 4, true);
	wl_surface_commit(app->popup_surface);
	say("drew popup %dx%d", w, h);
}

static int popup_w, popup_h;

static void popup_xdg_handle_configure(void *data, struct xdg_surface *surface, uint32_t serial)
{
	struct app *app = data;
	xdg_surface_ack_configure(surface, serial);
	draw_popup(app, popup_w, popup_h);
}

static const struct xdg_surface_listener popup_xdg_listener = {
	.configure = popup_xdg_handle_configure,
};

static void popup_handle_configure(
	void *data, struct xdg_popup *popup, int32_t x, int32_t y, int32_t width, int32_t height)
{
	popup_w = width;
	popup_h = height;
	say("popup configure %d %d %d %d", x, y, width, height);
}

static void popup_handle_done(void *data, struct xdg_popup *popup)
{
	say("popup done");
}

static const struct xdg_popup_listener popup_listener = {
	.configure = popup_handle_configure,
	.popup_done = popup_handle_done,
};

static void open_popup(struct app *app)
{
	struct xdg_positioner *positioner = xdg_wm_base_create_positioner(app->wm_base);
	xdg_positioner_set_size(positioner, app->popup_w, app->popup_h);
	xdg_positioner_set_anchor_rect(positioner, app->popup_x, app->popup_y, 1, 1);
	xdg_positioner_set_anchor(positioner, XDG_POSITIONER_ANCHOR_TOP_LEFT);
	xdg_positioner_set_gravity(positioner, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
	app->popup_surface = wl_compositor_create_surface(app->compositor);
	app->popup_xdg = xdg_wm_base_get_xdg_surface(app->wm_base, app->popup_surface);
	xdg_surface_add_listener(app->popup_xdg, &popup_xdg_listener, app);
	struct xdg_popup *popup = xdg_surface_get_popup(app->popup_xdg, app->xdg_surface, positioner);
	xdg_popup_add_listener(popup, &popup_listener, app);
	xdg_positioner_destroy(positioner);
	wl_surface_commit(app->popup_surface);
}

/* Which of its surfaces an event is on, for the log: "" for the window. */
static const char *on(struct app *app, struct wl_surface *surface)
{
	return surface != NULL && surface == app->popup_surface ? "popup " : "";
}

static void xdg_surface_handle_configure(void *data, struct xdg_surface *surface, uint32_t serial)
{
	struct app *app = data;
	xdg_surface_ack_configure(surface, serial);
	app->configured = true;
	draw(app);
	if (app->popup_w > 0 && app->popup_surface == NULL && (app->width > 0 || app->forced_width)) {
		open_popup(app);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_handle_configure,
};

static void toplevel_handle_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
	int32_t height, struct wl_array *states)
{
	struct app *app = data;
	app->width = width;
	app->height = height;
	say("configure %d %d", width, height);
}

static void toplevel_handle_close(void *data, struct xdg_toplevel *toplevel)
{
	struct app *app = data;
	say("close");
	app->closed = true;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_handle_configure,
	.close = toplevel_handle_close,
};

static void decoration_handle_configure(
	void *data, struct zxdg_toplevel_decoration_v1 *decoration, uint32_t mode)
{
	say("decoration %s",
		mode == ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE ? "server-side" : "client-side");
}

static const struct zxdg_toplevel_decoration_v1_listener decoration_listener = {
	.configure = decoration_handle_configure,
};

static void wm_base_handle_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_handle_ping};

/* ---- input, logged as received ---- */

static void keyboard_handle_keymap(
	void *data, struct wl_keyboard *keyboard, uint32_t format, int32_t fd, uint32_t size)
{
	struct app *app = data;
	char *text = format == WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1 ?
		mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) :
		MAP_FAILED;
	close(fd);
	if (text == MAP_FAILED) {
		say("error no keymap");
		return;
	}
	struct xkb_keymap *keymap = xkb_keymap_new_from_buffer(app->xkb, text, strnlen(text, size),
		XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(text, size);
	if (keymap == NULL) {
		say("error bad keymap");
		return;
	}
	xkb_state_unref(app->xkb_state);
	xkb_keymap_unref(app->keymap);
	app->keymap = keymap;
	app->xkb_state = xkb_state_new(keymap);
}

static void keyboard_handle_enter(void *data, struct wl_keyboard *keyboard, uint32_t serial,
	struct wl_surface *surface, struct wl_array *keys)
{
	say("keyboard enter");
}

static void keyboard_handle_leave(
	void *data, struct wl_keyboard *keyboard, uint32_t serial, struct wl_surface *surface)
{
	say("keyboard leave");
}

static void keyboard_handle_key(void *data, struct wl_keyboard *keyboard, uint32_t serial,
	uint32_t time, uint32_t key, uint32_t state)
{
	struct app *app = data;
	/* The key's symbol in the keymap of the keyboard that typed it: what a user typed. */
	char name[64] = "?";
	if (app->xkb_state != NULL) {
		xkb_keysym_get_name(
			xkb_state_key_get_one_sym(app->xkb_state, key + 8), name, sizeof(name));
	}
	say("key %s %s", name, state == WL_KEYBOARD_KEY_STATE_PRESSED ? "pressed" : "released");
}

static void keyboard_handle_modifiers(void *data, struct wl_keyboard *keyboard, uint32_t serial,
	uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group)
{
	struct app *app = data;
	if (app->xkb_state != NULL) {
		xkb_state_update_mask(app->xkb_state, depressed, latched, locked, 0, 0, group);
	}
}

static void keyboard_handle_repeat_info(
	void *data, struct wl_keyboard *keyboard, int32_t rate, int32_t delay)
{
}

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_handle_keymap,
	.enter = keyboard_handle_enter,
	.leave = keyboard_handle_leave,
	.key = keyboard_handle_key,
	.modifiers = keyboard_handle_modifiers,
	.repeat_info = keyboard_handle_repeat_info,
};

static void pointer_handle_enter(void *data, struct wl_pointer *pointer, uint32_t serial,
	struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y)
{
	struct app *app = data;
	app->pointer_surface = surface;
	say("pointer enter %s%.2f %.2f", on(app, surface), wl_fixed_to_double(x),
		wl_fixed_to_double(y));
}

static void pointer_handle_leave(
	void *data, struct wl_pointer *pointer, uint32_t serial, struct wl_surface *surface)
{
	say("pointer leave");
}

static void pointer_handle_motion(
	void *data, struct wl_pointer *pointer, uint32_t time, wl_fixed_t x, wl_fixed_t y)
{
	struct app *app = data;
	say("pointer motion %s%.2f %.2f", on(app, app->pointer_surface), wl_fixed_to_double(x),
		wl_fixed_to_double(y));
}

static void pointer_handle_button(void *data, struct wl_pointer *pointer, uint32_t serial,
	uint32_t time, uint32_t button, uint32_t state)
{
	say("pointer button %u %s", button,
		state == WL_POINTER_BUTTON_STATE_PRESSED ? "pressed" : "released");
}

static void pointer_handle_axis(
	void *data, struct wl_pointer *pointer, uint32_t time, uint32_t axis, wl_fixed_t value)
{
	say("pointer axis %u %.2f", axis, wl_fixed_to_double(value));
}

static void pointer_handle_frame(void *data, struct wl_pointer *pointer)
{
}

static void pointer_handle_axis_source(void *data, struct wl_pointer *pointer, uint32_t source)
{
}

static void pointer_handle_axis_stop(
	void *data, struct wl_pointer *pointer, uint32_t time, uint32_t axis)
{
}

static void pointer_handle_axis_discrete(
	void *data, struct wl_pointer *pointer, uint32_t axis, int32_t discrete)
{
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_handle_enter,
	.leave = pointer_handle_leave,
	.motion = pointer_handle_motion,
	.button = pointer_handle_button,
	.axis = pointer_handle_axis,
	.frame = pointer_handle_frame,
	.axis_source = pointer_handle_axis_source,
	.axis_stop = pointer_handle_axis_stop,
	.axis_discrete = pointer_handle_axis_discrete,
};

static void touch_handle_down(void *data, struct wl_touch *touch, uint32_t serial, uint32_t time,
	struct wl_surface *surface, int32_t id, wl_fixed_t x, wl_fixed_t y)
{
	say("touch down %s%d %.2f %.2f", on(data, surface), id, wl_fixed_to_double(x),
		wl_fixed_to_double(y));
}

static void touch_handle_up(
	void *data, struct wl_touch *touch, uint32_t serial, uint32_t time, int32_t id)
{
	say("touch up %d", id);
}

static void touch_handle_motion(void *data, struct wl_touch *touch, uint32_t time, int32_t id,
	wl_fixed_t x, wl_fixed_t y)
{
	say("touch motion %d %.2f %.2f", id, wl_fixed_to_double(x), wl_fixed_to_double(y));
}

static void touch_handle_frame(void *data, struct wl_touch *touch)
{
}

static void touch_handle_cancel(void *data, struct wl_touch *touch)
{
	say("touch cancel");
}

static const struct wl_touch_listener touch_listener = {
	.down = touch_handle_down,
	.up = touch_handle_up,
	.motion = touch_handle_motion,
	.frame = touch_handle_frame,
	.cancel = touch_handle_cancel,
};

static void seat_handle_capabilities(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct app *app = data;
	if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && app->keyboard == NULL) {
		app->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(app->keyboard, &keyboard_listener, app);
	}
	if ((caps & WL_SEAT_CAPABILITY_POINTER) && app->pointer == NULL) {
		app->pointer = wl_seat_get_pointer(seat);
		wl_pointer_add_listener(app->pointer, &pointer_listener, app);
	}
	if ((caps & WL_SEAT_CAPABILITY_TOUCH) && app->touch == NULL) {
		app->touch = wl_seat_get_touch(seat);
		wl_touch_add_listener(app->touch, &touch_listener, app);
	}
}

static void seat_handle_name(void *data, struct wl_seat *seat, const char *name)
{
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = seat_handle_capabilities,
	.name = seat_handle_name,
};

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct app *app = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		app->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		app->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		app->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(app->wm_base, &wm_base_listener, app);
	} else if (strcmp(interface, zxdg_decoration_manager_v1_interface.name) == 0) {
		app->decorations =
			wl_registry_bind(registry, name, &zxdg_decoration_manager_v1_interface, 1);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && app->seat == NULL) {
		app->seat = wl_registry_bind(registry, name, &wl_seat_interface, 5);
		wl_seat_add_listener(app->seat, &seat_listener, app);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static bool parse_size(const char *text, int *w, int *h)
{
	return sscanf(text, "%dx%d", w, h) == 2 && *w > 0 && *h > 0 && *w <= 32768 && *h <= 32768;
}

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	stop = 1;
}

int main(int argc, char *argv[])
{
	struct app app = {.app_id = "mosaic-test-app", .default_width = 320, .default_height = 240};
	const char *title = "mosaic test app";
	const char *retitle = NULL;
	int retitle_ms = 0;
	for (int i = 1; i < argc; i++) {
		bool more = i + 1 < argc;
		if (strcmp(argv[i], "--app-id") == 0 && more) {
			app.app_id = argv[++i];
		} else if (strcmp(argv[i], "--title") == 0 && more) {
			title = argv[++i];
		} else if (strcmp(argv[i], "--size") == 0 && more &&
			   parse_size(argv[i + 1], &app.default_width, &app.default_height)) {
			i++;
		} else if (strcmp(argv[i], "--buffer") == 0 && more &&
			   parse_size(argv[i + 1], &app.forced_width, &app.forced_height)) {
			i++;
		} else if (strcmp(argv[i], "--animate") == 0) {
			app.animate = true;
		} else if (strcmp(argv[i], "--flood") == 0) {
			app.flood = true;
		} else if (strcmp(argv[i], "--bad-stride") == 0) {
			app.bad_stride = true;
		} else if (strcmp(argv[i], "--retitle") == 0 && i + 2 < argc) {
			retitle_ms = atoi(argv[i + 1]);
			retitle = argv[i + 2];
			i += 2;
		} else if (strcmp(argv[i], "--popup") == 0 && more &&
			   sscanf(argv[i + 1], "%d,%d,%dx%d", &app.popup_x, &app.popup_y, &app.popup_w,
				   &app.popup_h) == 4 &&
			   app.popup_w > 0 && app.popup_h > 0) {
			i++;
		} else {
			fprintf(stderr,
				"usage: mosaic-test-app [--app-id ID] [--title T] [--size WxH] "
				"[--animate] [--buffer WxH] [--flood] [--bad-stride] "
				"[--popup X,Y,WxH] [--retitle MS TITLE]\n");
			return 2;
		}
	}
	signal(SIGTERM, handle_signal);
	signal(SIGINT, handle_signal);
	app.xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	app.display = wl_display_connect(NULL);
	if (app.display == NULL) {
		say("error cannot connect to the Wayland display");
		return 1;
	}
	struct wl_registry *registry = wl_display_get_registry(app.display);
	wl_registry_add_listener(registry, &registry_listener, &app);
	wl_display_roundtrip(app.display);
	if (app.compositor == NULL || app.shm == NULL || app.wm_base == NULL) {
		say("error the compositor lacks wl_compositor, wl_shm or xdg_wm_base");
		return 1;
	}
	wl_display_roundtrip(app.display);
	app.surface = wl_compositor_create_surface(app.compositor);
	app.xdg_surface = xdg_wm_base_get_xdg_surface(app.wm_base, app.surface);
	xdg_surface_add_listener(app.xdg_surface, &xdg_surface_listener, &app);
	app.toplevel = xdg_surface_get_toplevel(app.xdg_surface);
	xdg_toplevel_add_listener(app.toplevel, &toplevel_listener, &app);
	xdg_toplevel_set_app_id(app.toplevel, app.app_id);
	xdg_toplevel_set_title(app.toplevel, title);
	/* It would draw its own decorations: the compositor says whether it should. */
	if (app.decorations != NULL) {
		struct zxdg_toplevel_decoration_v1 *decoration =
			zxdg_decoration_manager_v1_get_toplevel_decoration(app.decorations, app.toplevel);
		zxdg_toplevel_decoration_v1_add_listener(decoration, &decoration_listener, &app);
		zxdg_toplevel_decoration_v1_set_mode(
			decoration, ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE);
	}
	wl_surface_commit(app.surface);
	say("started %s", app.app_id);

	struct pollfd pfd = {.fd = wl_display_get_fd(app.display), .events = POLLIN};
	struct timespec started;
	clock_gettime(CLOCK_MONOTONIC, &started);
	while (!stop && !app.closed) {
		if (retitle != NULL) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			long ms = (now.tv_sec - started.tv_sec) * 1000 +
				(now.tv_nsec - started.tv_nsec) / 1000000;
			if (ms >= retitle_ms) {
				xdg_toplevel_set_title(app.toplevel, retitle);
				wl_surface_commit(app.surface);
				say("retitled %s", retitle);
				retitle = NULL;
			}
		}
		if (app.flood && app.configured) {
			app.frame++;
			draw(&app);
		}
		while (wl_display_prepare_read(app.display) != 0) {
			wl_display_dispatch_pending(app.display);
		}
		if (wl_display_flush(app.display) < 0 && errno != EAGAIN) {
			wl_display_cancel_read(app.display);
			break;
		}
		int n = poll(&pfd, 1, app.flood ? 0 : retitle != NULL ? 20 : 1000);
		if (n > 0) {
			if (wl_display_read_events(app.display) < 0) {
				break;
			}
		} else {
			wl_display_cancel_read(app.display);
		}
		if (wl_display_dispatch_pending(app.display) < 0) {
			break;
		}
	}
	int error = wl_display_get_error(app.display);
	say("exit %d", error);
	wl_display_disconnect(app.display);
	return error != 0 && !stop ? 1 : 0;
}
