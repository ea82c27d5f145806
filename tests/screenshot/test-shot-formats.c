/*
 * The nine pixel formats xen-drm-front offers, one connector each, in the
 * built-in grid: three guests of three connectors, 120x64 each and shown one
 * to one on a 416x240 output. Each guest stops at its third frame.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "harness.h"
#include "shot.h"

static const struct {
	int domid;
	const char *name, *formats;
} guests[] = {
	{1, "deep", "XR24,AR24,RG24"},
	{2, "mid", "RG16,XR15,AR15"},
	{3, "low", "XR12,AR12,YUYV"},
};

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	struct harness h;
	const char *args[] = {"--size", "416x240", NULL};
	harness_start(&h, args);
	struct proc *procs[3];
	for (int i = 0; i < 3; i++) {
		char connectors[128];
		snprintf(connectors, sizeof(connectors), "%s0:120x64;%s1:120x64;%s2:120x64",
			guests[i].name, guests[i].name, guests[i].name);
		harness_create_guest(&h, guests[i].domid, guests[i].name, connectors);
		const char *guest_args[] = {"--formats", guests[i].formats, "--frames", "3", NULL};
		procs[i] = harness_spawn_guest(&h, guests[i].domid, guests[i].name, guest_args);
	}
	for (int i = 0; i < 3; i++) {
		for (int c = 0; c < 3; c++) {
			char guest[64];
			snprintf(guest, sizeof(guest), "%s:%d", guests[i].name, c);
			shot_wait_flip(guest, 3);
		}
	}
	shot_expect("formats", NULL);
	/* One connector alone, by --surface: YUYV, the last of the grid. */
	const char *yuyv[] = {"--surface", "low:2", NULL};
	shot_expect("formats-yuyv", yuyv);

	for (int i = 0; i < 3; i++) {
		CHECK(WEXITSTATUS(proc_stop(procs[i], SIGTERM, 10000)) == 0, "%s exit status",
			guests[i].name);
	}
	harness_stop(&h);
	printf("shot-formats: ok\n");
	return 0;
}
