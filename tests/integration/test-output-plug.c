/*
 * Displays that come and go (`output create`, `output unplug`, headless):
 * a guest whose output is not there gets its flip events on its own 60 Hz
 * clock, without a timeout; when an output the layout file describes
 * appears, the layout is applied to it and the guest is shown there, its
 * pattern checked pixel by pixel; taken away again, the guest goes on at
 * 60 Hz; plugged in once more (a new name, the same [[output]]), it is
 * shown again. Bad requests are refused and change nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'main'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '640x480'\n"
	"[[output]]\n"
	"name = 'plugged'\n"
	"match = { make = 'headless' }\n"
	"[[guest]]\n"
	"name = 'steady'\n"
	"[[guest]]\n"
	"name = 'roaming'\n"
	"[[layout]]\n"
	"name = 'two'\n"
	"[[layout.surface]]\n"
	"guest = 'steady'\n"
	"output = 'main'\n"
	"[[layout.surface]]\n"
	"guest = 'roaming'\n"
	"output = 'plugged'\n";

static void expect_error(struct harness *h, const char *request)
{
	char *reply = guests_control_reply(h, request);
	CHECK(reply != NULL && strncmp(reply, "error ", 6) == 0, "%s: %s", request,
		reply != NULL ? reply : "(no reply)");
	free(reply);
}

static void create_output(struct harness *h, const char *want)
{
	char *reply = guests_control_reply(h, "output create 320x240");
	char expected[64];
	snprintf(expected, sizeof(expected), "output name=%s\nok\n", want);
	CHECK(reply != NULL && strcmp(reply, expected) == 0, "output create: %s",
		reply != NULL ? reply : "(no reply)");
	free(reply);
}

int main(void)
{
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/plug.toml", guests_scratch_dir());
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--headless", "--outputs", "1", "--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "steady", "s0:640x480");
	harness_create_guest(&h, 2, "roaming", "r0:320x240");
	const char *report[] = {"--report-every", "30", NULL};
	struct proc *steady = harness_spawn_guest(&h, 1, "steady", report);
	struct proc *roaming = harness_spawn_guest(&h, 2, "roaming", report);

	/* No output for roaming yet: its own clock. */
	double rate = guests_flip_rate(roaming, 4);
	CHECK(rate > 50 && rate < 70, "roaming without an output: %.1f flips/s", rate);

	struct view_info v;
	create_output(&h, "HEADLESS-2");
	guests_wait_view(&h, "roaming", "HEADLESS-2", 0, "roaming", NULL, &v);
	CHECK(v.width == 320 && v.height == 240, "roaming shown %ldx%ld on the new output", v.width,
		v.height);
	guests_flips_ok(roaming);

	char *reply = guests_control_reply(&h, "output unplug HEADLESS-2");
	CHECK(reply != NULL && strcmp(reply, "ok\n") == 0, "unplug: %s", reply ? reply : "-");
	free(reply);
	CHECK(!guests_find_view(&h, "roaming", "HEADLESS-2", &v), "roaming is still on HEADLESS-2");
	rate = guests_flip_rate(roaming, 4);
	CHECK(rate > 50 && rate < 70, "roaming after its output went: %.1f flips/s", rate);
	guests_flips_ok(steady);

	/* Back, under a new name that the same [[output]] matches. */
	create_output(&h, "HEADLESS-3");
	guests_wait_view(&h, "roaming", "HEADLESS-3", 0, "roaming", NULL, &v);
	guests_flips_ok(roaming);

	expect_error(&h, "output unplug HEADLESS-9");
	expect_error(&h, "output create 0x240");
	expect_error(&h, "output create 320x240x1");
	expect_error(&h, "output plug");
	char *outputs = harness_control(&h, "outputs");
	CHECK(outputs != NULL && strstr(outputs, "name=HEADLESS-1 ") != NULL &&
			strstr(outputs, "name=HEADLESS-3 ") != NULL &&
			strstr(outputs, "name=HEADLESS-2 ") == NULL,
		"outputs: %s", outputs != NULL ? outputs : "-");
	free(outputs);

	guests_flips_ok(steady);
	CHECK(WEXITSTATUS(proc_stop(steady, SIGTERM, 10000)) == 0, "steady exit status");
	CHECK(WEXITSTATUS(proc_stop(roaming, SIGTERM, 10000)) == 0, "roaming exit status");
	harness_stop(&h);
	printf("output-plug: ok\n");
	return 0;
}
