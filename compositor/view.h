#ifndef MOSAIC_COMPOSITOR_VIEW_H
#define MOSAIC_COMPOSITOR_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>

#include "layouts/layout.h"

/*
 * A view: one guest connector (or one dom0 app's window) shown in one
 * rectangle of one output, or the placeholder in its place while it is absent. Views are made by the
 * arrangement (a layout's [[layout.surface]] entries, or the built-in grid)
 * and remade whenever it changes; a connector may have several.
 */
struct mosaic_server;
struct mosaic_output;
struct mosaic_surface;
struct mosaic_app;

struct view_params {
	struct mosaic_output *output;   // NULL: not on any output now
	struct mosaic_surface *surface; // NULL: the guest is absent (or the view is an app's)
	struct mosaic_app *app;         // an app's view: the app, NULL while absent
	const struct layout_surface *spec; // NULL for the built-in grid
	struct wlr_box rect;            // the view's area, output-local layout coordinates
	enum layout_fit fit;
	bool has_crop;
	struct layout_rect crop;
	enum layout_transform transform;
	bool visible;
	bool placeholder;
	uint32_t placeholder_colour; // 0xRRGGBB
	const char *label;           // drawn on the placeholder, NULL for none
};

struct mosaic_view {
	struct mosaic_server *server;
	struct view_params params;
	char *label;

	/* Where the guest's picture lands (output-local) and which part of it; 0 if nothing. */
	struct wlr_box box;
	struct wlr_fbox src;
	/* The view's rectangle clipped to its output (output-local); 0 when not drawn. */
	struct wlr_box area;

	struct wlr_scene_tree *tree; // NULL when not drawn (no output, or hidden)
	struct wlr_scene_buffer *content;
	struct wlr_scene_tree *extras; // an app's subsurfaces and popups, over content
	struct wlr_scene_rect *placeholder;
	struct wlr_scene_buffer *label_node;

	struct stale_watch *stale; // stale-after: its marker, NULL if the view is not live
	struct wl_listener surface_content; // the guest showed something new, or left
	struct wl_listener app_content;     // the app did
	struct wl_list link; // mosaic_server.views, bottom to top
};

/* Appends a view on top of the others. */
struct mosaic_view *view_create(struct mosaic_server *server, const struct view_params *params);
void view_destroy(struct mosaic_view *view);
/* Whether the view puts its connector on an output. */
bool view_shows_guest(const struct mosaic_view *view);
/* Whether the view puts its app's window on an output. */
bool view_shows_app(const struct mosaic_view *view);

#endif
