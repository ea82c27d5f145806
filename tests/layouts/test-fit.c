#include "layouts/layout.h"

#include "check.h"

/* layout_fit_rect on numbers worked out by hand. */

static struct layout_rect out;
static struct layout_fbox src;

static bool fit(
	enum layout_fit f, int x, int y, int w, int h, int sw, int sh, enum layout_transform t)
{
	struct layout_rect dest = {x, y, w, h};
	return layout_fit_rect(f, &dest, sw, sh, t, &out, &src);
}

static void test_stretch(void)
{
	CHECK(fit(LAYOUT_FIT_STRETCH, 10, 20, 300, 200, 640, 480, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 10, 20, 300, 200);
	CHECK_FBOX(src, 0, 0, 640, 480);

	/* Rotation does not change what is shown, only how. */
	CHECK(fit(LAYOUT_FIT_STRETCH, 0, 0, 300, 200, 640, 480, LAYOUT_TRANSFORM_270));
	CHECK_RECT(out, 0, 0, 300, 200);
	CHECK_FBOX(src, 0, 0, 640, 480);
}

static void test_contain(void)
{
	/* Same aspect ratio: fills exactly. */
	CHECK(fit(LAYOUT_FIT_CONTAIN, 0, 0, 1920, 720, 1280, 480, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 0, 1920, 720);
	CHECK_FBOX(src, 0, 0, 1280, 480);

	/* Wider source: letterbox, scale 1.5, centred vertically. */
	CHECK(fit(LAYOUT_FIT_CONTAIN, 0, 0, 1920, 1080, 1280, 480, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 180, 1920, 720);
	CHECK_FBOX(src, 0, 0, 1280, 480);

	/* Narrower destination with an offset: pillarbox becomes letterbox, scale 0.5. */
	CHECK(fit(LAYOUT_FIT_CONTAIN, 100, 0, 960, 1080, 1920, 1080, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 100, 270, 960, 540);

	/* Rotated by 90: shown as 480x1280, scale 720/1280 = 0.5625 -> 270x720, centred. */
	CHECK(fit(LAYOUT_FIT_CONTAIN, 0, 0, 1920, 720, 1280, 480, LAYOUT_TRANSFORM_90));
	CHECK_RECT(out, 825, 0, 270, 720);
	CHECK_FBOX(src, 0, 0, 1280, 480);

	/* Rounding: 3x1 into 1000x1000 is 1000x333.33 -> 333 rows. */
	CHECK(fit(LAYOUT_FIT_CONTAIN, 0, 0, 1000, 1000, 3, 1, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 333, 1000, 333);
}

static void test_cover(void)
{
	/* Scale max(1.5, 2.25) = 2.25: 1920/2.25 = 853.33 source columns, centred. */
	CHECK(fit(LAYOUT_FIT_COVER, 0, 0, 1920, 1080, 1280, 480, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 0, 1920, 1080);
	CHECK_FBOX(src, (1280 - 1920 / 2.25) / 2, 0, 1920 / 2.25, 480);

	/* Taller source into a wide rectangle: rows are cropped. */
	CHECK(fit(LAYOUT_FIT_COVER, 5, 5, 600, 200, 600, 600, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 5, 5, 600, 200);
	CHECK_FBOX(src, 0, 200, 600, 200);

	/*
	 * Rotated by 90: 1280x720 shows as 720x1280; scale 600/720; 480 shown rows
	 * are kept, which are 480 source columns from 400.
	 */
	CHECK(fit(LAYOUT_FIT_COVER, 0, 0, 600, 400, 1280, 720, LAYOUT_TRANSFORM_90));
	CHECK_RECT(out, 0, 0, 600, 400);
	CHECK_FBOX(src, 400, 0, 480, 720);

	/* Flipped-90 transposes: shown 100x400, keep rows 100..300 = source columns. */
	CHECK(fit(LAYOUT_FIT_COVER, 0, 0, 100, 200, 400, 100, LAYOUT_TRANSFORM_FLIPPED_90));
	CHECK_FBOX(src, 100, 0, 200, 100);
}

static void test_none(void)
{
	/* Smaller source: 1:1, centred, whole. */
	CHECK(fit(LAYOUT_FIT_NONE, 0, 0, 1920, 1080, 800, 600, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 560, 240, 800, 600);
	CHECK_FBOX(src, 0, 0, 800, 600);

	/* Larger source: the centre of it. */
	CHECK(fit(LAYOUT_FIT_NONE, 0, 0, 640, 480, 1920, 1080, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 0, 640, 480);
	CHECK_FBOX(src, 640, 300, 640, 480);

	/*
	 * Odd margins under 180 degrees: shown columns 50..150 of 201 are source
	 * columns 51..151 (the larger margin moves to the other side).
	 */
	CHECK(fit(LAYOUT_FIT_NONE, 0, 0, 100, 100, 201, 101, LAYOUT_TRANSFORM_180));
	CHECK_RECT(out, 0, 0, 100, 100);
	CHECK_FBOX(src, 51, 1, 100, 100);

	/* Rotated 270: 300x100 shows as 100x300 in a 200x200 rectangle. */
	CHECK(fit(LAYOUT_FIT_NONE, 0, 0, 200, 200, 300, 100, LAYOUT_TRANSFORM_270));
	CHECK_RECT(out, 50, 0, 100, 200);
	CHECK_FBOX(src, 50, 0, 200, 100);
}

static void test_degenerate(void)
{
	CHECK(!fit(LAYOUT_FIT_CONTAIN, 0, 0, 100, 100, 0, 100, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 0, 0, 0);
	CHECK_FBOX(src, 0, 0, 0, 0);
	CHECK(!fit(LAYOUT_FIT_COVER, 0, 0, 0, 100, 10, 10, LAYOUT_TRANSFORM_NORMAL));
	CHECK(!fit(LAYOUT_FIT_NONE, 0, 0, 10, 10, 10, -1, LAYOUT_TRANSFORM_NORMAL));
	CHECK(!fit(LAYOUT_FIT_NONE, 0, 0, 10, 10, 10, 10, (enum layout_transform)8));
	/* Extreme aspect ratios still show at least a pixel. */
	CHECK(fit(LAYOUT_FIT_CONTAIN, 0, 0, 10, 10, 16384, 1, LAYOUT_TRANSFORM_NORMAL));
	CHECK_RECT(out, 0, 4, 10, 1);
}

int main(void)
{
	test_stretch();
	test_contain();
	test_cover();
	test_none();
	test_degenerate();
	return check_result("layout-fit");
}
