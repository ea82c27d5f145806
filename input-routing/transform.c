#include <math.h>

#include "input-routing/transform.h"
#include "layouts/transform.h"

/* The views hand over wl_output_transform; the helper takes enum layout_transform, its twin. */
_Static_assert(LAYOUT_TRANSFORM_NORMAL == (int)WL_OUTPUT_TRANSFORM_NORMAL &&
		       LAYOUT_TRANSFORM_90 == (int)WL_OUTPUT_TRANSFORM_90 &&
		       LAYOUT_TRANSFORM_180 == (int)WL_OUTPUT_TRANSFORM_180 &&
		       LAYOUT_TRANSFORM_270 == (int)WL_OUTPUT_TRANSFORM_270 &&
		       LAYOUT_TRANSFORM_FLIPPED == (int)WL_OUTPUT_TRANSFORM_FLIPPED &&
		       LAYOUT_TRANSFORM_FLIPPED_90 == (int)WL_OUTPUT_TRANSFORM_FLIPPED_90 &&
		       LAYOUT_TRANSFORM_FLIPPED_180 == (int)WL_OUTPUT_TRANSFORM_FLIPPED_180 &&
		       LAYOUT_TRANSFORM_FLIPPED_270 == (int)WL_OUTPUT_TRANSFORM_FLIPPED_270,
	"enum layout_transform has wl_output_transform's values");

static double clamp_unit(double u)
{
	/* Just inside the far edge: the last pixel, not the one past it. */
	return u < 0 ? 0 : u >= 1 ? nextafter(1.0, 0.0) : u;
}

bool input_map_point(const struct input_view_geometry *geo, double lx, double ly, bool clamp,
	double *gx, double *gy)
{
	if (geo->box.width <= 0 || geo->box.height <= 0 || geo->src.width <= 0 ||
		geo->src.height <= 0) {
		return false;
	}
	double u = (lx - geo->box.x) / geo->box.width;
	double v = (ly - geo->box.y) / geo->box.height;
	if (u < 0 || u >= 1 || v < 0 || v >= 1) {
		if (!clamp) {
			return false;
		}
		u = clamp_unit(u);
		v = clamp_unit(v);
	}
	/* The picture's unit square as displayed -> the same point before the transform. */
	double x, y;
	transform_point_back((enum layout_transform)geo->transform, 1, 1, u, v, &x, &y);
	*gx = geo->src.x + x * geo->src.width - geo->origin_x;
	*gy = geo->src.y + y * geo->src.height - geo->origin_y;
	return true;
}

int32_t input_scale_coord(double value, int32_t size, int32_t range)
{
	if (size <= 0 || range <= 0) {
		return 0;
	}
	/* Within a millionth of a pixel counts as that pixel: layout -> unit -> pixel rounds. */
	double scaled = floor(value * range / size + 1e-6);
	return scaled < 0 ? 0 : scaled >= range ? range - 1 : (int32_t)scaled;
}
