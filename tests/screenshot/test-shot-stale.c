/*
 * The stale marker as a driver sees it: a cluster guest that shows its
 * frames live (stale-live), then, once it stops presenting, the same
 * picture under mosaic's marker: a dark veil, a red frame and FROZEN
 * (stale-frozen).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"
#include "shot.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'cluster'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '480x240'\n"
	"background = '#101018'\n"
	"[[guest]]\n"
	"name = 'cluster'\n"
	"[[layout]]\n"
	"name = 'driving'\n"
	"[[layout.surface]]\n"
	"guest = 'cluster'\n"
	"output = 'cluster'\n"
	"rect = [40, 20, 400, 200]\n"
	"stale-after = '3s'\n";

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/stale.toml", guests_scratch_dir());
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "cluster", "c0:400x200");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	shot_wait_flip("cluster", 3);
	/* Within 3 s of its last frame: live, unmarked. */
	shot_expect("stale-live", NULL);

	struct view_info v;
	int64_t deadline = now_ms() + 10000;
	while (!guests_find_view(&h, "cluster", "HEADLESS-1", &v) || strcmp(v.stale, "yes") != 0) {
		CHECK(now_ms() < deadline, "the cluster is not marked stale");
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	}
	shot_expect("stale-frozen", NULL);

	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	printf("shot-stale: ok\n");
	return 0;
}
