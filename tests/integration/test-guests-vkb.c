/*
 * mosaic serves guests' PV input devices beside their displays, as xl
 * creates them: a vkb of backend-type=linux (backend/vinput) and one of
 * the default type, qemu (backend/vkbd), with multi-touch. Both guests
 * connect their display and their input device; one crashes and the
 * other goes on flipping; a guest created later connects too; and mosaic
 * exits cleanly (no leaks) with devices connected.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

static void create(struct harness *h, int domid, const char *name, const char *res, const char *vkb)
{
	char id[16], vdispl[128];
	snprintf(id, sizeof(id), "%d", domid);
	snprintf(vdispl, sizeof(vdispl), "backend=0,be-alloc=0,connectors=%s-0:%s", name, res);
	const char *args[] = {
		"create", "--domid", id, "--name", name, "--vdispl", vdispl, "--vkb", vkb, NULL};
	CHECK(harness_xensim(h, args) == 0, "cannot create domain %s", name);
}

/* Both of the guest's devices connect, in whichever order. */
static void expect_connected(struct proc *guest, const char *kbd)
{
	bool display = false, input = false;
	char line[512];
	while (!display || !input) {
		CHECK(proc_wait_line(guest, "connected", 15000, line, sizeof(line)),
			"%s: display connected %d, input device connected %d", guest->name, display,
			input);
		if (strstr(line, "kbd connected") != NULL) {
			CHECK(strstr(line, kbd) != NULL, "%s: '%s', expected '%s'", guest->name,
				line, kbd);
			input = true;
		} else if (strstr(line, "connected connectors=1") != NULL) {
			display = true;
		}
	}
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);

	create(&h, 1, "cluster", "640x480",
		"backend-type=linux,feature-abs-pointer=1,width=640,height=480,unique-id=T:cluster-"
		"0");
	create(&h, 2, "centre", "800x480",
		"feature-multi-touch=1,multi-touch-width=800,multi-touch-height=480,"
		"multi-touch-num-contacts=5");
	const char *guest_args[] = {"--vkb", "0", "--report-every", "60", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	struct proc *centre = harness_spawn_guest(&h, 2, "centre", guest_args);
	expect_connected(cluster, "abs=1 raw=0 width=640 height=480 mt=0");
	expect_connected(centre, "abs=1 raw=0 width=800 height=600 mt=1 mt-width=800 "
				 "mt-height=480 contacts=5");
	CHECK(guests_flips_ok(cluster) > 0 && guests_flips_ok(centre) > 0, "no flips");

	/* One crashes; the other is served as before. */
	proc_stop(cluster, SIGKILL, 5000);
	long before = guests_flips_ok(centre);
	CHECK(guests_flips_ok(centre) > before, "centre stopped flipping");

	/* A guest created after that connects as well. */
	create(&h, 3, "rear", "320x240", "backend-type=linux");
	struct proc *rear = harness_spawn_guest(&h, 3, "rear", guest_args);
	expect_connected(rear, "abs=1 raw=0 width=800 height=600 mt=0");

	/* mosaic leaves first, cleanly: the guests see their input backend close. */
	int status = proc_stop(h.mosaic, SIGTERM, 10000);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mosaic exit status %#x", status);
	CHECK(proc_wait_line(centre, "kbd backend closed", 10000, NULL, 0),
		"centre: its input backend did not close");
	CHECK(proc_wait_line(rear, "kbd backend closed", 10000, NULL, 0),
		"rear: its input backend did not close");
	proc_stop(centre, SIGTERM, 5000);
	proc_stop(rear, SIGTERM, 5000);
	proc_stop(h.broker, SIGTERM, 5000);
	printf("guests-vkb: ok\n");
	return 0;
}
