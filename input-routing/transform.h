#ifndef MOSAIC_INPUT_ROUTING_TRANSFORM_H
#define MOSAIC_INPUT_ROUTING_TRANSFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-protocol.h>
#include <wlr/util/box.h>

/*
 * From a point on the screen to the guest's own pixel: back through the
 * letterbox or crop of the view, its rotation or flip and its scale.
 */
struct input_view_geometry {
	struct wlr_box box;  // where the guest's picture lands, layout coordinates
	struct wlr_fbox src; // which framebuffer pixels are shown there
	enum wl_output_transform transform; // applied to the picture
	/* The connector's scan-out offset in its framebuffer: guest coordinates start there. */
	int32_t origin_x, origin_y;
};

/*
 * The connector pixel (fractional) under layout point (lx, ly). Outside the
 * picture: false, unless clamp, which moves the point onto its nearest edge
 * (for a contact or a button held across the edge).
 */
bool input_map_point(const struct input_view_geometry *geo, double lx, double ly, bool clamp,
	double *gx, double *gy);

/* A connector coordinate in [0, size) as a device coordinate in [0, range). */
int32_t input_scale_coord(double value, int32_t size, int32_t range);

#endif
