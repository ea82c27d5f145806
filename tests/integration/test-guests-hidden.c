/*
 * With no output at all, a guest's flips still complete: on a 60 Hz clock of
 * mosaic's own, never instantly and never after the guest's 3.1 s timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

int main(void)
{
	struct harness h;
	const char *args[] = {"--outputs", "0", NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	const char *guest_args[] = {"--frames", "120", "--report-every", "0", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);

	char line[512];
	CHECK(proc_wait_line(cluster, "connected", 10000, line, sizeof(line)),
		"cluster did not connect");
	int64_t start = now_ms();
	CHECK(proc_wait_line(cluster, "done", 30000, line, sizeof(line)),
		"cluster did not finish 120 flips");
	int64_t elapsed = now_ms() - start;
	CHECK(strstr(line, "flips=120 timeouts=0 errors=0") != NULL, "cluster: %s", line);
	fprintf(stderr, "120 flips with no output took %lld ms\n", (long long)elapsed);
	/* 120 flips at 60 Hz take 2 s; a backend that completes them at once takes ~0. */
	CHECK(elapsed >= 1800, "120 flips took only %lld ms: not paced to 60 Hz",
		(long long)elapsed);

	struct surface_info s;
	CHECK(guests_find_surface(&h, 1, 0, 0, &s), "mosaic does not list cluster");
	CHECK(strcmp(s.state, "connected") == 0 && s.width == 0, "cluster is %s, %ld wide",
		s.state, s.width);
	char *reply = harness_control(&h, "screenshot");
	CHECK(reply == NULL, "a screenshot of no output succeeded");

	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	printf("guests-hidden: ok\n");
	return 0;
}
