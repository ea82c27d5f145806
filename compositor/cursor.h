#ifndef MOSAIC_COMPOSITOR_CURSOR_H
#define MOSAIC_COMPOSITOR_CURSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

/*
 * Pointers and touch screens: the backend's (libinput on DRM) and the
 * control socket's. Finds what is under a point (the topmost view showing
 * a guest or an app there), turns the point into that guest's connector
 * pixels and hands it to input routing, or into the app's surface
 * coordinates and hands it to the seat. A held button keeps the pointer
 * with its guest or app; a contact stays with what it went down on.
 */
struct mosaic_server;
struct mosaic_view;
struct mosaic_surface;
struct mosaic_app;
struct wlr_input_device;
struct input_target;
struct wlr_box;

#define CURSOR_MAX_CONTACTS 32

struct mosaic_cursor {
	struct mosaic_server *server;
	struct wlr_cursor *cursor;
	struct wlr_xcursor_manager *xcursors; // NULL until a pointer one can see exists
	double x, y; // where input last put the pointer, in layout coordinates
	struct wl_list devices; // cursor_device.link

	/* Where a held button was pressed: a guest's connector or an app (never both). */
	struct mosaic_surface *grab;
	struct mosaic_app *grab_app;
	struct mosaic_app *hover_app; // the app with the seat's pointer focus
	struct {
		bool live;
		struct wlr_input_device *device;
		int32_t touch_id; // the device's
		int32_t id;       // ours, unique across devices
		struct mosaic_surface *surface; // where it went down (or app)
		struct mosaic_app *app;
		double dx, dy; // an app's: from its window's coordinates to its surface's
	} contacts[CURSOR_MAX_CONTACTS];
	int32_t next_contact;

	struct wl_listener motion;
	struct wl_listener motion_absolute;
	struct wl_listener button;
	struct wl_listener axis;
	struct wl_listener touch_down;
	struct wl_listener touch_up;
	struct wl_listener touch_motion;
	struct wl_listener touch_cancel;
	struct wl_listener touch_frame;
	/* Views were remade: contacts and buttons on a guest no longer shown are lifted. */
	struct wl_listener views_changed;
	struct wl_listener surface_destroy;
	struct wl_listener app_unmapped;
};

struct mosaic_cursor *cursor_create(struct mosaic_server *server);
void cursor_destroy(struct mosaic_cursor *cursor);
/*
 * A pointer or touch device: follow it (touch screens on the output the
 * layout file gives). visible: a pointer a person moves, which gets an image.
 */
void cursor_add_device(struct mosaic_cursor *cursor, struct wlr_input_device *device, bool visible);
/* The layout file or the outputs changed: touch screens to their outputs again. */
void cursor_map_devices(struct mosaic_cursor *cursor);
/*
 * The layout area a device's 0..1 coordinates cover: its output's (glued
 * by the layout file's [[touch]]) or the whole layout's.
 */
bool cursor_device_area(struct mosaic_cursor *cursor, struct wlr_input_device *device,
	struct wlr_box *box, bool *glued);

/* The topmost view showing a guest or an app at layout point (lx, ly), NULL if none. */
struct mosaic_view *cursor_view_at(struct mosaic_server *server, double lx, double ly);
/* Layout point -> the view's connector (or app buffer) pixels; clamp onto its edge when outside. */
bool cursor_view_point(struct mosaic_server *server, const struct mosaic_view *view, double lx,
	double ly, bool clamp, double *gx, double *gy);

#endif
