#ifndef MOSAIC_LAYOUTS_TRANSFORM_H
#define MOSAIC_LAYOUTS_TRANSFORM_H

#include <stdbool.h>

#include "layouts/layout.h"

/*
 * The eight transforms of a picture (enum layout_transform, whose values
 * are wl_output_transform's): rotations clockwise by 90, 180, 270 degrees,
 * each optionally after a flip around the vertical axis. Boxes and points
 * are mapped as wlr_box_transform maps boxes, so that the layout's
 * arithmetic agrees with what the renderer shows. Pure: no wlroots here.
 *
 * width x height is always the size of the space the box or point is
 * given in; the transformed space is width x height turned
 * (transform_size).
 */

/* Whether the transform turns the picture by 90 or 270 degrees: width and height swap. */
bool transform_swaps_axes(enum layout_transform transform);

/* The size of a width x height picture after the transform. */
void transform_size(enum layout_transform transform, double width, double height,
	double *out_width, double *out_height);

/* The transform that undoes transform. */
enum layout_transform transform_invert(enum layout_transform transform);

/* A box of a width x height space, in the transformed space. */
struct layout_fbox transform_box(const struct layout_fbox *box, enum layout_transform transform,
	double width, double height);

/* A point of a width x height space, in the transformed space. */
void transform_point(enum layout_transform transform, double width, double height, double x,
	double y, double *out_x, double *out_y);

/*
 * A point of the transformed space (of size width x height) back in the
 * space before the transform.
 */
void transform_point_back(enum layout_transform transform, double width, double height, double x,
	double y, double *out_x, double *out_y);

#endif
