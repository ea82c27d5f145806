#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/cursor.h"
#include "compositor/focus.h"
#include "compositor/log.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wlr_compat.h"
#include "input-routing/router.h"
#include "input-routing/transform.h"
#include "layouts/layout.h"
#include "vm-surfaces/connector.h"

struct cursor_device {
	struct mosaic_cursor *cursor;
	struct wlr_input_device *device;
	struct mosaic_output *output; // a touch screen's output; NULL: the whole layout
	struct wl_listener destroy;
	struct wl_list link; // mosaic_cursor.devices
};

static bool view_hit(struct mosaic_server *server, const struct mosaic_view *view,
	struct input_view_geometry *geo)
{
	bool guest = view_shows_guest(view);
	if ((!guest && !view_shows_app(view)) || view->content == NULL ||
		!compat_scene_node_enabled(&view->tree->node) ||
		!compat_scene_node_enabled(&view->content->node) || view->box.width <= 0) {
		return false;
	}
	struct wlr_box out;
	output_get_box(view->params.output, &out);
	/* A guest's coordinates start at its scan-out offset; an app's buffer at its corner. */
	const struct vm_connector *connector = guest ? view->params.surface->connector : NULL;
	*geo = (struct input_view_geometry){
		.box = {out.x + view->box.x, out.y + view->box.y, view->box.width,
			view->box.height},
		.src = view->src,
		.transform = (enum wl_output_transform)view->params.transform,
		.origin_x = connector != NULL ? connector->src.x : 0,
		.origin_y = connector != NULL ? connector->src.y : 0,
	};
	return true;
}

struct mosaic_view *cursor_view_at(struct mosaic_server *server, double lx, double ly)
{
	struct mosaic_view *view;
	wl_list_for_each_reverse(view, &server->views, link) {
		struct input_view_geometry geo;
		double gx, gy;
		if (view_hit(server, view, &geo) && input_map_point(&geo, lx, ly, false, &gx, &gy)) {
			return view;
		}
	}
	return NULL;
}

bool cursor_view_point(struct mosaic_server *server, const struct mosaic_view *view, double lx,
	double ly, bool clamp, double *gx, double *gy)
{
	struct input_view_geometry geo;
	return view_hit(server, view, &geo) && input_map_point(&geo, lx, ly, clamp, gx, gy);
}

/* ---- pointer ---- */

/* The view showing surface (or app): the topmost one under the point, else the topmost. */
static struct mosaic_view *owner_view(struct mosaic_server *server,
	const struct mosaic_surface *surface, const struct mosaic_app *app, double lx, double ly)
{
	struct mosaic_view *view, *any = NULL;
	wl_list_for_each_reverse(view, &server->views, link) {
		struct input_view_geometry geo;
		double gx, gy;
		if (view->params.surface != surface || view->params.app != app ||
			!view_hit(server, view, &geo)) {
			continue;
		}
		if (input_map_point(&geo, lx, ly, false, &gx, &gy)) {
			return view;
		}
		if (any == NULL) {
			any = view;
		}
	}
	return any;
}

static struct wlr_seat *wl_seat(struct mosaic_cursor *cursor)
{
	return cursor->server->wl_seat;
}

/* The pointer leaves whatever app it was on. */
static void app_pointer_leave(struct mosaic_cursor *cursor)
{
	if (cursor->hover_app != NULL && wl_seat(cursor) != NULL) {
		wlr_seat_pointer_notify_clear_focus(wl_seat(cursor));
	}
	cursor->hover_app = NULL;
}

/* The pointer on app at its buffer pixel (bx, by). */
static void app_pointer_motion(
	struct mosaic_cursor *cursor, struct mosaic_app *app, double bx, double by, uint32_t time)
{
	struct wlr_seat *seat = wl_seat(cursor);
	if (seat == NULL) {
		return;
	}
	double sx, sy, px, py;
	app_surface_point(app, bx, by, &sx, &sy);
	/* The window, or its popup or subsurface there. */
	struct wlr_surface *surface = app_surface_at(app, sx, sy, &px, &py);
	/* wlroots says enter only when the surface changes. */
	wlr_seat_pointer_notify_enter(seat, surface, px, py);
	wlr_seat_pointer_notify_motion(seat, time, px, py);
	wlr_seat_pointer_notify_frame(seat);
	cursor->hover_app = app;
}

