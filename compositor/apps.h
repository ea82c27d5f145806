#ifndef MOSAIC_COMPOSITOR_APPS_H
#define MOSAIC_COMPOSITOR_APPS_H

#include <stdbool.h>
#include <sys/types.h>
#include <wayland-server-core.h>

/*
 * Dom0's Wayland clients (a status bar, a camera viewer, QEMU's window of
 * another VM): the globals they need to show something, and their
 * toplevels, "apps", known by app_id and title. mosaic decides what
 * appears: an app is shown only where the layout places it.
 */
struct mosaic_server;
struct wlr_buffer;
struct wlr_box;
struct wlr_fbox;
struct wlr_surface;
struct wlr_output;
struct wlr_xdg_shell;
struct wlr_xdg_toplevel;

/* Larger windows are not shown: no cockpit output needs more, and they cost every frame. */
#define APP_MAX_SIZE 8192

struct mosaic_app {
	struct mosaic_apps *apps;
	struct wlr_xdg_toplevel *toplevel;
	unsigned id; // mosaic's number for it, not reused while mosaic runs
	pid_t pid;   // its client's process, 0 if unknown
	bool mapped; // it has something to show
	bool refused; // its buffer could not be shown, and the log said why
	/* The output whose frames tell it when to draw: the first that shows it, NULL if none. */
	struct wlr_output *presenter;
	struct wl_list link; // mosaic_apps.list, oldest first
	struct wl_list popups; // popup.link (popup.c)

	struct {
		struct wl_signal content; // it committed a new picture, or has none any more
	} events;

	struct wl_listener map;
	struct wl_listener unmap;
	struct wl_listener commit;
	struct wl_listener destroy;
	struct wl_listener new_popup;
	struct wl_listener set_title;
	struct wl_listener set_app_id;
};

struct mosaic_apps {
	struct mosaic_server *server;
	struct wlr_xdg_shell *xdg_shell;
	struct mosaic_decorations *decorations; // none drawn, by client or server
	struct wl_list list; // mosaic_app.link
	unsigned next_id;

	struct wl_listener new_toplevel;
	struct wl_listener frame;
};

/* NULL if a global cannot be made. */
struct mosaic_apps *apps_create(struct mosaic_server *server);
void apps_destroy(struct mosaic_apps *apps);

/* The identity the app gave itself; "" where it gave none. */
const char *app_get_app_id(const struct mosaic_app *app);
const char *app_get_title(const struct mosaic_app *app);
/*
 * Its picture: the buffer mosaic reads (a client's shared memory, locked by
 * the renderer) and the window's part of it, in buffer pixels. false while
 * it has nothing mosaic can show.
 */
bool app_get_picture(struct mosaic_app *app, struct wlr_buffer **buffer, struct wlr_box *pic);
/* The window's size, in surface coordinates, as mosaic asks it to draw it (0: its choice). */
void app_configure(struct mosaic_app *app, int width, int height);
/*
 * What is drawn over the window's own buffer: its subsurfaces and popups
 * that have a picture mosaic can show, each with the box it covers in the
 * window's buffer pixels (as app_get_picture's), in stacking order.
 */
typedef void (*app_extra_fn)(struct wlr_buffer *buffer, const struct wlr_fbox *box, void *data);
void app_for_each_extra(struct mosaic_app *app, app_extra_fn fn, void *data);
/* The window's surface, as the seat addresses it. */
struct wlr_surface *app_get_surface(const struct mosaic_app *app);
/*
 * The surface (the window's, a subsurface's or a popup's) at a point of the
 * window's surface, and the point in its own coordinates; the window's when
 * none takes input there.
 */
struct wlr_surface *app_surface_at(
	struct mosaic_app *app, double sx, double sy, double *sub_x, double *sub_y);
/* A point of its buffer (pixels, as app_get_picture's) in its surface's coordinates. */
void app_surface_point(const struct mosaic_app *app, double bx, double by, double *sx, double *sy);
/* Which output's frames pace its drawing (NULL: none: it waits). */
void app_set_presenter(struct mosaic_app *app, struct wlr_output *output);

#endif
