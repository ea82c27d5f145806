/*
 * layouts/examples/cockpit.toml at a quarter of its size (its modes, places
 * and rectangles divided by four, its HDMI connectors renamed HEADLESS-1
 * and -2): two outputs, the three guests stopped at their third frame.
 * "driving" (the map inset covering its rectangle above infotainment, and
 * the map alone by --surface), the focus indicator on infotainment,
 * "parked" by request, and the cluster's placeholder once it has left.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "shot.h"

static void expect_outputs(const char *cluster, const char *centre)
{
	const char *first[] = {"-o", "HEADLESS-1", NULL};
	shot_expect(cluster, first);
	const char *second[] = {"-o", "HEADLESS-2", NULL};
	shot_expect(centre, second);
}

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	const char *dir = guests_scratch_dir();
	char example[1024], layout[512];
	CHECK(guests_source_file("layouts/examples/cockpit.toml", example, sizeof(example)),
		"cannot find layouts/examples/cockpit.toml");
	snprintf(layout, sizeof(layout), "%s/cockpit.toml", dir);
	const char *const quarter[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"\"HDMI-A-2\"", "\"HEADLESS-2\""},
		{"\"1920x720@60\"", "\"480x180@60\""},
		{"\"1920x1080@60\"", "\"480x270@60\""},
		{"position = [0, 720]", "position = [0, 180]"},
		{"rect = [1280, 40, 600, 400]", "rect = [320, 10, 150, 100]"},
		{"rect = [480, 180, 960, 360]", "rect = [120, 45, 240, 90]"},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, quarter), "cannot copy %s", example);

	struct harness h;
	const char *args[] = {"--outputs", "2", "--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "cluster", "c0:320x120");
	harness_create_guest(&h, 2, "infotainment", "i0:320x180");
	harness_create_guest(&h, 3, "navigation", "n0:200x150");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	struct proc *info = harness_spawn_guest(&h, 2, "infotainment", guest_args);
	struct proc *nav = harness_spawn_guest(&h, 3, "navigation", guest_args);
	shot_wait_flip("cluster", 3);
	shot_wait_flip("infotainment", 3);
	shot_wait_flip("navigation", 3);

	expect_outputs("cockpit-driving-cluster", "cockpit-driving-centre");
	const char *map[] = {"--surface", "navigation", NULL};
	shot_expect("cockpit-driving-map", map);

	shot_request(&h, "focus infotainment");
	const char *centre[] = {"-o", "HEADLESS-2", NULL};
	shot_expect("cockpit-driving-focus", centre);
	shot_request(&h, "focus none");

	shot_request(&h, "layout parked");
	expect_outputs("cockpit-parked-cluster", "cockpit-parked-centre");

	/* The cluster leaves: its placeholder, in its colour, with its label. */
	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	const char *first[] = {"-o", "HEADLESS-1", NULL};
	shot_expect("cockpit-parked-placeholder", first);

	CHECK(WEXITSTATUS(proc_stop(info, SIGTERM, 10000)) == 0, "infotainment exit status");
	CHECK(WEXITSTATUS(proc_stop(nav, SIGTERM, 10000)) == 0, "navigation exit status");
	harness_stop(&h);
	printf("shot-cockpit: ok\n");
	return 0;
}
