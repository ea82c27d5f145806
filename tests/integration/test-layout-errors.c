/*
 * Layout files that cannot be used: mosaic does not start with one, and
 * says file:line:column: message (a parser error, and a binding whose key
 * xkbcommon does not know). A background image that cannot be read is
 * reported but not fatal: the output shows its background colour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

/* Runs mosaic with the layout file; it must exit 1 having said `expect` (stderr included). */
static void expect_refused(const char *layout, const char *expect)
{
	char command[2048];
	snprintf(command, sizeof(command), "exec '%s' --headless --control '%s.sock' --layout '%s' 2>&1",
		harness_program("MOSAIC_SIM"), layout, layout);
	char *argv[] = {"/bin/sh", "-c", command, NULL};
	char *env[] = {"XENSIM_DOMID=0", NULL};
	struct proc *mosaic = proc_spawn("mosaic", argv, env);
	char line[1024];
	CHECK(proc_wait_line(mosaic, expect, 10000, line, sizeof(line)), "mosaic did not say '%s'",
		expect);
	int status = proc_wait_exit(mosaic, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1,
		"mosaic with a broken layout file: status %#x, not exit 1", status);
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char path[512], expect[1024];

	snprintf(path, sizeof(path), "%s/typo.toml", dir);
	write_file(path, "[[output]]\n"
			 "name = 'centre'\n"
			 "match = { connector = 'HEADLESS-1' }\n"
			 "scal = 2\n"
			 "[[layout]]\n"
			 "name = 'l'\n");
	snprintf(expect, sizeof(expect),
		"%s:4:1: output 'centre': unknown key 'scal' (did you mean 'scale'?)", path);
	expect_refused(path, expect);

	snprintf(path, sizeof(path), "%s/key.toml", dir);
	write_file(path, "[[layout]]\n"
			 "name = 'l'\n"
			 "[bindings]\n"
			 "\"Super+F1\" = 'layout l'\n"
			 "\"Super+NoSuchKey\" = 'reload'\n");
	snprintf(expect, sizeof(expect),
		"%s:5:1: bindings: 'Super+NoSuchKey': unknown key 'NoSuchKey'", path);
	expect_refused(path, expect);

	snprintf(path, sizeof(path), "%s/image.toml", dir);
	write_file(path, "[[output]]\n"
			 "name = 'centre'\n"
			 "match = { connector = 'HEADLESS-1' }\n"
			 "background = '#336699'\n"
			 "background-image = 'no-such-image.png'\n"
			 "[[layout]]\n"
			 "name = 'l'\n");
	struct harness h;
	const char *args[] = {"--size", "640x480", "--layout", path, NULL};
	harness_start(&h, args);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	CHECK(w == 640 && hgt == 480, "output is %dx%d", w, hgt);
	CHECK(pixels[240 * w + 320] == 0x336699, "background is %06x, not 336699",
		pixels[240 * w + 320]);
	free(pixels);
	char *reply = harness_control(&h, "layouts");
	CHECK(reply != NULL && strcmp(reply, "layout name=l surfaces=0 active=yes\n") == 0,
		"layouts: %s", reply ? reply : "(failed)");
	free(reply);
	harness_stop(&h);
	printf("layout-errors: ok\n");
	return 0;
}
