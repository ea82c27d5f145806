#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "shot.h"

static char reference_dir[1024], diff_dir[1024];

void shot_init(int argc, char **argv)
{
	CHECK(argc == 3, "usage: %s REFERENCE_DIR DIFF_DIR (meson test passes them)", argv[0]);
	snprintf(reference_dir, sizeof(reference_dir), "%s", argv[1]);
	snprintf(diff_dir, sizeof(diff_dir), "%s", argv[2]);
	/* meson-logs exists; its screenshot directory may not yet. */
	CHECK(mkdir(diff_dir, 0777) == 0 || errno == EEXIST, "cannot create %s", diff_dir);
}

const char *shot_reference_dir(void)
{
	return reference_dir;
}

const char *shot_diff_dir(void)
{
	return diff_dir;
}

int shot_mosaicctl(const char *const args[], char *line, size_t size)
{
	char *argv[48] = {(char *)harness_program("MOSAICCTL")};
	int argc = 1;
	for (int i = 0; args[i] != NULL && argc < 47; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	struct proc *proc = proc_spawn("mosaicctl", argv, NULL);
	char first[2048] = "";
	/* Its stdout: one line for the commands used here. */
	proc_wait_line(proc, "", 60000, first, sizeof(first));
	int status = proc_wait_exit(proc, 60000);
	CHECK(status != -1, "mosaicctl %s did not finish", args[0]);
	if (line != NULL) {
		snprintf(line, size, "%s", first);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int shot_compare(const char *name, const char *const args[], char *line, size_t size)
{
	char reference[1200];
	snprintf(reference, sizeof(reference), "%s/%s.png", reference_dir, name);
	const char *tolerance = getenv("SHOT_TOLERANCE");
	const char *argv[40] = {"expect", reference, "--diff-dir", diff_dir, "--tolerance",
		tolerance != NULL && tolerance[0] != '\0' ? tolerance : SHOT_TOLERANCE, "--timeout",
		"10"};
	int n = 8;
	for (int i = 0; args != NULL && args[i] != NULL && n < 39; i++) {
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return shot_mosaicctl(argv, line, size);
}

void shot_expect(const char *name, const char *const args[])
{
	char line[2048];
	int status = shot_compare(name, args, line, sizeof(line));
	CHECK(status == 0, "%s: the picture does not match its reference (%s)", name, line);
	fprintf(stderr, "%s: %s\n", name, line);
}

void shot_wait_flip(const char *guest, int flip)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", flip);
	const char *args[] = {"wait-flip", guest, n, "--timeout", "20", NULL};
	CHECK(shot_mosaicctl(args, NULL, 0) == 0, "%s did not present flip %d", guest, flip);
}

void shot_request(struct harness *h, const char *request)
{
	char *reply = harness_control(h, request);
	CHECK(reply != NULL, "%s failed", request);
	free(reply);
}
