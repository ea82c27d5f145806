/*
 * The soak test (not in the default run; see tests/soak/README.md): 16
 * connectors flipping (four guests of four 640x480 connectors) plus input
 * for a long time, mosaic's resident memory sampled every minute. At the
 * end: the growth from the first sample to the last, every guest's flips,
 * timeouts and latencies, and a clean exit (under ASan: LeakSanitizer's
 * verdict). Fails on a timeout, an error, an unclean exit, or resident
 * memory that grew by more than 16 MiB from the end of the first minute
 * (which maps the guests' buffers) to the last.
 *
 * soak [MINUTES]  (default 30)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

#define GUESTS 4

/* Keys and pointer moves through mosaic's own devices, to the focused guest. */
static void send_input(struct harness *h, long i)
{
	char request[96];
	snprintf(request, sizeof(request), "focus %ld", 1 + i % (GUESTS * 4));
	free(harness_control(h, request));
	snprintf(request, sizeof(request), "input key %ld down", 30 + i % 20);
	free(harness_control(h, request));
	snprintf(request, sizeof(request), "input key %ld up", 30 + i % 20);
	free(harness_control(h, request));
	snprintf(request, sizeof(request), "input pointer %ld %ld", 10 + i % 600, 10 + i % 400);
	free(harness_control(h, request));
}

/* Reads the guest's reports so far (its pipe must not fill); the latest stays in line. */
static void drain(struct proc *guest, char *line, size_t size)
{
	while (proc_wait_line(guest, "flips=", 1, line, size)) {
	}
}

int main(int argc, char **argv)
{
	long minutes = argc > 1 ? strtol(argv[1], NULL, 10) : 30;
	CHECK(minutes >= 2 && minutes <= 24 * 60, "usage: soak [MINUTES], 2 or more");
	struct harness h;
	const char *args[] = {"--size", "1920x1080", NULL};
	harness_start(&h, args);
	struct proc *guests[GUESTS];
	static char names[GUESTS][16];
	for (int i = 0; i < GUESTS; i++) {
		char *name = names[i];
		snprintf(name, sizeof(names[i]), "soak%d", i);
		char id[16], vdispl[160];
		snprintf(id, sizeof(id), "%d", i + 1);
		snprintf(vdispl, sizeof(vdispl), "backend=0,be-alloc=0,connectors="
			"%s-0:640x480;%s-1:640x480;%s-2:640x480;%s-3:640x480", name, name, name, name);
		const char *create[] = {"create", "--domid", id, "--name", name, "--vdispl", vdispl,
			"--vkb", "backend-type=linux", NULL};
		CHECK(harness_xensim(&h, create) == 0, "cannot create domain %s", name);
		const char *gargs[] = {"--report-every", "600", "--vkb", "0", NULL};
		guests[i] = harness_spawn_guest(&h, i + 1, name, gargs);
	}
	long first = -1, peak = 0, last = 0;
	static char latest[GUESTS][512];
	int64_t start = now_ms();
	long inputs = 0;
	printf("minute  rss_kB\n");
	for (long minute = 0; minute <= minutes; minute++) {
		while (now_ms() - start < minute * 60000) {
			send_input(&h, inputs++);
			/* The guests log every input event: their pipes must not fill. */
			for (int i = 0; i < GUESTS; i++) {
				drain(guests[i], latest[i], sizeof(latest[i]));
			}
			nanosleep(&(struct timespec){0, 50000000}, NULL);
		}
		last = guests_mosaic_rss_kb(&h);
		/* The first minute maps the guests' buffers: growth counts from its end. */
		first = minute == 1 ? last : first;
		peak = last > peak ? last : peak;
		printf("%6ld %7ld\n", minute, last);
		fflush(stdout);
	}
	/* Each guest's latest report (every 600 flips, counting from its start). */
	long total_flips = 0;
	for (int i = 0; i < GUESTS; i++) {
		char *line = latest[i];
		CHECK(proc_wait_line(guests[i], "flips=", 30000, line, sizeof(latest[i])),
			"guest %d stopped reporting", i);
		drain(guests[i], line, sizeof(latest[i]));
		int status = proc_stop(guests[i], SIGTERM, 10000);
		long flips = 0, timeouts = -1, errors = -1;
		CHECK(line_get_int(line, "flips", &flips) && line_get_int(line, "timeouts", &timeouts) &&
				line_get_int(line, "errors", &errors),
			"unexpected report: %s", line);
		printf("guest %d: %s\n", i, line);
		total_flips += flips;
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && timeouts == 0 && errors == 0,
			"guest %d: %s", i, line);
	}
	harness_stop(&h);
	printf("soak: %ld minutes, %ld inputs, %ld flips by the last connector of each guest to report; resident %ld kB after the first minute, "
	       "%ld at the last (growth %ld kB), peak %ld\n",
		minutes, inputs * 4, total_flips, first, last, last - first, peak);
	CHECK(last - first < 16 * 1024, "mosaic grew by %ld kB", last - first);
	printf("soak: ok\n");
	return 0;
}