static void pointer_moved(struct mosaic_cursor *cursor, double dx, double dy, uint32_t time)
{
	struct mosaic_server *server = cursor->server;
	double lx = cursor->cursor->x, ly = cursor->cursor->y, gx, gy;
	cursor->x = lx;
	cursor->y = ly;
	bool held = cursor->grab != NULL || cursor->grab_app != NULL;
	struct mosaic_view *view =
		held ? owner_view(server, cursor->grab, cursor->grab_app, lx, ly) : NULL;
	bool inside = held ?
		view != NULL && cursor_view_point(server, view, lx, ly, true, &gx, &gy) :
		(view = cursor_view_at(server, lx, ly)) != NULL &&
			cursor_view_point(server, view, lx, ly, false, &gx, &gy);
	if (inside && view->params.app != NULL) {
		input_router_pointer_motion(server->router, NULL, 0, 0, dx, dy);
		app_pointer_motion(cursor, view->params.app, gx, gy, time);
		return;
	}
	app_pointer_leave(cursor);
	if (!inside) {
		input_router_pointer_motion(server->router, NULL, 0, 0, dx, dy);
		return;
	}
	struct input_target target;
	surface_input_target(view->params.surface, &target);
	input_router_pointer_motion(server->router, &target, gx, gy, dx, dy);
}

static void cursor_handle_motion(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, motion);
	struct wlr_pointer_motion_event *event = data;
	wlr_cursor_move(
		cursor->cursor, compat_pointer_event_device(event), event->delta_x, event->delta_y);
	pointer_moved(cursor, event->delta_x, event->delta_y, event->time_msec);
}

static void cursor_handle_motion_absolute(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, motion_absolute);
	struct wlr_pointer_motion_absolute_event *event = data;
	double x0 = cursor->cursor->x, y0 = cursor->cursor->y;
	wlr_cursor_warp_absolute(
		cursor->cursor, compat_pointer_event_device(event), event->x, event->y);
	pointer_moved(cursor, cursor->cursor->x - x0, cursor->cursor->y - y0, event->time_msec);
}

static void cursor_handle_button(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, button);
	struct wlr_pointer_button_event *event = data;
	struct mosaic_server *server = cursor->server;
	bool pressed = compat_button_pressed(event);
	struct wlr_seat *seat = wl_seat(cursor);
	bool app_held = cursor->grab_app != NULL;
	if (pressed && !input_router_pointer_grabbed(server->router) && !app_held) {
		struct mosaic_view *view = cursor_view_at(server, cursor->cursor->x, cursor->cursor->y);
		if (view != NULL && server->layout != NULL && server->layout->focus_follows_click) {
			focus_set_view(server, view);
		}
		/* The press goes where the pointer is now. */
		pointer_moved(cursor, 0, 0, event->time_msec);
		cursor->grab = view != NULL ? view->params.surface : NULL;
		cursor->grab_app = view != NULL ? view->params.app : NULL;
	}
	if (cursor->grab_app != NULL) {
		if (seat != NULL) {
			wlr_seat_pointer_notify_button(
				seat, event->time_msec, event->button, compat_button_state(pressed));
			wlr_seat_pointer_notify_frame(seat);
		}
		/* Held until its last button is let go. */
		if (seat == NULL || seat->pointer_state.button_count == 0) {
			cursor->grab_app = NULL;
		}
		return;
	}
	input_router_pointer_button(server->router, event->button, pressed);
	if (!input_router_pointer_grabbed(server->router)) {
		cursor->grab = NULL;
	}
}

