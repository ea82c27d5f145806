/*
 * Two guests on one headless output: each receives 120 consecutive flip
 * events without a timeout, and the screenshot shows both guests' patterns
 * where mosaic says it placed them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	harness_create_guest(&h, 2, "infotainment", "i0:800x480");
	const char *guest_args[] = {"--frames", "120", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	struct proc *info = harness_spawn_guest(&h, 2, "infotainment", guest_args);

	/* 120 frames at 60 Hz is 2 s; allow for sanitizers and a loaded machine. */
	char line[512];
	CHECK(proc_wait_line(cluster, "done", 30000, line, sizeof(line)),
		"cluster did not finish 120 flips");
	CHECK(strstr(line, "flips=120 timeouts=0 errors=0") != NULL, "cluster: %s", line);
	CHECK(proc_wait_line(info, "done", 30000, line, sizeof(line)),
		"infotainment did not finish 120 flips");
	CHECK(strstr(line, "flips=120 timeouts=0 errors=0") != NULL, "infotainment: %s", line);

	struct surface_info sc, si;
	CHECK(guests_find_surface(&h, 1, 0, 0, &sc), "mosaic does not list cluster");
	CHECK(guests_find_surface(&h, 2, 0, 0, &si), "mosaic does not list infotainment");
	CHECK(strcmp(sc.state, "connected") == 0 && strcmp(si.state, "connected") == 0,
		"a guest is not connected");
	CHECK(sc.res_width == 640 && sc.res_height == 480, "cluster resolution %ldx%ld",
		sc.res_width, sc.res_height);
	CHECK(sc.width > 0 && si.width > 0, "a guest is not placed");

	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	CHECK(w == 1280 && hgt == 720, "screenshot is %dx%d", w, hgt);
	int bad_c = guests_check_pattern(pixels, w, hgt, &sc, "cluster", 2);
	int bad_i = guests_check_pattern(pixels, w, hgt, &si, "infotainment", 2);
	if (bad_c != 0 || bad_i != 0) {
		harness_save_png("test-guests-flip-actual.png", pixels, w, hgt);
		fail("pattern mismatch: cluster %d, infotainment %d samples "
		     "(capture written to test-guests-flip-actual.png)",
			bad_c, bad_i);
	}
	free(pixels);

	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	CHECK(WEXITSTATUS(proc_stop(info, SIGTERM, 10000)) == 0, "infotainment exit status");
	harness_stop(&h);
	printf("guests-flip: ok\n");
	return 0;
}
