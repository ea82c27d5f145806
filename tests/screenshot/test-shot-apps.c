/*
 * Dom0 apps in pictures, on a 320x180 output beside a guest: an app of ours
 * (drawing the guests' test pattern) configured to its rectangle and shown
 * one to one, another turned by 90 degrees, the placeholder of an app that
 * is not there (its colour dimmed, its label), and the focus frame around
 * an app in the colour its layout entry gives. --surface finds an app's
 * view by its app_id.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"
#include "shot.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'screen'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '320x180'\n"
	"background = '#203040'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[layout]]\n"
	"name = 'apps'\n"
	"[[layout.surface]]\n"
	"guest = 'alpha'\n"
	"output = 'screen'\n"
	"rect = [0, 0, 96, 72]\n"
	"[[layout.app]]\n" /* configured to 120x60, shown 1:1 */
	"app-id = 'shot.one'\n"
	"label = 'One'\n"
	"colour = '#e0a000'\n"
	"output = 'screen'\n"
	"rect = [100, 0, 120, 60]\n"
	"[[layout.app]]\n" /* configured to 64x48, turned into 48x64 */
	"app-id = 'shot.turned'\n"
	"output = 'screen'\n"
	"rect = [230, 0, 48, 64]\n"
	"transform = '90'\n"
	"[[layout.app]]\n" /* never there: its placeholder */
	"app-id = 'shot.absent'\n"
	"label = 'Absent'\n"
	"colour = '#c04040'\n"
	"output = 'screen'\n"
	"rect = [100, 80, 200, 90]\n";

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	const char *layout = inputs_write_layout("apps.toml", layout_text);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "alpha", "a0:64x48");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	const char *one_args[] = {"--app-id", "shot.one", NULL};
	struct proc *one = guests_wayland_spawn(harness_program("TEST_APP"), one_args);
	const char *turned_args[] = {"--app-id", "shot.turned", NULL};
	struct proc *turned = guests_wayland_spawn(harness_program("TEST_APP"), turned_args);
	char line[256];
	CHECK(proc_wait_line(one, "drew 0 120x60", 10000, line, sizeof(line)), "shot.one drew nothing");
	CHECK(proc_wait_line(turned, "drew 0 64x48", 10000, line, sizeof(line)),
		"shot.turned drew nothing");
	shot_wait_flip("alpha", 3);

	/* expect compares again on each new frame until the apps' last pictures are shown. */
	const char *screen[] = {NULL};
	shot_expect("apps-screen", screen);
	const char *surface[] = {"--surface", "shot.one", NULL};
	shot_expect("apps-one", surface);
	shot_request(&h, "focus shot.one");
	shot_expect("apps-focus", screen);

	proc_stop(one, SIGTERM, 5000);
	proc_stop(turned, SIGTERM, 5000);
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(&h);
	printf("shot-apps: ok\n");
	return 0;
}
