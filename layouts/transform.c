#include "layouts/transform.h"

bool transform_swaps_axes(enum layout_transform transform)
{
	return transform & 1;
}

void transform_size(enum layout_transform transform, double width, double height,
	double *out_width, double *out_height)
{
	bool swap = transform_swaps_axes(transform);
	*out_width = swap ? height : width;
	*out_height = swap ? width : height;
}

enum layout_transform transform_invert(enum layout_transform transform)
{
	/* Rotations undo each other; flips (with or without rotation) undo themselves. */
	if (transform == LAYOUT_TRANSFORM_90) {
		return LAYOUT_TRANSFORM_270;
	}
	if (transform == LAYOUT_TRANSFORM_270) {
		return LAYOUT_TRANSFORM_90;
	}
	return transform;
}

struct layout_fbox transform_box(const struct layout_fbox *box, enum layout_transform transform,
	double width, double height)
{
	struct layout_fbox out;
	transform_size(transform, box->width, box->height, &out.width, &out.height);
	switch (transform) {
	case LAYOUT_TRANSFORM_NORMAL:
	default:
		out.x = box->x;
		out.y = box->y;
		break;
	case LAYOUT_TRANSFORM_90:
		out.x = height - box->y - box->height;
		out.y = box->x;
		break;
	case LAYOUT_TRANSFORM_180:
		out.x = width - box->x - box->width;
		out.y = height - box->y - box->height;
		break;
	case LAYOUT_TRANSFORM_270:
		out.x = box->y;
		out.y = width - box->x - box->width;
		break;
	case LAYOUT_TRANSFORM_FLIPPED:
		out.x = width - box->x - box->width;
		out.y = box->y;
		break;
	case LAYOUT_TRANSFORM_FLIPPED_90:
		out.x = box->y;
		out.y = box->x;
		break;
	case LAYOUT_TRANSFORM_FLIPPED_180:
		out.x = box->x;
		out.y = height - box->y - box->height;
		break;
	case LAYOUT_TRANSFORM_FLIPPED_270:
		out.x = height - box->y - box->height;
		out.y = width - box->x - box->width;
		break;
	}
	return out;
}

void transform_point(enum layout_transform transform, double width, double height, double x,
	double y, double *out_x, double *out_y)
{
	/* A point is a box of no size. */
	struct layout_fbox point = {x, y, 0, 0};
	struct layout_fbox out = transform_box(&point, transform, width, height);
	*out_x = out.x;
	*out_y = out.y;
}

void transform_point_back(enum layout_transform transform, double width, double height, double x,
	double y, double *out_x, double *out_y)
{
	transform_point(transform_invert(transform), width, height, x, y, out_x, out_y);
}
