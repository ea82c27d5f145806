#include <math.h>

#include "layouts/layout.h"
#include "layouts/transform.h"

/*
 * The source as shown is the source after its transform: for the rotations
 * by 90 and 270 degrees its width and height swap. Fitting happens in that
 * shown space; the part of the source that stays visible is then mapped
 * back into the source's own coordinates.
 */

bool layout_fit_rect(enum layout_fit fit, const struct layout_rect *dest, int32_t src_w,
	int32_t src_h, enum layout_transform transform, struct layout_rect *out_dest,
	struct layout_fbox *out_src)
{
	*out_dest = (struct layout_rect){0};
	*out_src = (struct layout_fbox){0};
	if (dest->width <= 0 || dest->height <= 0 || src_w <= 0 || src_h <= 0 ||
		(unsigned)transform > LAYOUT_TRANSFORM_FLIPPED_270) {
		return false;
	}
	/* The source's size as shown. */
	double sw, sh;
	transform_size(transform, src_w, src_h, &sw, &sh);
	double dw = dest->width, dh = dest->height;
	/* The visible part, in the shown source's coordinates. */
	struct layout_fbox shown = {0, 0, sw, sh};

	switch (fit) {
	case LAYOUT_FIT_STRETCH:
	default:
		*out_dest = *dest;
		break;
	case LAYOUT_FIT_CONTAIN: {
		double scale = fmin(dw / sw, dh / sh);
		int32_t w = (int32_t)lround(sw * scale);
		int32_t h = (int32_t)lround(sh * scale);
		w = w < 1 ? 1 : (w > dest->width ? dest->width : w);
		h = h < 1 ? 1 : (h > dest->height ? dest->height : h);
		*out_dest = (struct layout_rect){
			dest->x + (dest->width - w) / 2,
			dest->y + (dest->height - h) / 2,
			w,
			h,
		};
		break;
	}
	case LAYOUT_FIT_COVER: {
		double scale = fmax(dw / sw, dh / sh);
		shown.width = dw / scale;
		shown.height = dh / scale;
		/* Rounding can leave a hair more than the source; never ask for more. */
		shown.width = shown.width > sw ? sw : shown.width;
		shown.height = shown.height > sh ? sh : shown.height;
		shown.x = (sw - shown.width) / 2;
		shown.y = (sh - shown.height) / 2;
		*out_dest = *dest;
		break;
	}
	case LAYOUT_FIT_NONE: {
		/* Whole pixels both ways, so that 1:1 stays sharp. */
		int32_t iw = (int32_t)sw, ih = (int32_t)sh;
		int32_t w = iw < dest->width ? iw : dest->width;
		int32_t h = ih < dest->height ? ih : dest->height;
		*out_dest = (struct layout_rect){
			dest->x + (dest->width - w) / 2,
			dest->y + (dest->height - h) / 2,
			w,
			h,
		};
		shown = (struct layout_fbox){(iw - w) / 2, (ih - h) / 2, w, h};
		break;
	}
	}
	*out_src = transform_box(&shown, transform_invert(transform), sw, sh);
	return true;
}