static void cursor_handle_axis(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, axis);
	struct wlr_pointer_axis_event *event = data;
	if (cursor->hover_app != NULL) {
		if (wl_seat(cursor) != NULL) {
			compat_seat_pointer_notify_axis(wl_seat(cursor), event);
			wlr_seat_pointer_notify_frame(wl_seat(cursor));
		}
		return;
	}
	if (!compat_axis_vertical(event)) {
		return; // kbdif has one wheel
	}
	/* Wheels click in steps; smooth scrolling counts 15 units a step, as libinput's. */
	int32_t steps = event->delta_discrete != 0 ?
		event->delta_discrete / COMPAT_AXIS_DISCRETE_STEP :
		(int32_t)(event->delta / 15);
	input_router_pointer_wheel(cursor->server->router, steps);
}

/* ---- touch ---- */

static int find_contact(struct mosaic_cursor *cursor, struct wlr_input_device *device,
	int32_t touch_id)
{
	for (int i = 0; i < CURSOR_MAX_CONTACTS; i++) {
		if (cursor->contacts[i].live && cursor->contacts[i].device == device &&
			cursor->contacts[i].touch_id == touch_id) {
			return i;
		}
	}
	return -1;
}

static void cursor_handle_touch_down(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, touch_down);
	struct wlr_touch_down_event *event = data;
	struct mosaic_server *server = cursor->server;
	double lx, ly, gx, gy;
	wlr_cursor_absolute_to_layout_coords(
		cursor->cursor, compat_touch_event_device(event), event->x, event->y, &lx, &ly);
	struct mosaic_view *view = cursor_view_at(server, lx, ly);
	int slot = find_contact(cursor, compat_touch_event_device(event), event->touch_id);
	if (view == NULL || slot >= 0 ||
		!cursor_view_point(server, view, lx, ly, false, &gx, &gy)) {
		return; // on no guest: the contact is nobody's for its whole life
	}
	for (slot = 0; slot < CURSOR_MAX_CONTACTS && cursor->contacts[slot].live; slot++) {
	}
	if (slot == CURSOR_MAX_CONTACTS) {
		return;
	}
	if (server->layout != NULL && server->layout->focus_follows_click) {
		focus_set_view(server, view);
	}
	int32_t id = cursor->next_contact++ & 0x7fffffff;
	cursor->contacts[slot].live = true;
	cursor->contacts[slot].device = compat_touch_event_device(event);
	cursor->contacts[slot].touch_id = event->touch_id;
	cursor->contacts[slot].id = id;
	cursor->contacts[slot].surface = view->params.surface;
	cursor->contacts[slot].app = view->params.app;
	if (view->params.app != NULL) {
		double sx, sy, px, py;
		app_surface_point(view->params.app, gx, gy, &sx, &sy);
		struct wlr_surface *surface = app_surface_at(view->params.app, sx, sy, &px, &py);
		/* It moves in the coordinates of the surface it went down on. */
		cursor->contacts[slot].dx = px - sx;
		cursor->contacts[slot].dy = py - sy;
		if (wl_seat(cursor) != NULL) {
			wlr_seat_touch_notify_down(
				wl_seat(cursor), surface, event->time_msec, id, px, py);
		}
		return;
	}
	struct input_target target;
	surface_input_target(view->params.surface, &target);
	input_router_touch_down(server->router, id, &target, gx, gy);
}

static void cursor_handle_touch_motion(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, touch_motion);
	struct wlr_touch_motion_event *event = data;
	int slot = find_contact(cursor, compat_touch_event_device(event), event->touch_id);
	if (slot < 0) {
		return;
	}
	double lx, ly, gx, gy;
	wlr_cursor_absolute_to_layout_coords(
		cursor->cursor, compat_touch_event_device(event), event->x, event->y, &lx, &ly);
	struct mosaic_app *app = cursor->contacts[slot].app;
	struct mosaic_view *view =
		owner_view(cursor->server, cursor->contacts[slot].surface, app, lx, ly);
	if (view == NULL || !cursor_view_point(cursor->server, view, lx, ly, true, &gx, &gy)) {
		return;
	}
	if (app != NULL) {
		double sx, sy;
		app_surface_point(app, gx, gy, &sx, &sy);
		if (wl_seat(cursor) != NULL) {
			wlr_seat_touch_notify_motion(wl_seat(cursor), event->time_msec,
				cursor->contacts[slot].id, sx + cursor->contacts[slot].dx,
				sy + cursor->contacts[slot].dy);
		}
		return;
	}
	input_router_touch_motion(cursor->server->router, cursor->contacts[slot].id, gx, gy);
}

