#ifndef MOSAIC_COMPOSITOR_FOCUS_H
#define MOSAIC_COMPOSITOR_FOCUS_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

/*
 * Keyboard focus: which guest connector (or dom0 app) the keyboard goes
 * to, chosen by key bindings, mosaicctl or a click/touch, and the indicator
 * that shows it: a frame in its colour around each view of it, with its
 * label, drawn by mosaic above every guest's and app's content.
 */
struct mosaic_server;
struct mosaic_surface;
struct mosaic_view;
struct mosaic_app;

struct mosaic_focus {
	struct mosaic_server *server;
	struct mosaic_surface *surface; // NULL: no guest has the focus
	struct mosaic_app *app;         // NULL: no app has it (never both)
	struct wlr_scene_tree *indicator; // in the overlay layer
	/* A focused guest no longer on screen loses the focus; the frame is redrawn. */
	struct wl_listener views_changed;
	struct wl_listener surface_destroy;
	struct wl_listener app_unmapped;
};

struct mosaic_focus *focus_create(struct mosaic_server *server);
void focus_destroy(struct mosaic_focus *focus);

/* Focus to surface (NULL: nobody). */
void focus_set_surface(struct mosaic_server *server, struct mosaic_surface *surface);
void focus_set_app(struct mosaic_server *server, struct mosaic_app *app);
/* Focus to what the view shows (NULL: nobody). */
void focus_set_view(struct mosaic_server *server, struct mosaic_view *view);
/*
 * "next", "prev", "none", a position on screen (1..N: top to bottom, left
 * to right), a guest's name (its first connector on screen), or an app's
 * app_id or layout label. false with a message in err when there is no
 * such guest or app on screen.
 */
bool focus_command(struct mosaic_server *server, const char *arg, char *err, size_t err_size);

#endif
