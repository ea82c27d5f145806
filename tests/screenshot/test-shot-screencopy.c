/*
 * grim (wlr-screencopy) against mosaic's Wayland socket: refused without
 * --allow-screencopy (a guest's screen is private); with it, grim's picture
 * of the output, and of a rectangle of it, is exactly mosaicctl's. A layout
 * file's allow-screencopy = true allows it too.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "shot.h"

static const char layout_text[] =
	"allow-screencopy = true\n"
	"[[output]]\n"
	"name = 'screen'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '160x96'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[layout]]\n"
	"name = 'l'\n"
	"[[layout.surface]]\n"
	"guest = 'alpha'\n"
	"output = 'screen'\n";

/* Runs grim ARGS... against mosaic's Wayland socket; its exit status. */
static int grim(const char *const args[])
{
	struct proc *proc = guests_wayland_spawn("/usr/bin/grim", args);
	int status = proc_wait_exit(proc, 20000);
	CHECK(status != -1, "grim did not finish");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static struct proc *start(struct harness *h, const char *const args[])
{
	harness_start(h, args);
	harness_create_guest(h, 1, "alpha", "a0:128x72");
	const char *guest_args[] = {"--frames", "3", NULL};
	struct proc *alpha = harness_spawn_guest(h, 1, "alpha", guest_args);
	shot_wait_flip("alpha", 3);
	return alpha;
}

static void stop(struct harness *h, struct proc *alpha)
{
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(h);
}

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	CHECK(access("/usr/bin/grim", X_OK) == 0, "grim is not installed (tests/deps.sh)");
	const char *dir = guests_scratch_dir();
	char shot[600], part[600];
	snprintf(shot, sizeof(shot), "%s/grim.png", dir);
	snprintf(part, sizeof(part), "%s/grim-part.png", dir);

	struct harness h;
	const char *private[] = {"--size", "160x96", NULL};
	struct proc *alpha = start(&h, private);
	const char *whole[] = {"-o", "HEADLESS-1", shot, NULL};
	CHECK(grim(whole) != 0, "grim captured mosaic without --allow-screencopy");
	CHECK(access(shot, F_OK) != 0, "grim wrote a picture without --allow-screencopy");
	stop(&h, alpha);
	char first_dir[sizeof(h.dir)];
	snprintf(first_dir, sizeof(first_dir), "%s", h.dir);

	const char *allowed[] = {"--size", "160x96", "--allow-screencopy", NULL};
	alpha = start(&h, allowed);
	CHECK(grim(whole) == 0, "grim failed with --allow-screencopy");
	const char *region[] = {"-g", "20,10 100x60", part, NULL};
	CHECK(grim(region) == 0, "grim -g failed with --allow-screencopy");
	char line[2048];
	const char *same[] = {"expect", shot, "--tolerance", "0", "--timeout", "0", NULL};
	CHECK(shot_mosaicctl(same, line, sizeof(line)) == 0, "grim's picture differs: %s", line);
	const char *same_part[] = {"expect", part, "--rect", "20,10,100x60", "--tolerance", "0",
		"--timeout", "0", NULL};
	CHECK(shot_mosaicctl(same_part, line, sizeof(line)) == 0, "grim's rectangle differs: %s",
		line);
	stop(&h, alpha);

	char second_dir[sizeof(h.dir)];
	snprintf(second_dir, sizeof(second_dir), "%s", h.dir);

	char layout[600];
	snprintf(layout, sizeof(layout), "%s/allow.toml", dir);
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);
	const char *by_file[] = {"--layout", layout, NULL};
	alpha = start(&h, by_file);
	unlink(shot);
	CHECK(grim(whole) == 0, "grim failed with allow-screencopy = true");
	CHECK(shot_mosaicctl(same, line, sizeof(line)) == 0, "grim's picture differs: %s", line);
	stop(&h, alpha);

	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", first_dir, second_dir);
	CHECK(system(cmd) == 0, "cannot remove %s and %s", first_dir, second_dir);
	printf("shot-screencopy: ok\n");
	return 0;
}
