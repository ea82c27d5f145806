/*
 * Screen point -> guest pixel: through the view's box, the shown part of the
 * framebuffer, every transform, and the connector's scan-out offset; and
 * connector pixels -> a device's range; and layouts' transform helper, which
 * the views and the pointer use, against what wlroots renders with.
 */
#include <stdio.h>

#include <wlr/types/wlr_output.h>
#include <wlr/util/box.h>

#include "compositor/wlr_compat.h"
#include "input-routing/transform.h"
#include "layouts/transform.h"

static int failures;

static void expect_point(const char *what, const struct input_view_geometry *geo, double lx,
	double ly, double want_x, double want_y)
{
	double gx, gy;
	if (!input_map_point(geo, lx, ly, false, &gx, &gy)) {
		fprintf(stderr, "%s: %g,%g not mapped\n", what, lx, ly);
		failures++;
		return;
	}
	if (gx < want_x - 1e-9 || gx > want_x + 1e-9 || gy < want_y - 1e-9 || gy > want_y + 1e-9) {
		fprintf(stderr, "%s: %g,%g -> %g,%g, want %g,%g\n", what, lx, ly, gx, gy, want_x,
			want_y);
		failures++;
	}
}

static void expect_int(const char *what, int32_t got, int32_t want)
{
	if (got != want) {
		fprintf(stderr, "%s: got %d, want %d\n", what, got, want);
		failures++;
	}
}

int main(void)
{
	/* A 400x300 connector shown at half size at 100,50. */
	struct input_view_geometry geo = {
		.box = {100, 50, 200, 150},
		.src = {0, 0, 400, 300},
		.transform = WL_OUTPUT_TRANSFORM_NORMAL,
	};
	expect_point("scaled top-left", &geo, 100, 50, 0, 0);
	expect_point("scaled centre", &geo, 200, 125, 200, 150);
	expect_point("scaled last", &geo, 299.5, 199.5, 399, 299);
	double gx, gy;
	if (input_map_point(&geo, 300, 125, false, &gx, &gy) ||
		input_map_point(&geo, 99.9, 125, false, &gx, &gy)) {
		fprintf(stderr, "a point beside the view was mapped\n");
		failures++;
	}
	/* Clamped: onto the nearest edge. */
	if (!input_map_point(&geo, 500, -20, true, &gx, &gy) || gx < 399.99 || gx >= 400 ||
		gy != 0) {
		fprintf(stderr, "clamp: got %g,%g\n", gx, gy);
		failures++;
	}

	/* Crop: framebuffer pixels 100..300 x 50..150 shown 1:1; scan-out offset 20,10. */
	struct input_view_geometry crop = {
		.box = {0, 0, 200, 100},
		.src = {100, 50, 200, 100},
		.origin_x = 20,
		.origin_y = 10,
	};
	expect_point("crop", &crop, 0, 0, 80, 40);
	expect_point("crop far", &crop, 150, 75, 230, 115);

	/*
	 * Transforms on a 400x200 picture in a box of its transformed size. The
	 * picture's top-left pixel appears at the corner named for each
	 * (mosaic-layout(5): 90 turns the picture a quarter clockwise; the
	 * integration tests check the same against rendered pixels).
	 */
	struct {
		enum wl_output_transform t;
		double x, y; /* where connector pixel 0,0 is in the box */
	} corners[] = {
		{WL_OUTPUT_TRANSFORM_NORMAL, 0, 0},
		{WL_OUTPUT_TRANSFORM_90, 200, 0},      /* clockwise: its top edge on the right */
		{WL_OUTPUT_TRANSFORM_180, 400, 200},   /* bottom right */
		{WL_OUTPUT_TRANSFORM_270, 0, 400},     /* counter-clockwise: bottom left */
		{WL_OUTPUT_TRANSFORM_FLIPPED, 400, 0}, /* mirrored: top right */
		{WL_OUTPUT_TRANSFORM_FLIPPED_90, 0, 0}, /* transposed */
		{WL_OUTPUT_TRANSFORM_FLIPPED_180, 0, 200},
		{WL_OUTPUT_TRANSFORM_FLIPPED_270, 200, 400},
	};
	for (size_t i = 0; i < sizeof(corners) / sizeof(corners[0]); i++) {
		bool swap = corners[i].t & 1;
		struct input_view_geometry g = {
			.box = {0, 0, swap ? 200 : 400, swap ? 400 : 200},
			.src = {0, 0, 400, 200},
			.transform = corners[i].t,
		};
		/* Half a pixel inside the corner. */
		double lx = corners[i].x == 0 ? 0.5 : corners[i].x - 0.5;
		double ly = corners[i].y == 0 ? 0.5 : corners[i].y - 0.5;
		char what[32];
		snprintf(what, sizeof(what), "transform %d", (int)corners[i].t);
		expect_point(what, &g, lx, ly, 0.5, 0.5);
	}

	/* The helper maps boxes as wlroots does, and inverts as wlroots does. */
	for (int t = WL_OUTPUT_TRANSFORM_NORMAL; t <= WL_OUTPUT_TRANSFORM_FLIPPED_270; t++) {
		struct wlr_fbox box = {30, 5, 60, 100}, want;
		wlr_fbox_transform(&want, &box, (enum wl_output_transform)t, 400, 200);
		struct layout_fbox in = {box.x, box.y, box.width, box.height};
		struct layout_fbox got = transform_box(&in, (enum layout_transform)t, 400, 200);
		if (got.x != want.x || got.y != want.y || got.width != want.width ||
			got.height != want.height) {
			fprintf(stderr, "transform %d: box %g,%g %gx%g, wlroots %g,%g %gx%g\n", t,
				got.x, got.y, got.width, got.height, want.x, want.y, want.width,
				want.height);
			failures++;
		}
		expect_int("invert", (int)transform_invert((enum layout_transform)t),
			(int)wlr_output_transform_invert((enum wl_output_transform)t));
	}

	expect_int("scale same", input_scale_coord(512, 1024, 1024), 512);
	expect_int("scale up", input_scale_coord(100, 800, 0x8000), 4096);
	expect_int("scale last", input_scale_coord(799.999, 800, 0x8000), 0x7fff);
	expect_int("scale rounding", input_scale_coord(511.9999999, 1024, 1024), 512);
	expect_int("scale negative", input_scale_coord(-3, 1024, 1024), 0);
	expect_int("scale no size", input_scale_coord(5, 0, 1024), 0);

	if (failures == 0) {
		printf("transform: all checks passed\n");
	}
	return failures != 0;
}
