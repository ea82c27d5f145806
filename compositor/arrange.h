#ifndef MOSAIC_COMPOSITOR_ARRANGE_H
#define MOSAIC_COMPOSITOR_ARRANGE_H

#include <wlr/util/box.h>

/*
 * The built-in arrangement used until a layout file says otherwise: guests'
 * connectors in a grid on the first output, each scaled to fit its cell with
 * its aspect ratio kept, centred.
 */
struct mosaic_server;

/* Cell i of n on an area; the content of size w x h fitted into it. */
void arrange_grid_cell(const struct wlr_box *area, int n, int i, int width, int height,
	struct wlr_box *out);
void arrange_surfaces(struct mosaic_server *server);

#endif
