/*
 * A connector's flip events come at most at its own rate, whatever its
 * output's: a guest shown on a 120 Hz output gets 60 events per second (not
 * 120), one on a 30 Hz output gets 30 (its flips complete with that
 * output's frames), and one on a 60 Hz output keeps its one-frame latency.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'fast'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '640x480@120'\n"
	"[[output]]\n"
	"name = 'slow'\n"
	"match = { connector = 'HEADLESS-2' }\n"
	"mode = '640x480@30'\n"
	"[[output]]\n"
	"name = 'usual'\n"
	"match = { connector = 'HEADLESS-3' }\n"
	"mode = '640x480@60'\n"
	"[[guest]]\n"
	"name = 'on-fast'\n"
	"[[guest]]\n"
	"name = 'on-slow'\n"
	"[[guest]]\n"
	"name = 'on-usual'\n"
	"[[layout]]\n"
	"name = 'rates'\n"
	"[[layout.surface]]\n"
	"guest = 'on-fast'\n"
	"output = 'fast'\n"
	"[[layout.surface]]\n"
	"guest = 'on-slow'\n"
	"output = 'slow'\n"
	"[[layout.surface]]\n"
	"guest = 'on-usual'\n"
	"output = 'usual'\n";

int main(void)
{
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/rates.toml", guests_scratch_dir());
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--outputs", "3", "--layout", layout, NULL};
	harness_start(&h, args);
	const char *names[] = {"on-fast", "on-slow", "on-usual"};
	struct proc *guests[3];
	const char *report[] = {"--report-every", "15", NULL};
	for (int i = 0; i < 3; i++) {
		harness_create_guest(&h, i + 1, names[i], "c0:640x480");
		guests[i] = harness_spawn_guest(&h, i + 1, names[i], report);
	}
	/* All three at once, over two seconds, after they have settled. */
	for (int i = 0; i < 3; i++) {
		guests_flips_ok(guests[i]);
	}
	long before[3];
	int64_t t0 = now_ms();
	for (int i = 0; i < 3; i++) {
		before[i] = guests_flips_accepted(&h, names[i]);
	}
	nanosleep(&(struct timespec){2, 0}, NULL);
	double rate[3];
	double seconds = (double)(now_ms() - t0) / 1000.0;
	for (int i = 0; i < 3; i++) {
		rate[i] = (double)(guests_flips_accepted(&h, names[i]) - before[i]) / seconds;
	}
	double fast = rate[0], slow = rate[1], usual = rate[2];
	char line[512];
	for (int i = 0; i < 3; i++) {
		guests_flips_ok(guests[i]);
	}
	CHECK(proc_wait_line(guests[2], "flips=", 10000, line, sizeof(line)), "on-usual stopped");
	double p50;
	CHECK(line_get_double(line, "lat_p50_ms", &p50), "no latency in: %s", line);
	fprintf(stderr, "flip events/s: 120 Hz output %.1f, 30 Hz output %.1f, 60 Hz output %.1f "
			"(latency p50 %.1f ms)\n",
		fast, slow, usual, p50);
	CHECK(fast > 55 && fast < 63, "a guest on a 120 Hz output got %.1f events/s (want 60)",
		fast);
	CHECK(slow > 27 && slow < 32, "a guest on a 30 Hz output got %.1f events/s (want 30)",
		slow);
	CHECK(usual > 55 && usual < 63, "a guest on a 60 Hz output got %.1f events/s", usual);
	CHECK(p50 < 20, "a guest on a 60 Hz output waits %.1f ms for its events", p50);

	for (int i = 0; i < 3; i++) {
		CHECK(WEXITSTATUS(proc_stop(guests[i], SIGTERM, 10000)) == 0, "%s exit status",
			names[i]);
	}
	harness_stop(&h);
	printf("guests-pacing: ok\n");
	return 0;
}
