#ifndef MOSAIC_COMPOSITOR_FOCUS_H
#define MOSAIC_COMPOSITOR_FOCUS_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

/*
 * Keyboard focus: which guest connector the keyboard goes to, chosen by
 * key bindings, mosaicctl or a click/touch, and the indicator that shows
 * it: a frame in the guest's colour around each view of it, with its
 * label, drawn by mosaic above every guest's content.
 */
struct mosaic_server;
struct mosaic_surface;
struct mosaic_view;

struct mosaic_focus {
	struct mosaic_server *server;
	struct mosaic_surface *surface; // NULL: no guest has the focus
	struct wlr_scene_tree *indicator; // in the overlay layer
	/* A focused guest no longer on screen loses the focus; the frame is redrawn. */
	struct wl_listener views_changed;
	struct wl_listener surface_destroy;
};

struct mosaic_focus *focus_create(struct mosaic_server *server);
void focus_destroy(struct mosaic_focus *focus);

/* Focus to surface (NULL: nobody). */
void focus_set_surface(struct mosaic_server *server, struct mosaic_surface *surface);
void focus_set_view(struct mosaic_server *server, struct mosaic_view *view);
/*
 * "next", "prev", "none", a position on screen (1..N: top to bottom, left
 * to right), or a guest's name (its first connector on screen). false with
 * a message in err when there is no such guest on screen.
 */
bool focus_command(struct mosaic_server *server, const char *arg, char *err, size_t err_size);

#endif
