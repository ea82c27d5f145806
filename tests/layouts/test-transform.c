#include "layouts/transform.h"

#include "check.h"

/* The transform helper on numbers worked out by hand, in a 4x2 picture. */

static const enum layout_transform all[] = {
	LAYOUT_TRANSFORM_NORMAL,
	LAYOUT_TRANSFORM_90,
	LAYOUT_TRANSFORM_180,
	LAYOUT_TRANSFORM_270,
	LAYOUT_TRANSFORM_FLIPPED,
	LAYOUT_TRANSFORM_FLIPPED_90,
	LAYOUT_TRANSFORM_FLIPPED_180,
	LAYOUT_TRANSFORM_FLIPPED_270,
};

int main(void)
{
	double w, h;
	transform_size(LAYOUT_TRANSFORM_NORMAL, 4, 2, &w, &h);
	CHECK(w == 4 && h == 2);
	transform_size(LAYOUT_TRANSFORM_90, 4, 2, &w, &h);
	CHECK(w == 2 && h == 4);
	transform_size(LAYOUT_TRANSFORM_FLIPPED_270, 4, 2, &w, &h);
	CHECK(w == 2 && h == 4);
	transform_size(LAYOUT_TRANSFORM_FLIPPED_180, 4, 2, &w, &h);
	CHECK(w == 4 && h == 2);

	CHECK_INT(transform_invert(LAYOUT_TRANSFORM_90), LAYOUT_TRANSFORM_270);
	CHECK_INT(transform_invert(LAYOUT_TRANSFORM_270), LAYOUT_TRANSFORM_90);
	CHECK_INT(transform_invert(LAYOUT_TRANSFORM_180), LAYOUT_TRANSFORM_180);
	CHECK_INT(transform_invert(LAYOUT_TRANSFORM_FLIPPED_90), LAYOUT_TRANSFORM_FLIPPED_90);

	/*
	 * The picture's top-left pixel (box 0,0 1x1) after each transform: 90
	 * turns clockwise, so it goes to the top right of the 2x4 result.
	 */
	struct layout_fbox pixel = {0, 0, 1, 1};
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_NORMAL, 4, 2), 0, 0, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_90, 4, 2), 1, 0, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_180, 4, 2), 3, 1, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_270, 4, 2), 0, 3, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_FLIPPED, 4, 2), 3, 0, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_FLIPPED_90, 4, 2), 0, 0, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_FLIPPED_180, 4, 2), 0, 1, 1, 1);
	CHECK_FBOX(transform_box(&pixel, LAYOUT_TRANSFORM_FLIPPED_270, 4, 2), 1, 3, 1, 1);

	/* A box that is not square turns its size with it. */
	struct layout_fbox strip = {1, 0, 3, 1};
	CHECK_FBOX(transform_box(&strip, LAYOUT_TRANSFORM_90, 4, 2), 1, 1, 1, 3);
	CHECK_FBOX(transform_box(&strip, LAYOUT_TRANSFORM_FLIPPED, 4, 2), 0, 0, 3, 1);

	/* Points: forward, then back again, for every transform. */
	double x, y;
	transform_point(LAYOUT_TRANSFORM_90, 4, 2, 0.5, 0.25, &x, &y);
	CHECK_DOUBLE(x, 1.75);
	CHECK_DOUBLE(y, 0.5);
	transform_point_back(LAYOUT_TRANSFORM_90, 2, 4, 1.75, 0.5, &x, &y);
	CHECK_DOUBLE(x, 0.5);
	CHECK_DOUBLE(y, 0.25);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		double tw, th, fx, fy, bx, by;
		transform_size(all[i], 4, 2, &tw, &th);
		transform_point(all[i], 4, 2, 3.25, 0.5, &fx, &fy);
		CHECK_MSG(fx >= 0 && fx <= tw && fy >= 0 && fy <= th, "transform %d: %g,%g outside",
			(int)all[i], fx, fy);
		transform_point_back(all[i], tw, th, fx, fy, &bx, &by);
		CHECK_DOUBLE(bx, 3.25);
		CHECK_DOUBLE(by, 0.5);
		/* A box there and back is the same box. */
		struct layout_fbox there = transform_box(&strip, all[i], 4, 2);
		struct layout_fbox back = transform_box(&there, transform_invert(all[i]), tw, th);
		CHECK_FBOX(back, strip.x, strip.y, strip.width, strip.height);
	}

	return check_result("test-layout-transform");
}
