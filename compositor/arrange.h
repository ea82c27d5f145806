#ifndef MOSAIC_COMPOSITOR_ARRANGE_H
#define MOSAIC_COMPOSITOR_ARRANGE_H

#include <wlr/util/box.h>

/*
 * What is shown where: the active layout of the layout file in force, or,
 * without a layout file, the built-in grid (guests' connectors in a grid on
 * the first output, each scaled to fit its cell with its aspect ratio kept,
 * centred). Every change (a guest, an output, a layout switch, a reload)
 * remakes all views at once, within one turn of the event loop: the next
 * frame of every output shows the new arrangement whole.
 */
struct mosaic_server;
struct mosaic_arrange;
struct layout_surface;
struct mosaic_surface;
struct mosaic_app;

/* Arranges again whenever a guest connects or goes, or an output comes or goes. */
struct mosaic_arrange *arrange_create(struct mosaic_server *server);
void arrange_destroy(struct mosaic_arrange *arrange);

/* Cell i of n on an area; the content of size w x h fitted into it. */
void arrange_grid_cell(const struct wlr_box *area, int n, int i, int width, int height,
	struct wlr_box *out);
/* Remakes every view, then announces server.events.views_changed. */
void arrange_surfaces(struct mosaic_server *server);
/* Whether a connector is the one a layout surface asks for. */
bool arrange_matches(const struct layout_surface *spec, const struct mosaic_surface *surface);
/* Whether an app's window is the one a layout's [[layout.app]] asks for. */
bool arrange_matches_app(const struct layout_surface *spec, struct mosaic_app *app);

#endif
