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
struct wlr_xdg_shell;
struct wlr_xdg_toplevel;

struct mosaic_app {
	struct mosaic_apps *apps;
	struct wlr_xdg_toplevel *toplevel;
	unsigned id; // mosaic's number for it, not reused while mosaic runs
	pid_t pid;   // its client's process, 0 if unknown
	bool mapped; // it has something to show
	struct wl_list link; // mosaic_apps.list, oldest first

	struct wl_listener map;
	struct wl_listener unmap;
	struct wl_listener commit;
	struct wl_listener destroy;
};

struct mosaic_apps {
	struct mosaic_server *server;
	struct wlr_xdg_shell *xdg_shell;
	struct wl_list list; // mosaic_app.link
	unsigned next_id;

	struct wl_listener new_toplevel;
};

/* NULL if a global cannot be made. */
struct mosaic_apps *apps_create(struct mosaic_server *server);
void apps_destroy(struct mosaic_apps *apps);

/* The identity the app gave itself; "" where it gave none. */
const char *app_get_app_id(const struct mosaic_app *app);
const char *app_get_title(const struct mosaic_app *app);

#endif
