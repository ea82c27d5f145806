#include <math.h>

#include "compositor/arrange.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"

#define CELL_MARGIN 8

void arrange_grid_cell(const struct wlr_box *area, int n, int i, int width, int height,
	struct wlr_box *out)
{
	int cols = 1;
	while (cols * cols < n) {
		cols++;
	}
	int rows = (n + cols - 1) / cols;
	int cell_w = area->width / cols, cell_h = area->height / rows;
	int avail_w = cell_w - 2 * CELL_MARGIN, avail_h = cell_h - 2 * CELL_MARGIN;
	if (avail_w < 1 || avail_h < 1 || width <= 0 || height <= 0) {
		*out = (struct wlr_box){area->x, area->y, 0, 0};
		return;
	}
	/* Fit (never crop), keep the aspect ratio, never enlarge past 1:1. */
	double scale = fmin((double)avail_w / width, (double)avail_h / height);
	if (scale > 1.0) {
		scale = 1.0;
	}
	int w = (int)floor(width * scale + 0.5), h = (int)floor(height * scale + 0.5);
	int cx = area->x + (i % cols) * cell_w, cy = area->y + (i / cols) * cell_h;
	*out = (struct wlr_box){
		.x = cx + (cell_w - w) / 2,
		.y = cy + (cell_h - h) / 2,
		.width = w,
		.height = h,
	};
}

void arrange_surfaces(struct mosaic_server *server)
{
	struct mosaic_output *output = output_find(server, NULL);
	int n = wl_list_length(&server->surfaces);
	int i = 0;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (output == NULL) {
			surface_place(surface, NULL, NULL);
			continue;
		}
		struct wlr_box area, box;
		output_get_box(output, &area);
		arrange_grid_cell(&area, n, i++, (int)surface->width, (int)surface->height, &box);
		surface_place(surface, output, &box);
	}
}
