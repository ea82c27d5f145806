/*
 * layouts/examples/rear-camera.toml at a quarter of its size (480x270):
 * infotainment in "normal"; "reverse" while the camera guest (domain
 * "camera", connector "rear") is not there yet: its placeholder over the whole
 * screen; then its 16:10 picture covering the 16:9 screen, cropped at the
 * top and bottom.
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
	CHECK(guests_source_file("layouts/examples/rear-camera.toml", example, sizeof(example)),
		"cannot find layouts/examples/rear-camera.toml");
	snprintf(layout, sizeof(layout), "%s/rear-camera.toml", dir);
	const char *const quarter[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"\"1920x1080@60\"", "\"480x270@60\""},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, quarter), "cannot copy %s", example);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "infotainment", "i0:320x180");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *info = harness_spawn_guest(&h, 1, "infotainment", guest_args);
	shot_wait_flip("infotainment", 3);
	shot_expect("rear-normal", NULL);

	shot_request(&h, "layout reverse");
	shot_expect("rear-reverse-placeholder", NULL);

	harness_create_guest(&h, 7, "camera", "front:160x100;rear:320x200");
	struct proc *camera = harness_spawn_guest(&h, 7, "camera", guest_args);
	shot_wait_flip("camera:1", 3);
	shot_expect("rear-reverse", NULL);

	CHECK(WEXITSTATUS(proc_stop(camera, SIGTERM, 10000)) == 0, "camera exit status");
	CHECK(WEXITSTATUS(proc_stop(info, SIGTERM, 10000)) == 0, "infotainment exit status");
	harness_stop(&h);
	printf("shot-rear: ok\n");
	return 0;
}
