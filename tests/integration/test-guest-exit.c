/*
 * A guest that dies mid-run (no goodbye) is cleaned up: its place shows a
 * placeholder, every page of it that mosaic mapped is unmapped, and the other
 * guest keeps receiving its flip events on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

static long wait_report(struct proc *guest, long at_least)
{
	char line[512];
	for (;;) {
		CHECK(proc_wait_line(guest, "flips=", 15000, line, sizeof(line)),
			"%s stopped reporting", guest->name);
		long flips, timeouts, errors;
		CHECK(line_get_int(line, "flips", &flips) &&
				line_get_int(line, "timeouts", &timeouts) &&
				line_get_int(line, "errors", &errors),
			"unexpected report: %s", line);
		CHECK(timeouts == 0 && errors == 0, "%s: %s", guest->name, line);
		if (flips >= at_least) {
			return flips;
		}
	}
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	harness_create_guest(&h, 2, "infotainment", "i0:800x480");
	const char *steady[] = {"--report-every", "30", NULL};
	const char *crashing[] = {"--exit-after", "60", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", steady);
	struct proc *info = harness_spawn_guest(&h, 2, "infotainment", crashing);

	wait_report(cluster, 30);
	CHECK(proc_wait_exit(info, 30000) != -1, "infotainment did not exit after 60 flips");
	CHECK(guests_mapped_by_others(&h, 2) >= 0, "no stats for the dead domain");
	long at_death = wait_report(cluster, 0);

	/* mosaic notices through XenStore: poll its state, bounded. */
	struct surface_info si, sc;
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		CHECK(guests_find_surface(&h, 2, 0, 0, &si), "infotainment's place is gone");
		if (strcmp(si.state, "absent") == 0) {
			break;
		}
		CHECK(now_ms() < deadline, "mosaic still shows infotainment as %s", si.state);
		wait_report(cluster, 0);
	}
	deadline = now_ms() + 10000;
	long mapped;
	while ((mapped = guests_mapped_by_others(&h, 2)) != 0) {
		CHECK(now_ms() < deadline, "mosaic still maps %ld pages of the dead guest", mapped);
		wait_report(cluster, 0);
	}

	/* The survivor keeps flipping at the output's pace, without a timeout. */
	long later = wait_report(cluster, at_death + 120);
	fprintf(stderr, "cluster: %ld flips at the crash, %ld now\n", at_death, later);

	CHECK(guests_find_surface(&h, 1, 0, 0, &sc), "mosaic does not list cluster");
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	int bad = guests_check_pattern(pixels, w, hgt, &sc, "cluster", 2);
	/* The placeholder is one flat colour where the guest's pattern was. */
	uint32_t centre = guests_centre_colour(pixels, w, hgt, &si);
	int off = 0;
	for (int i = 1; i < 8; i++) {
		long x = si.x + si.width * i / 8, y = si.y + si.height * i / 8;
		if (!colour_close(pixels[y * w + x], centre, 0)) {
			off++;
		}
	}
	if (bad != 0 || off != 0 || guests_check_pattern(pixels, w, hgt, &si, "infotainment", 40) == 0) {
		harness_save_png("test-guest-exit-actual.png", pixels, w, hgt);
		fail("cluster pattern off in %d samples, placeholder not flat in %d "
		     "(capture written to test-guest-exit-actual.png)",
			bad, off);
	}
	free(pixels);

	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	printf("guest-exit: ok\n");
	return 0;
}
