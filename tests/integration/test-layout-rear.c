/*
 * layouts/examples/rear-camera.toml: Super+R (typed with wtype; the file
 * says "R", the keysym is matched case-insensitively) switches to
 * "reverse" while the camera guest is absent: its placeholder fills the
 * display, a flat dimmed "#eb5757" with its label drawn in light text.
 * `mosaicctl -j surfaces` gives the view as JSON, the label with its space
 * intact. The camera guest, matched by its name and connector unique-id
 * "rear", then covers the display; when it leaves, the placeholder comes
 * back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

/* "#eb5757" dimmed as mosaic dims placeholders: 2/5 of each channel. */
#define PLACEHOLDER 0x5e2222u

static void expect_placeholder(struct harness *h)
{
	struct view_info v;
	CHECK(guests_find_view(h, "Rear camera", "HEADLESS-1", &v), "no camera view");
	CHECK(strcmp(v.state, "absent") == 0 && v.x == 0 && v.y == 0 && v.width == 1920 &&
			v.height == 1080,
		"camera view: %s at %ld,%ld %ldx%ld", v.state, v.x, v.y, v.width, v.height);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(h, NULL, &pixels, &w, &hgt), "screenshot failed");
	long flat, light, other;
	guests_count_placeholder(pixels, w, hgt, 0, 0, 1920, 1080, PLACEHOLDER, &flat, &light,
		&other);
	fprintf(stderr, "placeholder: %ld flat, %ld light, %ld other pixels\n", flat, light, other);
	/* Flat colour nearly everywhere, and the label's glyphs in the middle. */
	if (flat < 1920L * 1080 * 9 / 10 || light < 200 ||
		!colour_close(pixels[540 * w + 10], PLACEHOLDER, 2)) {
		harness_save_png("test-layout-rear-placeholder.png", pixels, w, hgt);
		fail("no placeholder with a label (capture written to "
		     "test-layout-rear-placeholder.png)");
	}
	free(pixels);
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char example[1024], layout[512];
	CHECK(guests_source_file("layouts/examples/rear-camera.toml", example, sizeof(example)),
		"cannot find layouts/examples/rear-camera.toml");
	snprintf(layout, sizeof(layout), "%s/rear-camera.toml", dir);
	const char *const headless[][2] = {{"\"HDMI-A-1\"", "\"HEADLESS-1\""}, {NULL, NULL}};
	CHECK(guests_copy_replacing(example, layout, headless), "cannot copy %s", example);

	struct harness h;
	const char *args[] = {"--size", "1280x720", "--layout", layout, NULL};
	harness_start(&h, args);
	int follow = guests_follow(&h);
	CHECK(follow >= 0, "cannot follow mosaic's events");

	harness_create_guest(&h, 2, "infotainment", "i0:1280x720");
	const char *guest_args[] = {"--fps", "30", "--report-every", "15", NULL};
	struct proc *info = harness_spawn_guest(&h, 2, "infotainment", guest_args);
	/* normal: the file's mode, not --size; infotainment contained (exactly) in it. */
	struct view_info v;
	guests_wait_view(&h, "Infotainment", "HEADLESS-1", 0, "infotainment", NULL, &v);
	CHECK(v.x == 0 && v.y == 0 && v.width == 1920 && v.height == 1080,
		"infotainment at %ld,%ld %ldx%ld", v.x, v.y, v.width, v.height);

	const char *keys[] = {"-M", "logo", "-k", "r", "-m", "logo", NULL};
	CHECK(guests_wtype(keys) == 0, "wtype failed");
	char line[1024];
	CHECK(guests_follow_wait(follow, "event layout-changed name=reverse", 5000, line,
		      sizeof(line)),
		"Super+R did not switch to reverse");
	expect_placeholder(&h);
	CHECK(guests_find_view(&h, "Infotainment", NULL, &v) && strcmp(v.visible, "no") == 0,
		"infotainment is still shown in reverse");
	/* Hidden, its flips go on. */
	guests_flips_ok(info);

	/* The same as JSON: numbers as numbers, absent ones null, the quoted label whole. */
	char *argv[] = {(char *)harness_program("MOSAICCTL"), "-j", "-s", h.control, "surfaces",
		NULL};
	struct proc *ctl = proc_spawn("mosaicctl", argv, NULL);
	CHECK(proc_wait_line(ctl, "\"label\":\"Rear camera\"", 10000, line, sizeof(line)),
		"mosaicctl -j surfaces has no camera view");
	CHECK(strncmp(line, "{\"type\":\"surface\",", 18) == 0 &&
			strstr(line, "\"guest\":\"camera\",\"domid\":null,\"dev\":0,\"conn\":null,"
				     "\"label\":\"Rear camera\",\"state\":\"absent\"") != NULL &&
			strstr(line, "\"width\":1920,") != NULL &&
			strstr(line, "\"layout\":\"reverse\",\"z\":1000,") != NULL,
		"mosaicctl -j: %s", line);
	CHECK(proc_wait_exit(ctl, 10000) == 0, "mosaicctl -j failed");

	/* The camera comes: connector "rear" of domain 7 covers the display (1.5 times). */
	harness_create_guest(&h, 7, "camera", "rear:1280x720");
	struct proc *camera = harness_spawn_guest(&h, 7, "camera", guest_args);
	guests_wait_view(&h, "Rear camera", "HEADLESS-1", 0, "camera", NULL, &v);
	CHECK(v.x == 0 && v.y == 0 && v.width == 1920 && v.height == 1080 && v.src_w == 1280 &&
			v.src_h == 720 && v.z == 1000,
		"camera at %ld,%ld %ldx%ld showing %gx%g", v.x, v.y, v.width, v.height, v.src_w,
		v.src_h);
	guests_flips_ok(camera);

	/* Dom0's parking-sensor overlay, by its app_id, above the camera along the bottom. */
	const char *parking_args[] = {"--app-id", "org.example.parking", NULL};
	struct proc *parking = guests_wayland_spawn(harness_program("TEST_APP"), parking_args);
	struct view_info vp;
	guests_wait_app_view(
		&h, "Parking sensors", "HEADLESS-1", "org.example.parking", 1920, 200, &vp);
	CHECK(vp.x == 0 && vp.y == 880 && vp.width == 1920 && vp.height == 200 && vp.z == 1001,
		"parking sensors at %ld,%ld %ldx%ld z %ld", vp.x, vp.y, vp.width, vp.height, vp.z);
	guests_wait_view(&h, "Rear camera", "HEADLESS-1", 0, "camera", &vp, &v);
	/* normal does not show it: it is not asked to draw. */
	free(harness_control(&h, "layout normal"));
	CHECK(guests_find_view(&h, "Parking sensors", NULL, &vp) == false,
		"normal shows the parking sensors");
	free(harness_control(&h, "layout reverse"));
	proc_stop(parking, SIGTERM, 5000);

	/* It leaves: its place shows the placeholder again. */
	CHECK(WEXITSTATUS(proc_stop(camera, SIGTERM, 10000)) == 0, "camera exit status");
	CHECK(guests_follow_wait(follow, "event guest-gone label=camera:0.0", 10000, line,
		      sizeof(line)),
		"no guest-gone event for the camera");
	expect_placeholder(&h);

	CHECK(WEXITSTATUS(proc_stop(info, SIGTERM, 10000)) == 0, "infotainment exit status");
	harness_stop(&h);
	printf("layout-rear: ok\n");
	return 0;
}
