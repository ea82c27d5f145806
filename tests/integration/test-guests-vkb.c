/*
 * mosaic serves guests' PV input devices beside their displays, as xl
 * creates them: a vkb of backend-type=linux (backend/vinput) and one of
 * the default type, qemu (backend/vkbd), with multi-touch. Both guests
 * connect their display and their input device; one crashes and the
 * other goes on flipping; a guest created later connects too.
 *
 * Linux's xen-kbdfront never reconnects, so mosaic restarting (crashed,
 * or cleanly) must take the guests' input devices over as they are: keys
 * typed after each restart reach the guest, which saw its input backend
 * neither close nor leave anything pressed.
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

/*
 * Waits for lines containing each of needles (NULL-terminated), in any
 * order; a line containing forbidden before that fails the test.
 */
static void wait_lines_without(
	struct proc *guest, const char *const needles[], const char *forbidden)
{
	char line[512];
	bool seen[8] = {false};
	int64_t deadline = now_ms() + 15000;
	for (;;) {
		bool all = true;
		for (int i = 0; needles[i] != NULL; i++) {
			all = all && seen[i];
		}
		if (all) {
			return;
		}
		int64_t left = deadline - now_ms();
		CHECK(left > 0 && proc_wait_line(guest, "", (int)left, line, sizeof(line)),
			"%s: no '%s'%s", guest->name, needles[0], needles[1] ? " or others" : "");
		CHECK(strstr(line, forbidden) == NULL, "%s: %s", guest->name, line);
		for (int i = 0; needles[i] != NULL; i++) {
			seen[i] = seen[i] || strstr(line, needles[i]) != NULL;
		}
	}
}

static void wait_line_without(struct proc *guest, const char *needle, const char *forbidden)
{
	const char *needles[] = {needle, NULL};
	wait_lines_without(guest, needles, forbidden);
}

static void send_request(struct harness *h, const char *request, const char *expect)
{
	char *reply = harness_control(h, request);
	CHECK(reply != NULL, "%s failed", request);
	CHECK(expect == NULL || strstr(reply, expect) != NULL, "%s: %s", request, reply);
	free(reply);
}

/* A key typed through mosaic, to the guest with the focus, arrives. */
static void type_key(struct harness *h, struct proc *guest, const char *name, int code)
{
	char request[64];
	snprintf(request, sizeof(request), "focus %s", name);
	send_request(h, request, "input=v");
	for (int pressed = 1; pressed >= 0; pressed--) {
		snprintf(
			request, sizeof(request), "input key %d %s", code, pressed ? "down" : "up");
		send_request(h, request, NULL);
		char want[64];
		snprintf(want, sizeof(want), "kbd key %d %s", code, pressed ? "down" : "up");
		wait_line_without(guest, want, "kbd backend closed");
	}
}

/*
 * Restarts mosaic with a key held in centre: the displays reconnect, the
 * input devices are taken over, and the held key is released.
 */
static void restart(struct harness *h, int sig, struct proc *centre, struct proc *rear, int code)
{
	send_request(h, "focus centre", "input=v");
	send_request(h, "input key 44 down", NULL);
	wait_line_without(centre, "kbd key 44 down", "kbd backend closed");
	harness_restart_mosaic(h, sig);
	const char *centre_lines[] = {"reconnected", "kbd key 44 up", NULL};
	wait_lines_without(centre, centre_lines, "kbd backend closed");
	wait_line_without(rear, "reconnected", "kbd backend closed");
	type_key(h, centre, "centre", code);
	type_key(h, rear, "rear", code + 1);
}

static void stop_guest(struct proc *guest)
{
	kill(guest->pid, SIGTERM);
	char line[512];
	CHECK(proc_wait_line(guest, "kbd closed", 15000, line, sizeof(line)), "%s: no kbd closed",
		guest->name);
	CHECK(strstr(line, "errors=0 held=0") != NULL, "%s: %s", guest->name, line);
	int status = proc_wait_exit(guest, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: exit status %#x",
		guest->name, status);
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
	const char *guest_args[] = {"--vkb", "0", "--report-every", "60", "--reconnect", NULL};
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
	type_key(&h, centre, "centre", 30);
	type_key(&h, rear, "rear", 31);

	/* mosaic crashes, then exits cleanly: each time, the next one takes over. */
	restart(&h, SIGKILL, centre, rear, 32);
	restart(&h, SIGTERM, centre, rear, 34);

	stop_guest(centre);
	stop_guest(rear);
	harness_stop(&h);
	printf("guests-vkb: ok\n");
	return 0;
}
