/*
 * layouts/examples/split.toml: two guests of other aspect ratios each
 * letterboxed ("contain") in their half of a 1920x1080 output, the bars
 * above and below them the output's black background. A reload of a broken
 * file is refused with file:line:column (in the reply and as an event) and
 * changes nothing; SIGHUP reloads a corrected file with the halves swapped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

static void expect_halves(struct harness *h, long left_x, long right_x)
{
	struct view_info l, r;
	/* 800x600 into 960x1080: 1.2 times, 960x720, 180 rows of bars above and below. */
	guests_wait_view(h, "navigation", "HEADLESS-1", 0, "navigation", NULL, &l);
	CHECK(l.x == left_x && l.y == 180 && l.width == 960 && l.height == 720,
		"navigation at %ld,%ld %ldx%ld", l.x, l.y, l.width, l.height);
	/* 640x480 into 960x1080: 1.5 times, 960x720 too. */
	guests_wait_view(h, "media", "HEADLESS-1", 0, "media", NULL, &r);
	CHECK(r.x == right_x && r.y == 180 && r.width == 960 && r.height == 720,
		"media at %ld,%ld %ldx%ld", r.x, r.y, r.width, r.height);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(h, NULL, &pixels, &w, &hgt), "screenshot failed");
	long points[][2] = {{480, 90}, {1440, 90}, {480, 990}, {1440, 990}, {5, 179}, {1915, 900}};
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		uint32_t p = pixels[points[i][1] * w + points[i][0]];
		if (p != 0) {
			harness_save_png("test-layout-split-actual.png", pixels, w, hgt);
			fail("letterbox at %ld,%ld is %06x, not black (capture written to "
			     "test-layout-split-actual.png)",
				points[i][0], points[i][1], p);
		}
	}
	free(pixels);
}

/* The line of the first occurrence of text in a file, from 1. */
static int line_of(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	char line[512];
	int n = 0, found = 0;
	while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
		n++;
		if (strstr(line, text) != NULL) {
			found = n;
		}
	}
	fclose(f);
	return found;
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char example[1024], layout[512];
	CHECK(guests_source_file("layouts/examples/split.toml", example, sizeof(example)),
		"cannot find layouts/examples/split.toml");
	snprintf(layout, sizeof(layout), "%s/split.toml", dir);
	const char *const headless[][2] = {{"\"HDMI-A-1\"", "\"HEADLESS-1\""}, {NULL, NULL}};
	CHECK(guests_copy_replacing(example, layout, headless), "cannot copy %s", example);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);
	int follow = guests_follow(&h);
	CHECK(follow >= 0, "cannot follow mosaic's events");

	harness_create_guest(&h, 1, "navigation", "n0:800x600");
	harness_create_guest(&h, 2, "media", "m0:640x480");
	const char *guest_args[] = {"--fps", "30", "--report-every", "15", NULL};
	struct proc *left = harness_spawn_guest(&h, 1, "navigation", guest_args);
	struct proc *right = harness_spawn_guest(&h, 2, "media", guest_args);
	expect_halves(&h, 0, 960);

	/* A broken file: refused, with where and why; the running layout stays. */
	const char *const broken[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"rect = [960, 0, 960, 1080]", "rect = [960, 0, 0, 1080]"},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, broken), "cannot write %s", layout);
	int bad_line = line_of(layout, "rect = [960, 0, 0, 1080]");
	char *reply = guests_control_reply(&h, "reload");
	CHECK(reply != NULL, "no reply to reload");
	char want[700];
	snprintf(want, sizeof(want), "error %s:%d:", layout, bad_line);
	CHECK(strncmp(reply, want, strlen(want)) == 0 &&
			strstr(reply, ": layout 'split', surface #2: rect width must be 1 to 16384, "
				      "not 0\n") != NULL,
		"reload of a broken file replied: %s", reply);
	free(reply);
	char line[1024];
	snprintf(want, sizeof(want), "event reload-failed error=\"%s:%d:", layout, bad_line);
	CHECK(guests_follow_wait(follow, want, 5000, line, sizeof(line)), "no reload-failed event");
	expect_halves(&h, 0, 960);
	guests_flips_ok(left);
	guests_flips_ok(right);

	/* Mended, the halves swapped: SIGHUP reloads it. */
	const char *const swapped[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"rect = [960, 0, 960, 1080]", "rect = [0, 0, 960, 1080]"},
		{"rect = [0, 0, 960, 1080]", "rect = [960, 0, 960, 1080]"},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, swapped), "cannot write %s", layout);
	CHECK(kill(h.mosaic->pid, SIGHUP) == 0, "cannot signal mosaic");
	CHECK(guests_follow_wait(follow, "event reloaded file=", 5000, line, sizeof(line)) &&
			strstr(line, " layout=split") != NULL,
		"no reloaded event");
	expect_halves(&h, 960, 0);
	guests_flips_ok(left);
	guests_flips_ok(right);

	/* Dom0's status bar, by its app_id, along the bottom in the letterbox. */
	const char *bar_args[] = {"--app-id", "org.example.statusbar", NULL};
	struct proc *bar = guests_wayland_spawn(harness_program("TEST_APP"), bar_args);
	struct view_info vb;
	guests_wait_app_view(
		&h, "org.example.statusbar", "HEADLESS-1", "org.example.statusbar", 1920, 40, &vb);
	CHECK(vb.x == 0 && vb.y == 1040 && vb.width == 1920 && vb.height == 40,
		"the status bar at %ld,%ld %ldx%ld", vb.x, vb.y, vb.width, vb.height);
	expect_halves(&h, 960, 0);
	proc_stop(bar, SIGTERM, 5000);

	CHECK(WEXITSTATUS(proc_stop(left, SIGTERM, 10000)) == 0, "navigation exit status");
	CHECK(WEXITSTATUS(proc_stop(right, SIGTERM, 10000)) == 0, "media exit status");
	harness_stop(&h);
	printf("layout-split: ok\n");
	return 0;
}