static void contact_lift(struct mosaic_cursor *cursor, int slot, uint32_t time)
{
	cursor->contacts[slot].live = false;
	if (cursor->contacts[slot].app == NULL) {
		input_router_touch_up(cursor->server->router, cursor->contacts[slot].id);
	} else if (wl_seat(cursor) != NULL) {
		wlr_seat_touch_notify_up(wl_seat(cursor), time, cursor->contacts[slot].id);
	}
}

/* A touch frame: the guests' (kbdif's) and the apps' (wl_touch's). */
static void touch_frame(struct mosaic_cursor *cursor)
{
	input_router_touch_frame(cursor->server->router);
	if (wl_seat(cursor) != NULL) {
		wlr_seat_touch_notify_frame(wl_seat(cursor));
	}
}

static uint32_t now_msec(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

static void cursor_handle_touch_up(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, touch_up);
	struct wlr_touch_up_event *event = data;
	int slot = find_contact(cursor, compat_touch_event_device(event), event->touch_id);
	if (slot >= 0) {
		contact_lift(cursor, slot, event->time_msec);
	}
}

static void cursor_handle_touch_cancel(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, touch_cancel);
	struct wlr_touch_cancel_event *event = data;
	int slot = find_contact(cursor, compat_touch_event_device(event), event->touch_id);
	if (slot >= 0) {
		contact_lift(cursor, slot, event->time_msec);
		touch_frame(cursor);
	}
}

static void cursor_handle_touch_frame(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, touch_frame);
	touch_frame(cursor);
}

/* ---- devices ---- */

static void lift_device(struct mosaic_cursor *cursor, struct wlr_input_device *device)
{
	bool any = false;
	for (int i = 0; i < CURSOR_MAX_CONTACTS; i++) {
		if (cursor->contacts[i].live && cursor->contacts[i].device == device) {
			contact_lift(cursor, i, now_msec());
			any = true;
		}
	}
	if (any) {
		touch_frame(cursor);
	}
}

static void cursor_device_destroy(struct cursor_device *dev)
{
	lift_device(dev->cursor, dev->device);
	wlr_cursor_detach_input_device(dev->cursor->cursor, dev->device);
	wl_list_remove(&dev->destroy.link);
	wl_list_remove(&dev->link);
	free(dev);
}

static void cursor_device_handle_destroy(struct wl_listener *listener, void *data)
{
	struct cursor_device *dev = wl_container_of(listener, dev, destroy);
	cursor_device_destroy(dev);
}

static void map_device(struct mosaic_cursor *cursor, struct cursor_device *dev)
{
	struct mosaic_server *server = cursor->server;
	const struct layout_config *config = server->layout;
	struct wlr_input_device *device = dev->device;
	dev->output = NULL;
	for (size_t i = 0; config != NULL && device->type == WLR_INPUT_DEVICE_TOUCH &&
		i < config->touch_len; i++) {
		const struct layout_touch *t = &config->touch[i];
		if (t->device == NULL || (device->name != NULL && strstr(device->name, t->device) != NULL)) {
			struct mosaic_output *output;
			wl_list_for_each(output, &server->outputs, link) {
				if (output->config == t->output) {
					dev->output = output;
				}
			}
			break;
		}
	}
	/* Its output not there (yet): the whole layout, until it comes. */
	wlr_cursor_map_input_to_output(cursor->cursor, device,
		dev->output != NULL ? dev->output->wlr_output : NULL);
}

bool cursor_device_area(struct mosaic_cursor *cursor, struct wlr_input_device *device,
	struct wlr_box *box, bool *glued)
{
	struct cursor_device *dev;
	wl_list_for_each(dev, &cursor->devices, link) {
		if (dev->device != device) {
			continue;
		}
		*glued = dev->output != NULL;
		if (dev->output != NULL) {
			output_get_box(dev->output, box);
			return box->width > 0 && box->height > 0;
		}
		wlr_output_layout_get_box(cursor->server->output_layout, NULL, box);
		return box->width > 0 && box->height > 0;
	}
	return false;
}

