/*
 * An output with scale 2: it takes half its pixels' size in the global
 * layout (the next output, placed automatically, starts there), while a
 * surface's rect stays in the output's pixels: the guest fills the whole
 * 1280x720 screen, 640x360 layout units.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'hidpi'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '1280x720'\n"
	"scale = 2\n"
	"[[output]]\n"
	"name = 'plain'\n"
	"match = { connector = 'HEADLESS-2' }\n"
	"mode = '640x480'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[layout]]\n"
	"name = 'l'\n"
	"[[layout.surface]]\n"
	"guest = 'alpha'\n"
	"output = 'hidpi'\n"
	"rect = [0, 0, 1280, 720]\n";

int main(void)
{
	const char *dir = guests_scratch_dir();
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/scale.toml", dir);
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--outputs", "2", "--layout", layout, NULL};
	harness_start(&h, args);
	char *outputs = harness_control(&h, "outputs");
	CHECK(outputs != NULL &&
			strstr(outputs, "output name=HEADLESS-1 x=0 y=0 width=1280 height=720 "
					"config=hidpi scale=2 ") != NULL &&
			strstr(outputs, "output name=HEADLESS-2 x=640 y=0 width=640 height=480 ") !=
				NULL,
		"outputs: %s", outputs ? outputs : "(failed)");
	free(outputs);

	harness_create_guest(&h, 1, "alpha", "a0:1280x720");
	const char *guest_args[] = {"--fps", "30", "--report-every", "15", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	struct view_info v;
	/* The screenshot is in the output's pixels: the check scales the view twice. */
	guests_wait_view(&h, "alpha", "HEADLESS-1", 0, "alpha", NULL, &v);
	CHECK(v.x == 0 && v.y == 0 && v.width == 640 && v.height == 360,
		"alpha at %ld,%ld %ldx%ld layout units", v.x, v.y, v.width, v.height);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
	CHECK(w == 1280 && hgt == 720, "HEADLESS-1 is %dx%d", w, hgt);
	free(pixels);
	guests_flips_ok(alpha);

	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(&h);
	printf("layout-scale: ok\n");
	return 0;
}
