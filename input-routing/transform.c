#include <math.h>

#include "input-routing/transform.h"

/* The picture's unit square as displayed -> the same point before the transform. */
static void untransform(enum wl_output_transform t, double u, double v, double *x, double *y)
{
	switch (t) {
	case WL_OUTPUT_TRANSFORM_NORMAL:
	default:
		*x = u, *y = v;
		break;
	case WL_OUTPUT_TRANSFORM_90:
		*x = v, *y = 1 - u;
		break;
	case WL_OUTPUT_TRANSFORM_180:
		*x = 1 - u, *y = 1 - v;
		break;
	case WL_OUTPUT_TRANSFORM_270:
		*x = 1 - v, *y = u;
		break;
	case WL_OUTPUT_TRANSFORM_FLIPPED:
		*x = 1 - u, *y = v;
		break;
	case WL_OUTPUT_TRANSFORM_FLIPPED_90:
		*x = v, *y = u;
		break;
	case WL_OUTPUT_TRANSFORM_FLIPPED_180:
		*x = u, *y = 1 - v;
		break;
	case WL_OUTPUT_TRANSFORM_FLIPPED_270:
		*x = 1 - v, *y = 1 - u;
		break;
	}
}

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
	double x, y;
	untransform(geo->transform, u, v, &x, &y);
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
