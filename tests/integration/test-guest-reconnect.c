/*
 * Connections come and go while guests keep running: a frontend that resets
 * itself (back to Initialising from Connected) gets a fresh connection with
 * flip event ids from 0 again, and when mosaic is restarted (cleanly, or
 * after a crash) the guests reconnect and flip on, as Linux's frontend does.
 * After a crash every guest presents a new frame within 2 s of the kill.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

/* Waits for a report with at least `flips`, checking there were no timeouts or errors. */
static long wait_flips(struct proc *guest, long flips)
{
	char line[512];
	for (;;) {
		CHECK(proc_wait_line(guest, "flips=", 20000, line, sizeof(line)),
			"%s stopped flipping", guest->name);
		long n, timeouts, errors;
		CHECK(line_get_int(line, "flips", &n) && line_get_int(line, "timeouts", &timeouts) &&
				line_get_int(line, "errors", &errors),
			"unexpected report: %s", line);
		CHECK(timeouts == 0 && errors == 0, "%s: %s", guest->name, line);
		if (n >= flips) {
			return n;
		}
	}
}

static void expect_shown(struct harness *h, int domid, const char *name)
{
	struct surface_info s;
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		CHECK(guests_find_surface(h, domid, 0, 0, &s), "%s not listed", name);
		if (strcmp(s.state, "connected") == 0) {
			break;
		}
		CHECK(now_ms() < deadline, "%s is %s", name, s.state);
	}
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(h, NULL, &pixels, &w, &hgt), "screenshot failed");
	int bad = guests_check_pattern(pixels, w, hgt, &s, name, 2);
	if (bad != 0) {
		harness_save_png("test-guest-reconnect-actual.png", pixels, w, hgt);
		fail("%s: %d samples off (capture in test-guest-reconnect-actual.png)", name, bad);
	}
	free(pixels);
}

/* Milliseconds from since_ms until the guest has presented a flip on the new connection. */
static long recovered_ms(struct harness *h, const char *guest, int64_t since_ms)
{
	char request[128];
	snprintf(request, sizeof(request), "wait-flip %s 1 timeout=10000", guest);
	char *reply = harness_control(h, request);
	CHECK(reply != NULL, "%s presented no flip after mosaic restarted", guest);
	free(reply);
	return (long)(now_ms() - since_ms);
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	harness_create_guest(&h, 2, "infotainment", "i0:800x480");
	const char *resetting[] = {"--reconnect-after", "40", "--report-every", "20", NULL};
	const char *patient[] = {"--reconnect", "--report-every", "20", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", resetting);
	struct proc *info = harness_spawn_guest(&h, 2, "infotainment", patient);
	harness_create_guest(&h, 3, "rear", "r0:320x240");
	struct proc *rear = harness_spawn_guest(&h, 3, "rear", patient);

	/* The frontend's own resets: two of them, each followed by flips on time. */
	char line[512];
	for (int i = 0; i < 2; i++) {
		CHECK(proc_wait_line(cluster, "reconnected", 20000, line, sizeof(line)),
			"cluster did not reconnect");
	}
	wait_flips(cluster, 100);
	long before = wait_flips(info, 40);

	/* mosaic goes away cleanly and comes back. */
	harness_restart_mosaic(&h, SIGTERM);
	CHECK(proc_wait_line(info, "reconnected", 20000, line, sizeof(line)),
		"infotainment did not reconnect after mosaic restarted");
	before = wait_flips(info, before + 40);
	expect_shown(&h, 2, "infotainment");

	/* mosaic crashes and a new one starts: rings of the old one must not be reused. */
	wait_flips(rear, 40);
	int64_t killed = now_ms();
	harness_restart_mosaic(&h, SIGKILL);
	long info_ms = recovered_ms(&h, "infotainment", killed);
	long rear_ms = recovered_ms(&h, "rear", killed);
	fprintf(stderr, "recovery after SIGKILL: infotainment %ld ms, rear %ld ms\n", info_ms,
		rear_ms);
	CHECK(info_ms <= 2000 && rear_ms <= 2000,
		"guests showed new frames %ld and %ld ms after mosaic crashed (2000 at most)", info_ms,
		rear_ms);
	CHECK(proc_wait_line(info, "reconnected", 20000, line, sizeof(line)),
		"infotainment did not reconnect after mosaic crashed");
	wait_flips(info, before + 40);
	expect_shown(&h, 2, "infotainment");

	CHECK(WEXITSTATUS(proc_stop(info, SIGTERM, 10000)) == 0, "infotainment exit status");
	CHECK(WEXITSTATUS(proc_stop(rear, SIGTERM, 10000)) == 0, "rear exit status");
	proc_stop(cluster, SIGTERM, 10000);
	harness_stop(&h);
	printf("guest-reconnect: ok\n");
	return 0;
}
