/*
 * Many guests, devices and connectors at once: a guest with one device of
 * four connectors, a guest with two devices, and a third guest. Every
 * connector gets its 120 flips on time and shows its own pattern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

struct expect {
	int domid, dev, conn;
	const char *name;
	long width, height;
};

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "cluster", "c0:640x480;c1:320x240;c2:800x600;c3:400x300");
	const char *create2[] = {"create", "--domid", "2", "--name", "infotainment", "--vdispl",
		"backend=0,be-alloc=0,connectors=i0:1024x600", "--vdispl",
		"backend=0,be-alloc=0,connectors=i1:480x272", NULL};
	CHECK(harness_xensim(&h, create2) == 0, "cannot create infotainment");
	harness_create_guest(&h, 3, "rear-seat", "r0:1280x720");

	const char *frames[] = {"--frames", "120", NULL};
	const char *frames_dev1[] = {"--frames", "120", "--dev", "1", NULL};
	struct proc *guests[] = {
		harness_spawn_guest(&h, 1, "cluster", frames),
		harness_spawn_guest(&h, 2, "infotainment", frames),
		harness_spawn_guest(&h, 2, "infotainment", frames_dev1),
		harness_spawn_guest(&h, 3, "rear-seat", frames),
	};
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
		char line[512];
		CHECK(proc_wait_line(guests[i], "done", 60000, line, sizeof(line)),
			"%s did not finish 120 flips", guests[i]->name);
		CHECK(strstr(line, "done flips=120 timeouts=0 errors=0") != NULL, "%s: %s",
			guests[i]->name, line);
	}

	static const struct expect expect[] = {
		{1, 0, 0, "cluster", 640, 480},
		{1, 0, 1, "cluster", 320, 240},
		{1, 0, 2, "cluster", 800, 600},
		{1, 0, 3, "cluster", 400, 300},
		{2, 0, 0, "infotainment", 1024, 600},
		{2, 1, 0, "infotainment", 480, 272},
		{3, 0, 0, "rear-seat", 1280, 720},
	};
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	int bad = 0;
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const struct expect *e = &expect[i];
		struct surface_info s;
		CHECK(guests_find_surface(&h, e->domid, e->dev, e->conn, &s),
			"mosaic does not list %s %d.%d", e->name, e->dev, e->conn);
		CHECK(strcmp(s.state, "connected") == 0 && s.width > 0, "%s is %s", s.label,
			s.state);
		CHECK(s.res_width == e->width && s.res_height == e->height, "%s is %ldx%ld",
			s.label, s.res_width, s.res_height);
		int n = guests_check_pattern(pixels, w, hgt, &s, e->name, 2);
		if (n != 0) {
			fprintf(stderr, "%s: %d samples off\n", s.label, n);
			bad++;
		}
	}
	if (bad != 0) {
		harness_save_png("test-guests-many-actual.png", pixels, w, hgt);
		fail("%d connectors do not show their pattern "
		     "(capture written to test-guests-many-actual.png)",
			bad);
	}
	free(pixels);

	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
		CHECK(WEXITSTATUS(proc_stop(guests[i], SIGTERM, 10000)) == 0, "%s exit status",
			guests[i]->name);
	}
	harness_stop(&h);
	printf("guests-many: ok\n");
	return 0;
}
