/*
 * What a layout's views can ask for, on a 320x180 output: stretching, a
 * crop shown one to one, turns by 90, 180 and 270 (covering), mirror
 * images, and two overlapping views where the upper one (z) wins. A second
 * output with scale 2 and turned by 90 shows a guest contained: its
 * picture is in the output's own pixels, turned as the display gets it,
 * and --surface finds the guest there.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "shot.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'screen'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '320x180'\n"
	"background = '#203040'\n"
	"[[output]]\n"
	"name = 'side'\n"
	"match = { connector = 'HEADLESS-2' }\n"
	"mode = '320x240'\n"
	"scale = 2\n"
	"transform = '90'\n"
	"background = '#402030'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[guest]]\n"
	"name = 'beta'\n"
	"[[layout]]\n"
	"name = 'views'\n"
	"[[layout.surface]]\n" /* 64x48 stretched to 96x54 */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [0, 0, 96, 54]\n"
	"fit = 'stretch'\n"
	"[[layout.surface]]\n" /* turned, exactly its rectangle */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [100, 0, 48, 64]\n"
	"transform = '90'\n"
	"[[layout.surface]]\n" /* 40x30 of it, one to one, centred */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [152, 0, 80, 50]\n"
	"crop = [20, 10, 40, 30]\n"
	"fit = 'none'\n"
	"[[layout.surface]]\n" /* upside down, letterboxed */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [236, 0, 80, 80]\n"
	"transform = '180'\n"
	"[[layout.surface]]\n" /* turned and covering: 90x120, the middle 60 rows shown */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [0, 60, 90, 60]\n"
	"transform = '270'\n"
	"fit = 'cover'\n"
	"[[layout.surface]]\n" /* mirrored */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [96, 70, 64, 48]\n"
	"transform = 'flipped'\n"
	"[[layout.surface]]\n" /* mirrored and turned, contained */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [164, 70, 64, 48]\n"
	"transform = 'flipped-90'\n"
	"[[layout.surface]]\n" /* below */
	"guest = 'beta'\n"
	"output = 'screen'\n"
	"rect = [232, 90, 80, 60]\n"
	"z = 1\n"
	"[[layout.surface]]\n" /* above, overlapping it */
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [262, 118, 56, 42]\n"
	"fit = 'stretch'\n"
	"z = 5\n"
	"[[layout.surface]]\n" /* the turned, scaled output */
	"guest = 'alpha'\n"
	"output = 'side'\n";

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	const char *dir = guests_scratch_dir();
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/views.toml", dir);
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--outputs", "2", "--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "alpha", "a0:64x48");
	harness_create_guest(&h, 2, "beta", "b0:80x60");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	struct proc *beta = harness_spawn_guest(&h, 2, "beta", guest_args);
	shot_wait_flip("alpha", 3);
	shot_wait_flip("beta", 3);

	const char *screen[] = {"-o", "HEADLESS-1", NULL};
	shot_expect("views-screen", screen);
	const char *side[] = {"-o", "HEADLESS-2", NULL};
	shot_expect("views-side", side);
	/* 120x90 layout units contained in 120x160, scale 2, turned: 180x240 of its pixels. */
	const char *surface[] = {"-o", "HEADLESS-2", "--surface", "alpha", NULL};
	shot_expect("views-side-alpha", surface);
	/* A rectangle of the first output: the overlap. */
	const char *rect[] = {"--rect", "228,86,92,80", NULL};
	shot_expect("views-overlap", rect);

	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	CHECK(WEXITSTATUS(proc_stop(beta, SIGTERM, 10000)) == 0, "beta exit status");
	harness_stop(&h);
	printf("shot-views: ok\n");
	return 0;
}