void cursor_map_devices(struct mosaic_cursor *cursor)
{
	struct cursor_device *dev;
	wl_list_for_each(dev, &cursor->devices, link) {
		map_device(cursor, dev);
	}
}

/* A pointer someone moves by hand needs an image; scripted ones do not. */
static void show_image(struct mosaic_cursor *cursor)
{
	if (cursor->xcursors == NULL) {
		/* XCURSOR_THEME/SIZE choose; without a theme, wlroots has a built-in arrow. */
		const char *size = getenv("XCURSOR_SIZE");
		cursor->xcursors = wlr_xcursor_manager_create(
			getenv("XCURSOR_THEME"), size != NULL && atoi(size) > 0 ? (uint32_t)atoi(size) : 24);
		if (cursor->xcursors == NULL || !wlr_xcursor_manager_load(cursor->xcursors, 1)) {
			log_warning("No cursor image: the pointer is invisible");
			return;
		}
	}
	wlr_cursor_set_xcursor(cursor->cursor, cursor->xcursors, "left_ptr");
}

void cursor_add_device(struct mosaic_cursor *cursor, struct wlr_input_device *device, bool visible)
{
	struct cursor_device *dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		wlr_log(WLR_ERROR, "Out of memory: %s ignored", device->name);
		return;
	}
	dev->cursor = cursor;
	dev->device = device;
	dev->destroy.notify = cursor_device_handle_destroy;
	wl_signal_add(&device->events.destroy, &dev->destroy);
	wl_list_insert(&cursor->devices, &dev->link);
	wlr_cursor_attach_input_device(cursor->cursor, device);
	map_device(cursor, dev);
	if (visible && device->type == WLR_INPUT_DEVICE_POINTER) {
		show_image(cursor);
	}
	wlr_log(WLR_INFO, "%s: %s", device->type == WLR_INPUT_DEVICE_TOUCH ? "Touch" : "Pointer",
		device->name != NULL ? device->name : "(unnamed)");
}

static void cursor_handle_views_changed(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, views_changed);
	struct mosaic_server *server = cursor->server;
	/* Outputs come and go with arrangements: touch screens follow theirs. */
	cursor_map_devices(cursor);
	/*
	 * While outputs are placed again one by one, wlroots moves the pointer
	 * off any that is out of the layout for a moment: back where input put
	 * it, or the nearest point still shown.
	 */
	wlr_cursor_warp_closest(cursor->cursor, NULL, cursor->x, cursor->y);
	double lx = cursor->cursor->x, ly = cursor->cursor->y;
	bool lifted = false;
	for (int i = 0; i < CURSOR_MAX_CONTACTS; i++) {
		if (cursor->contacts[i].live &&
			owner_view(server, cursor->contacts[i].surface, cursor->contacts[i].app, lx,
				ly) == NULL) {
			contact_lift(cursor, i, now_msec());
			lifted = true;
		}
	}
	if (lifted) {
		touch_frame(cursor);
	}
	if (cursor->grab != NULL && owner_view(server, cursor->grab, NULL, lx, ly) == NULL) {
		/* Its guest left the screen: the buttons it holds are let go. */
		cursor->grab = NULL;
		input_router_release_buttons(server->router);
	}
	if (cursor->grab_app != NULL && owner_view(server, NULL, cursor->grab_app, lx, ly) == NULL) {
		cursor->grab_app = NULL;
	}
	if (cursor->hover_app != NULL && owner_view(server, NULL, cursor->hover_app, lx, ly) == NULL) {
		app_pointer_leave(cursor);
	}
}

