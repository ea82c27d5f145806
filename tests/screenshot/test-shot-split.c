/*
 * layouts/examples/split.toml at a quarter of its size: one 480x270 screen
 * split in two halves, each guest contained (letterboxed) in its own: a
 * 16:9 guest on the left, a portrait one on the right.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "shot.h"

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	const char *dir = guests_scratch_dir();
	char example[1024], layout[512];
	CHECK(guests_source_file("layouts/examples/split.toml", example, sizeof(example)),
		"cannot find layouts/examples/split.toml");
	snprintf(layout, sizeof(layout), "%s/split.toml", dir);
	const char *const quarter[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"\"1920x1080\"", "\"480x270\""},
		{"rect = [0, 0, 960, 1080]", "rect = [0, 0, 240, 270]"},
		{"rect = [960, 0, 960, 1080]", "rect = [240, 0, 240, 270]"},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, quarter), "cannot copy %s", example);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);
	/*
	 * The domains are the layout's navigation and media; the guests inside
	 * draw the patterns of "left" and "right" (vguest --name: the name
	 * drawn, not the domain's), which the reference picture shows.
	 */
	harness_create_guest(&h, 1, "navigation", "n0:192x108");
	harness_create_guest(&h, 2, "media", "m0:120x160");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *left = harness_spawn_guest(&h, 1, "left", guest_args);
	struct proc *right = harness_spawn_guest(&h, 2, "right", guest_args);
	shot_wait_flip("navigation", 3);
	shot_wait_flip("media", 3);
	shot_expect("split", NULL);

	CHECK(WEXITSTATUS(proc_stop(left, SIGTERM, 10000)) == 0, "left exit status");
	CHECK(WEXITSTATUS(proc_stop(right, SIGTERM, 10000)) == 0, "right exit status");
	harness_stop(&h);
	printf("shot-split: ok\n");
	return 0;
}
