/*
 * What a layout's surfaces can ask for, each checked pixel by pixel against
 * the guests' patterns: stretching, a crop shown one to one, rotations by
 * 90 (contained) and 270 (covering), one connector in four views (one of
 * them cut off at its output's edges, on a second output), two
 * overlapping views where the upper one wins, opacity 0 and an absent guest
 * without a placeholder (both leave the output's background image, scaled
 * to cover, to be seen). Every guest's flips keep completing, also those of
 * one whose crop leaves nothing to show.
 */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'screen'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '1920x1080'\n"
	"background = '#203040'\n"
	"background-image = 'halves.png'\n"
	"[[output]]\n"
	"name = 'side'\n"
	"match = { connector = 'HEADLESS-2' }\n"
	"mode = '640x480'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[guest]]\n"
	"name = 'beta'\n"
	"domid = 2\n"
	"[[guest]]\n"
	"name = 'ghost'\n"
	"label = 'The \"ghost\" \\ gone'\n"
	"[[guest]]\n"
	"name = 'gamma'\n"
	"[[layout]]\n"
	"name = 'views'\n"
	"[[layout.surface]]\n" /* alpha #0 */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [0, 0, 960, 540]\n"
	"fit = 'stretch'\n"
	"[[layout.surface]]\n" /* alpha #1: the same connector, turned */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [960, 0, 480, 640]\n"
	"transform = '90'\n"
	"[[layout.surface]]\n" /* beta #0 */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [0, 540, 600, 500]\n"
	"crop = [100, 50, 400, 300]\n"
	"fit = 'none'\n"
	"[[layout.surface]]\n" /* beta #1 */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [1440, 0, 480, 400]\n"
	"transform = '270'\n"
	"fit = 'cover'\n"
	"[[layout.surface]]\n" /* beta #3, #2 of those shown (z 1) */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [700, 650, 600, 400]\n"
	"z = 1\n"
	"[[layout.surface]]\n" /* alpha #2 (z 5), over beta #3 */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [1000, 720, 640, 360]\n"
	"fit = 'stretch'\n"
	"z = 5\n"
	"[[layout.surface]]\n" /* beta #2: not drawn */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [1700, 800, 200, 200]\n"
	"opacity = 0.0\n"
	"[[layout.surface]]\n"
	"guest = 'ghost'\n"
	"output = 'screen'\n"
	"rect = [1700, 500, 200, 200]\n"
	"placeholder = false\n"
	"[[layout.surface]]\n" /* alpha on the side output, turned, hanging off two edges */
	"guest = 'alpha'\n"
	"output = 'side'\n"
	"rect = [-160, 240, 480, 640]\n"
	"transform = '90'\n"
	"[[layout.surface]]\n" /* gamma, alone on its output: a crop beyond its picture */
	"guest = 'gamma'\n"
	"output = 'side'\n"
	"crop = [2000, 2000, 10, 10]\n";

static void expect(const struct view_info *v, long x, long y, long w, long h, double sx,
	double sy, double sw, double sh)
{
	CHECK(v->x == x && v->y == y && v->width == w && v->height == h &&
			fabs(v->src_x - sx) < 0.01 && fabs(v->src_y - sy) < 0.01 &&
			fabs(v->src_w - sw) < 0.01 && fabs(v->src_h - sh) < 0.01,
		"%s (%s, %s) at %ld,%ld %ldx%ld showing %g,%g %gx%g; expected %ld,%ld %ldx%ld "
		"showing %g,%g %gx%g",
		v->label, v->transform, v->fit, v->x, v->y, v->width, v->height, v->src_x, v->src_y,
		v->src_w, v->src_h, x, y, w, h, sx, sy, sw, sh);
}