static void cursor_handle_surface_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, surface_destroy);
	struct mosaic_surface *surface = data;
	for (int i = 0; i < CURSOR_MAX_CONTACTS; i++) {
		if (cursor->contacts[i].live && cursor->contacts[i].surface == surface) {
			contact_lift(cursor, i, now_msec());
		}
	}
	touch_frame(cursor);
	if (cursor->grab == surface) {
		cursor->grab = NULL;
		input_router_release_buttons(cursor->server->router);
	}
}

/* An app's window went: what held it lets go (the seat forgets a destroyed surface itself). */
static void cursor_handle_app_unmapped(struct wl_listener *listener, void *data)
{
	struct mosaic_cursor *cursor = wl_container_of(listener, cursor, app_unmapped);
	struct mosaic_app *app = data;
	bool lifted = false;
	for (int i = 0; i < CURSOR_MAX_CONTACTS; i++) {
		if (cursor->contacts[i].live && cursor->contacts[i].app == app) {
			contact_lift(cursor, i, now_msec());
			lifted = true;
		}
	}
	if (lifted) {
		touch_frame(cursor);
	}
	if (cursor->grab_app == app) {
		cursor->grab_app = NULL;
	}
	if (cursor->hover_app == app) {
		app_pointer_leave(cursor);
	}
}

struct mosaic_cursor *cursor_create(struct mosaic_server *server)
{
	struct mosaic_cursor *cursor = calloc(1, sizeof(*cursor));
	if (cursor == NULL) {
		return NULL;
	}
	cursor->cursor = wlr_cursor_create();
	if (cursor->cursor == NULL) {
		free(cursor);
		return NULL;
	}
	cursor->server = server;
	wl_list_init(&cursor->devices);
	wlr_cursor_attach_output_layout(cursor->cursor, server->output_layout);
	struct {
		struct wl_listener *listener;
		wl_notify_func_t notify;
		struct wl_signal *signal;
	} hooks[] = {
		{&cursor->motion, cursor_handle_motion, &cursor->cursor->events.motion},
		{&cursor->motion_absolute, cursor_handle_motion_absolute,
			&cursor->cursor->events.motion_absolute},
		{&cursor->button, cursor_handle_button, &cursor->cursor->events.button},
		{&cursor->axis, cursor_handle_axis, &cursor->cursor->events.axis},
		{&cursor->touch_down, cursor_handle_touch_down, &cursor->cursor->events.touch_down},
		{&cursor->touch_up, cursor_handle_touch_up, &cursor->cursor->events.touch_up},
		{&cursor->touch_motion, cursor_handle_touch_motion,
			&cursor->cursor->events.touch_motion},
		{&cursor->touch_cancel, cursor_handle_touch_cancel,
			&cursor->cursor->events.touch_cancel},
		{&cursor->touch_frame, cursor_handle_touch_frame, &cursor->cursor->events.touch_frame},
		{&cursor->views_changed, cursor_handle_views_changed, &server->events.views_changed},
		{&cursor->surface_destroy, cursor_handle_surface_destroy,
			&server->events.surface_destroy},
		{&cursor->app_unmapped, cursor_handle_app_unmapped, &server->events.app_unmapped},
	};
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		hooks[i].listener->notify = hooks[i].notify;
		wl_signal_add(hooks[i].signal, hooks[i].listener);
	}
	return cursor;
}

void cursor_destroy(struct mosaic_cursor *cursor)
{
	if (cursor == NULL) {
		return;
	}
	struct cursor_device *dev, *tmp;
	wl_list_for_each_safe(dev, tmp, &cursor->devices, link) {
		cursor_device_destroy(dev);
	}
	struct wl_listener *listeners[] = {&cursor->motion, &cursor->motion_absolute,
		&cursor->button, &cursor->axis, &cursor->touch_down, &cursor->touch_up,
		&cursor->touch_motion, &cursor->touch_cancel, &cursor->touch_frame,
		&cursor->views_changed, &cursor->surface_destroy, &cursor->app_unmapped};
	for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
		wl_list_remove(&listeners[i]->link);
	}
	if (cursor->xcursors != NULL) {
		wlr_xcursor_manager_destroy(cursor->xcursors);
	}
	wlr_cursor_destroy(cursor->cursor);
	free(cursor);
}
