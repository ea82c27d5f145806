/*
 * Hostile dom0 clients cannot slow a guest. Beside guest "alpha" flipping
 * at 60 Hz, apps the layout places misbehave at once: one draws a buffer
 * larger than any output (9000x9000: not shown, said once in the log, its
 * placeholder kept), one a large one (8000x6000: shown, scaled down), one
 * commits as fast as it can without waiting for frame callbacks, and one
 * makes a buffer whose rows are shorter than its width in a pool just large
 * enough for its stride (wl_shm lets it: reading its rows would run past
 * the pool; not shown, said once). The guest keeps its rate, the flooding
 * app is shown, mosaic answers, and it goes on serving new clients.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'main'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '640x480'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[layout]]\n"
	"name = 'l'\n"
	"[[layout.surface]]\n"
	"guest = 'alpha'\n"
	"output = 'main'\n"
	"rect = [0, 0, 320, 480]\n"
	"[[layout.app]]\n"
	"app-id = 'huge'\n"
	"colour = '#40c040'\n"
	"output = 'main'\n"
	"rect = [320, 0, 320, 120]\n"
	"[[layout.app]]\n"
	"app-id = 'big'\n"
	"output = 'main'\n"
	"rect = [320, 120, 320, 120]\n"
	"[[layout.app]]\n"
	"app-id = 'flood'\n"
	"output = 'main'\n"
	"rect = [320, 240, 320, 120]\n"
	"fit = 'stretch'\n"
	"[[layout.app]]\n"
	"app-id = 'bad'\n"
	"output = 'main'\n"
	"rect = [320, 360, 320, 120]\n";

static struct proc *app(const char *app_id, const char *a1, const char *a2)
{
	const char *args[] = {"--app-id", app_id, a1, a2, NULL};
	return guests_wayland_spawn(harness_program("TEST_APP"), args);
}

int main(void)
{
	guests_scratch_dir();
	const char *layout = inputs_write_layout("hostile.toml", layout_text);
	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "alpha", "a0:320x480");
	const char *guest_args[] = {"--fps", "60", "--report-every", "30", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	struct view_info v;
	guests_wait_view(&h, "alpha", "HEADLESS-1", 0, "alpha", NULL, &v);
	double before = guests_flip_rate(alpha, 2);

	struct proc *huge = app("huge", "--buffer", "9000x9000");
	struct proc *big = app("big", "--buffer", "8000x6000");
	struct proc *flood = app("flood", "--flood", NULL);
	const char *bad_args[] = {"--app-id", "bad", "--bad-stride", "--buffer", "1024x100", NULL};
	struct proc *bad = guests_wayland_spawn(harness_program("TEST_APP"), bad_args);
	char line[256];
	CHECK(proc_wait_line(bad, "drew ", 10000, line, sizeof(line)), "the bad client drew nothing");

	/* The guest keeps its rate while the others go on. */
	double rate = guests_flip_rate(alpha, 4);
	CHECK(rate > 55 && rate < 65, "alpha: %.1f flips/s beside hostile apps (%.1f before)", rate,
		before);

	/* The flooding app is shown: its latest frame, pattern and all. */
	int64_t deadline = now_ms() + 10000;
	while (!guests_find_view(&h, "flood", "HEADLESS-1", &v) || v.res_width != 320) {
		CHECK(now_ms() < deadline, "the flooding app is not shown");
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	guests_wait_view(&h, "flood", "HEADLESS-1", 0, "flood", NULL, &v);
	/* The big one is shown, scaled into its place. */
	deadline = now_ms() + 10000;
	while (!guests_find_view(&h, "big", "HEADLESS-1", &v) || v.res_width != 8000) {
		CHECK(now_ms() < deadline, "the big app's 8000x6000 picture is not shown");
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	/* The huge one is not: its placeholder stays. */
	CHECK(guests_find_view(&h, "huge", "HEADLESS-1", &v), "no view of huge");
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
	long flat, light, other;
	guests_count_placeholder(pixels, w, hgt, v.x, v.y, v.width, v.height, 0x1a4d1a, &flat,
		&light, &other);
	free(pixels);
	CHECK(flat > v.width * v.height * 8 / 10 && light > 50,
		"huge: no placeholder (%ld flat, %ld text, %ld other)", flat, light, other);
	char *log = harness_control(&h, "apps");
	CHECK(log != NULL && strstr(log, "app-id=huge") != NULL, "apps: %s", log ? log : "none");
	free(log);

	/* mosaic still serves new clients. */
	struct proc *late = app("late", NULL, NULL);
	CHECK(proc_wait_line(late, "drew ", 10000, line, sizeof(line)), "a new client was not served");
	proc_stop(late, SIGTERM, 5000);

	printf("apps-hostile: alpha %.1f flips/s (%.1f before) beside a 9000x9000, an 8000x6000, a "
	       "flooding and a bad client\n",
		rate, before);
	/* The bad one is not shown either: nothing of its pool is read. */
	CHECK(guests_find_view(&h, "bad", "HEADLESS-1", &v) && v.res_width == 0,
		"the bad client's picture is shown (%ldx%ld)", v.res_width, v.res_height);
	proc_stop(bad, SIGTERM, 5000);
	proc_stop(huge, SIGTERM, 5000);
	proc_stop(big, SIGTERM, 5000);
	proc_stop(flood, SIGTERM, 5000);
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(&h);
	return 0;
}