/* A 16x9 image: red on the left half, green on the right. */
static void write_halves(const char *path)
{
	uint32_t pixels[16 * 9];
	for (int i = 0; i < 16 * 9; i++) {
		pixels[i] = (i % 16) < 8 ? 0xff0000u : 0x00ff00u;
	}
	CHECK(harness_save_png(path, pixels, 16, 9), "cannot write %s", path);
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char layout[512], image[512];
	snprintf(layout, sizeof(layout), "%s/views.toml", dir);
	snprintf(image, sizeof(image), "%s/halves.png", dir);
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);
	write_halves(image);

	struct harness h;
	const char *args[] = {"--outputs", "2", "--layout", layout, NULL};
	harness_start(&h, args);
	/* No positions in the file: left to right, by name. */
	char *outputs = harness_control(&h, "outputs");
	CHECK(outputs != NULL &&
			strstr(outputs, "output name=HEADLESS-1 x=0 y=0 width=1920 height=1080 ") !=
				NULL &&
			strstr(outputs, "output name=HEADLESS-2 x=1920 y=0 width=640 height=480 ") !=
				NULL,
		"outputs: %s", outputs ? outputs : "(failed)");
	free(outputs);
	harness_create_guest(&h, 1, "alpha", "a0:640x480");
	harness_create_guest(&h, 2, "beta", "b0:800x600");
	const char *guest_args[] = {"--fps", "30", "--report-every", "15", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	struct proc *beta = harness_spawn_guest(&h, 2, "beta", guest_args);
	harness_create_guest(&h, 3, "gamma", "g0:640x480");
	struct proc *gamma = harness_spawn_guest(&h, 3, "gamma", guest_args);

	struct view_info a0, a1, a2, b0, b1, b2, b3;
	guests_wait_view(&h, "alpha", "HEADLESS-1", 0, "alpha", NULL, &a0);
	expect(&a0, 0, 0, 960, 540, 0, 0, 640, 480);
	/* Turned, 480x640: exactly its rectangle. */
	guests_wait_view(&h, "alpha", "HEADLESS-1", 1, "alpha", NULL, &a1);
	expect(&a1, 960, 0, 480, 640, 0, 0, 640, 480);
	/* 400x300 of it, one to one, centred in 600x500. */
	guests_wait_view(&h, "beta", "HEADLESS-1", 0, "beta", NULL, &b0);
	expect(&b0, 100, 640, 400, 300, 100, 50, 400, 300);
	/*
	 * Turned, 600x800, covering 480x400: 0.8 times, 600x500 of it shown,
	 * 150 rows off the top and the bottom of the turned picture: columns
	 * 150 to 650 of the guest's.
	 */
	guests_wait_view(&h, "beta", "HEADLESS-1", 1, "beta", NULL, &b1);
	expect(&b1, 1440, 0, 480, 400, 150, 0, 500, 600);
	/* The upper view wins where two overlap: beta #3 is checked around alpha #2. */
	guests_wait_view(&h, "alpha", "HEADLESS-1", 2, "alpha", NULL, &a2);
	expect(&a2, 1000, 720, 640, 360, 0, 0, 640, 480);
	CHECK(a2.z == 5, "alpha's third view has z %ld", a2.z);
	guests_wait_view(&h, "beta", "HEADLESS-1", 2, "beta", &a2, &b3);
	/* 800x600 contained in 600x400: 533x400, centred. */
	expect(&b3, 733, 650, 533, 400, 0, 0, 800, 600);
	/*
	 * Cut at the side output's edges: its right two thirds and top 240
	 * rows remain, which turned clockwise come from the guest's top-left
	 * 240x320 (the turned picture's top-right corner is the guest's
	 * top-left).
	 */
	struct view_info a3;
	guests_wait_view(&h, "alpha", "HEADLESS-2", 0, "alpha", NULL, &a3);
	expect(&a3, 0, 240, 320, 240, 0, 0, 240, 320);
	CHECK(guests_find_view_nth(&h, "beta", NULL, 2, &b2) && strcmp(b2.visible, "no") == 0,
		"beta at opacity 0 is visible");
	/* A label with quotes and a backslash comes back whole, as text and as JSON. */
	const char *ghost = "The \"ghost\" \\ gone";
	CHECK(guests_find_view(&h, ghost, NULL, &b2) && strcmp(b2.state, "absent") == 0,
		"ghost is not listed, or as %s", b2.state);
	char *argv[] = {(char *)harness_program("MOSAICCTL"), "--json", "-s", h.control, "surfaces",
		NULL};
	struct proc *ctl = proc_spawn("mosaicctl", argv, NULL);
	char line[1024];
	CHECK(proc_wait_line(ctl,
		      "\"guest\":\"ghost\",\"domid\":null,\"dev\":0,\"conn\":0,"
		      "\"label\":\"The \\\"ghost\\\" \\\\ gone\",\"state\":\"absent\"",
		      10000, line, sizeof(line)),
		"mosaicctl --json lost the ghost's label");
	CHECK(proc_wait_exit(ctl, 10000) == 0, "mosaicctl --json failed");

	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
	CHECK(w == 1920 && hgt == 1080, "HEADLESS-1 is %dx%d", w, hgt);
	/* Under the hidden view, the absent guest and in the corner: the image, covering. */
	long points[][3] = {{1800, 900, 0x00ff00}, {1800, 600, 0x00ff00}, {40, 1060, 0xff0000}};
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		uint32_t p = pixels[points[i][1] * w + points[i][0]];
		if (!colour_close(p, (uint32_t)points[i][2], 2)) {
			harness_save_png("test-layout-views-actual.png", pixels, w, hgt);
			fail("background at %ld,%ld is %06x, not %06lx (capture written to "
			     "test-layout-views-actual.png)",
				points[i][0], points[i][1], p, points[i][2]);
		}
	}
	free(pixels);
	/* alpha's three views and beta's hidden one: the flips still complete. */
	guests_flips_ok(alpha);
	guests_flips_ok(beta);
	/*
	 * Shown, but none of its picture, alone on its output: still its flips
	 * complete. (Headless outputs send frames at 60 Hz whatever happens;
	 * on DRM only a frame that mosaic asks for would come.)
	 */
	long gamma_flips = guests_flips_ok(gamma);
	CHECK(guests_flips_ok(gamma) > gamma_flips, "gamma stopped flipping");
	CHECK(WEXITSTATUS(proc_stop(gamma, SIGTERM, 10000)) == 0, "gamma exit status");

	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	CHECK(WEXITSTATUS(proc_stop(beta, SIGTERM, 10000)) == 0, "beta exit status");
	harness_stop(&h);
	printf("layout-views: ok\n");
	return 0;
}
