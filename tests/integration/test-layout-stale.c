/*
 * stale-after: a live surface whose guest stops presenting is marked stale
 * (and stays so while it shows nothing new, across layout switches); one
 * whose guest presents slowly is marked between its frames and unmarked by
 * each one; one presenting at 60 Hz is never marked; a surface without
 * stale-after never is. The marker is mosaic's, drawn over the guest: the
 * frozen guest's pixels are darkened where it is.
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
	"name = 'screen'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '960x320'\n"
	"[[guest]]\n"
	"name = 'frozen'\n"
	"[[guest]]\n"
	"name = 'slow'\n"
	"[[guest]]\n"
	"name = 'live'\n"
	"[[layout]]\n"
	"name = 'watched'\n"
	"[[layout.surface]]\n"
	"guest = 'frozen'\n"
	"output = 'screen'\n"
	"rect = [0, 0, 320, 320]\n"
	"stale-after = '200ms'\n"
	"[[layout.surface]]\n"
	"guest = 'slow'\n"
	"output = 'screen'\n"
	"rect = [320, 0, 320, 320]\n"
	"stale-after = '200ms'\n"
	"[[layout.surface]]\n"
	"guest = 'live'\n"
	"output = 'screen'\n"
	"rect = [640, 0, 320, 320]\n"
	"stale-after = '200ms'\n"
	"[[layout]]\n"
	"name = 'unwatched'\n"
	"[[layout.surface]]\n"
	"guest = 'frozen'\n"
	"output = 'screen'\n"
	"rect = [0, 0, 320, 320]\n";

static struct view_info view_of(struct harness *h, const char *label)
{
	struct view_info v;
	CHECK(guests_find_view(h, label, "HEADLESS-1", &v), "no view of %s", label);
	return v;
}

/* Polls `surfaces` until label's stale= is want; false after timeout_ms. */
static bool wait_stale(struct harness *h, const char *label, const char *want, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	do {
		if (strcmp(view_of(h, label).stale, want) == 0) {
			return true;
		}
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	} while (now_ms() < deadline);
	return false;
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/stale.toml", dir);
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "frozen", "f0:320x320");
	harness_create_guest(&h, 2, "slow", "s0:320x320");
	harness_create_guest(&h, 3, "live", "l0:320x320");
	const char *frozen_args[] = {"--frames", "10", NULL};
	const char *slow_args[] = {"--fps", "2", NULL};
	const char *live_args[] = {"--report-every", "60", NULL};
	struct proc *frozen = harness_spawn_guest(&h, 1, "frozen", frozen_args);
	struct proc *slow = harness_spawn_guest(&h, 2, "slow", slow_args);
	struct proc *live = harness_spawn_guest(&h, 3, "live", live_args);
	CHECK(proc_wait_line(frozen, "done flips=10", 20000, NULL, 0), "frozen did not finish");

	/* Frozen: marked within a few frames of 200 ms, and it stays so. */
	CHECK(wait_stale(&h, "frozen", "yes", 3000), "the frozen guest is not marked stale");
	CHECK(!wait_stale(&h, "frozen", "no", 500), "the frozen guest's marker went");
	/* Darkened by the veil where its pattern was. */
	struct view_info fv = view_of(&h, "frozen");
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	CHECK(guests_check_view(pixels, w, hgt, &fv, NULL, "frozen", 2, NULL) > 0,
		"the frozen guest's picture shows unmarked");
	free(pixels);

	/* Slow (a frame every 500 ms): marked between its frames, unmarked by each. */
	CHECK(wait_stale(&h, "slow", "yes", 3000), "the slow guest is never marked");
	CHECK(wait_stale(&h, "slow", "no", 3000), "the slow guest's next frame kept the marker");
	CHECK(wait_stale(&h, "slow", "yes", 3000), "the slow guest is not marked again");

	/* Live at 60 Hz: never marked. */
	CHECK(!wait_stale(&h, "live", "yes", 1500), "the live guest was marked stale");
	guests_flips_ok(live);

	/* Without stale-after nothing is marked; back in the watched layout, frozen is at once. */
	char *reply = harness_control(&h, "layout unwatched");
	CHECK(reply != NULL, "layout unwatched failed");
	free(reply);
	CHECK(strcmp(view_of(&h, "frozen").stale, "no") == 0,
		"a surface without stale-after is marked");
	reply = harness_control(&h, "layout watched");
	CHECK(reply != NULL, "layout watched failed");
	free(reply);
	CHECK(strcmp(view_of(&h, "frozen").stale, "yes") == 0,
		"a layout switch made the frozen guest look live");

	CHECK(WEXITSTATUS(proc_stop(frozen, SIGTERM, 10000)) == 0, "frozen exit status");
	CHECK(WEXITSTATUS(proc_stop(slow, SIGTERM, 10000)) == 0, "slow exit status");
	CHECK(WEXITSTATUS(proc_stop(live, SIGTERM, 10000)) == 0, "live exit status");
	harness_stop(&h);
	printf("layout-stale: ok\n");
	return 0;
}
