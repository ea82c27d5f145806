/*
 * Guests that crash with a request in flight: in the middle of a DBUF_CREATE
 * of a 1080p buffer (mosaic maps it while the domain is torn down), right
 * after a PG_FLIP (its event has nobody to go to), and after some flips
 * (`--exit-after`). Each is cleaned up: no page of it stays mapped, mosaic
 * answers, and a well-behaved guest beside them keeps its 60 Hz without a
 * timeout.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

static void crash(struct harness *h, int domid, const char *const args[], const char *says)
{
	char name[32];
	snprintf(name, sizeof(name), "crasher%d", domid);
	harness_create_guest(h, domid, name, "c0:1920x1080");
	struct proc *guest = harness_spawn_guest(h, domid, name, args);
	CHECK(proc_wait_line(guest, says, 20000, NULL, 0), "%s did not say '%s'", name, says);
	CHECK(proc_wait_exit(guest, 20000) != -1, "%s did not exit", name);
	/* The toolstack tears the domain down; mosaic lets go of all of it. */
	int64_t deadline = now_ms() + 10000;
	long mapped;
	while ((mapped = guests_mapped_by_others(h, domid)) != 0) {
		CHECK(now_ms() < deadline, "mosaic still maps %ld pages of %s", mapped, name);
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	char *pong = harness_control(h, "ping");
	CHECK(pong != NULL, "mosaic does not answer after %s crashed", name);
	free(pong);
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	const char *steady[] = {"--report-every", "30", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", steady);
	long start = guests_flips_ok(cluster);
	int64_t t0 = now_ms();

	const char *in_create[] = {"--misbehave", "die-in-create", NULL};
	const char *in_flip[] = {"--misbehave", "die-in-flip", NULL};
	const char *after_flips[] = {"--exit-after", "5", NULL};
	int domid = 10;
	for (int round = 0; round < 3; round++) {
		crash(&h, domid++, in_create, "misbehave die-in-create sent");
		crash(&h, domid++, in_flip, "misbehave die-in-flip sent");
		crash(&h, domid++, after_flips, "exit-after");
		guests_flips_ok(cluster);
	}

	/* The survivor never missed an event, and kept (close to) its rate throughout. */
	long end = guests_flips_ok(cluster);
	double rate = (double)(end - start) * 1000.0 / (double)(now_ms() - t0);
	fprintf(stderr, "cluster: %.1f flips/s while 9 guests crashed beside it\n", rate);
	CHECK(rate > 50, "cluster fell to %.1f flips/s", rate);

	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	printf("guest-crash: ok\n");
	return 0;
}
