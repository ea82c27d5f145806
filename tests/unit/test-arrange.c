/* The built-in grid: cells, fitting with the aspect ratio kept, no enlarging. */
#include <stdio.h>

#include "compositor/arrange.h"

static int failures;

static void expect_box(const char *what, struct wlr_box got, struct wlr_box want)
{
	if (got.x != want.x || got.y != want.y || got.width != want.width ||
		got.height != want.height) {
		fprintf(stderr, "%s: got %d,%d %dx%d, want %d,%d %dx%d\n", what, got.x, got.y,
			got.width, got.height, want.x, want.y, want.width, want.height);
		failures++;
	}
}

int main(void)
{
	struct wlr_box area = {0, 0, 1280, 720}, out;

	/* One 640x480 guest: fits 1:1, centred. */
	arrange_grid_cell(&area, 1, 0, 640, 480, &out);
	expect_box("single", out, (struct wlr_box){320, 120, 640, 480});

	/* Two guests side by side in 640x720 cells (8 px margins: 624 wide at most). */
	arrange_grid_cell(&area, 2, 0, 640, 480, &out);
	expect_box("left", out, (struct wlr_box){8, 126, 624, 468});
	arrange_grid_cell(&area, 2, 1, 800, 480, &out);
	expect_box("right", out, (struct wlr_box){648, 173, 624, 374});

	/* Three guests: a 2x2 grid, the third in the bottom left cell. */
	arrange_grid_cell(&area, 3, 2, 1920, 1080, &out);
	expect_box("third", out, (struct wlr_box){14, 368, 612, 344});

	/* An offset area (a second output) moves the cells along. */
	struct wlr_box right_output = {1280, 0, 1280, 720};
	arrange_grid_cell(&right_output, 1, 0, 640, 480, &out);
	expect_box("offset", out, (struct wlr_box){1600, 120, 640, 480});

	/* Degenerate sizes place nothing. */
	arrange_grid_cell(&area, 1, 0, 0, 480, &out);
	expect_box("empty", out, (struct wlr_box){0, 0, 0, 0});

	if (failures == 0) {
		printf("test-arrange: ok\n");
	}
	return failures == 0 ? 0 : 1;
}
