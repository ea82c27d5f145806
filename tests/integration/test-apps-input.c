/*
 * Dom0 apps take part in input as guests do. Beside guest "alpha" (with a
 * PV keyboard and pointer), an app of ours is shown turned by 90 degrees on
 * an output of scale 2. The app logs what its wl_seat tells it:
 *  - focus: `focus APP` (and a click, focus following clicks) gives it the
 *    keyboard; keys then reach it, with the keymap's symbols, and not the
 *    guest; `focus alpha` takes the keyboard back to the guest, and the
 *    app is told it left. next/prev go through apps too. The focus frame
 *    is drawn around the app in its colour.
 *  - pointer: over the app, motion arrives in the app's surface
 *    coordinates, as the view's geometry (turned, scaled) gives them; a
 *    button pressed there stays with it off its edge until let go; over
 *    the guest, the app is left and the guest gets the position.
 *  - touch: a contact on the app goes down at its surface point, moves
 *    with it and is lifted.
 */
#include <linux/input-event-codes.h>
#include <math.h>
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
	"mode = '1280x960'\n"
	"scale = 2\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[layout]]\n"
	"name = 'l'\n"
	"[[layout.surface]]\n"
	"guest = 'alpha'\n"
	"output = 'main'\n"
	"rect = [0, 0, 640, 960]\n"
	"fit = 'stretch'\n"
	"[[layout.app]]\n"
	"app-id = 'org.mosaic.input'\n"
	"label = 'Input'\n"
	"colour = '#e0a000'\n"
	"output = 'main'\n"
	"rect = [640, 0, 640, 960]\n"
	"transform = '90'\n"
	"fit = 'stretch'\n"
	"[focus]\n"
	"follows-click = true\n";

static const char vkb[] = "backend-type=linux,feature-abs-pointer=1,width=320,height=480";

static struct proc *app;

/* The app's next line that starts with prefix (others are skipped); fails after 5 s. */
static void expect_app(const char *prefix, char *line, size_t size)
{
	char got[256];
	int64_t deadline = now_ms() + 5000;
	while (now_ms() < deadline) {
		if (!proc_wait_line(app, "", (int)(deadline - now_ms()), got, sizeof(got))) {
			break;
		}
		if (strncmp(got, prefix, strlen(prefix)) == 0) {
			if (line != NULL) {
				snprintf(line, size, "%s", got);
			}
			return;
		}
		CHECK(strncmp(got, "key ", 4) != 0 && strncmp(got, "pointer ", 8) != 0 &&
				strncmp(got, "touch ", 6) != 0 && strncmp(got, "keyboard ", 9) != 0,
			"the app got '%s', expected '%s'", got, prefix);
	}
	fail("the app never said '%s'", prefix);
}

/* No input line from the app for a while. */
static void expect_app_quiet(void)
{
	char got[256];
	int64_t end = now_ms() + 300;
	while (now_ms() < end && proc_wait_line(app, "", (int)(end - now_ms()), got, sizeof(got))) {
		CHECK(strncmp(got, "key ", 4) != 0 && strncmp(got, "pointer ", 8) != 0 &&
				strncmp(got, "touch ", 6) != 0,
			"the app got '%s', expected nothing", got);
	}
}


int main(void)
{
	guests_scratch_dir();
	const char *layout = inputs_write_layout("apps-input.toml", layout_text);
	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);

	inputs_create_guest(&h, 1, "alpha", "a0:320x480", vkb);
	const char *guest_args[] = {"--fps", "30", "--vkb", "0", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	inputs_wait_connected(&h, 1);
	struct view_info guest_view, v;
	guests_wait_view(&h, "alpha", "HEADLESS-1", 0, "alpha", NULL, &guest_view);

	const char *app_args[] = {"--app-id", "org.mosaic.input", NULL};
	app = guests_wayland_spawn(harness_program("TEST_APP"), app_args);
	char line[256];
	/* 320x480 layout units, turned: it draws 480x320. */
	expect_app("configure 480 320", line, sizeof(line));
	guests_wait_app_view(&h, "Input", "HEADLESS-1", "org.mosaic.input", 480, 320, &v);
	CHECK(v.x == 320 && v.width == 320 && v.height == 480, "the app's view: %ld,%ld %ldx%ld",
		v.x, v.y, v.width, v.height);

	/* Keyboard focus to the app: keys go to it, with their symbols, and not to the guest. */
	char *reply = harness_control(&h, "focus org.mosaic.input");
	CHECK(reply != NULL && strstr(reply, "focus label=Input domid=- dev=- conn=- input=wayland "
					    "guest=- app=org.mosaic.input\n") != NULL,
		"focus: %s", reply != NULL ? reply : "no reply");
	free(reply);
	expect_app("keyboard enter", NULL, 0);
	inputs_request(&h, "input key %d down", KEY_A);
	inputs_request(&h, "input key %d up", KEY_A);
	expect_app("key a pressed", NULL, 0);
	expect_app("key a released", NULL, 0);
	struct kbd_event ev;
	CHECK(!inputs_next_event(alpha, 300, &ev), "alpha got '%s' while the app had the focus",
		ev.line);

	/* The focus frame marks the app, in its colour, inside its view's edge. */
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
	uint32_t edge = pixels[(size_t)(2 * (v.y + v.height / 2)) * (size_t)w + (size_t)(2 * v.x + 2)];
	CHECK(colour_close(edge, 0xe0a000, 2), "the focus frame at the app's edge is %06x", edge);
	free(pixels);

	/* Back to the guest: the app is told, keys go to alpha. */
	reply = harness_control(&h, "focus alpha");
	free(reply);
	expect_app("keyboard leave", NULL, 0);
	inputs_request(&h, "input key %d down", KEY_B);
	inputs_request(&h, "input key %d up", KEY_B);
	inputs_expect_key(alpha, KEY_B, true);
	inputs_expect_key(alpha, KEY_B, false);
	expect_app_quiet();
	/* next goes from the guest to the app (left to right). */
	reply = harness_control(&h, "focus next");
	CHECK(reply != NULL && strstr(reply, "app=org.mosaic.input") != NULL, "focus next: %s",
		reply != NULL ? reply : "no reply");
	free(reply);
	expect_app("keyboard enter", NULL, 0);
	free(harness_control(&h, "focus alpha"));
	expect_app("keyboard leave", NULL, 0);

	/* The pointer over the app: surface coordinates through the turned, scaled view. */
	static const double points[][2] = {{400, 100}, {600, 50}, {330, 470}, {480, 240}};
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		double px = points[i][0], py = points[i][1], sx, sy;
		guests_view_point(&v, px + 0.5, py + 0.5, &sx, &sy);
		inputs_request(&h, "input pointer %g %g", px + 0.5, py + 0.5);
		/* Entering says where; wlroots then sends no motion to the same point. */
		expect_app(i == 0 ? "pointer enter" : "pointer motion", line, sizeof(line));
		guests_check_point(line, sx, sy);
	}
	/* A click there: the press and release, and the focus follows it. */
	inputs_request(&h, "input button left down");
	expect_app("keyboard enter", NULL, 0);
	expect_app("pointer button 272 pressed", NULL, 0);
	/* Held, it stays with the app off its edge (clamped there), not to the guest. */
	inputs_request(&h, "input pointer 100 100");
	expect_app("pointer motion", line, sizeof(line));
	inputs_request(&h, "input button left up");
	expect_app("pointer button 272 released", NULL, 0);
	CHECK(!inputs_next_event(alpha, 300, &ev), "alpha got '%s' during the app's click", ev.line);
	/* Let go over the guest: the app is left, the guest gets the pointer. */
	inputs_request(&h, "input pointer 100 101");
	expect_app("pointer leave", NULL, 0);
	CHECK(inputs_next_event(alpha, 5000, &ev) && ev.type == KBD_POS,
		"alpha got no position after the pointer left the app");

	/* Touch on the app: down, motion and up at surface points. */
	double sx, sy;
	guests_view_point(&v, 500.5, 300.5, &sx, &sy);
	inputs_request(&h, "input touch down 3 500.5 300.5");
	inputs_request(&h, "input touch frame");
	expect_app("touch down", line, sizeof(line));
	guests_check_point(line, sx, sy);
	guests_view_point(&v, 520.5, 320.5, &sx, &sy);
	inputs_request(&h, "input touch motion 3 520.5 320.5");
	inputs_request(&h, "input touch frame");
	expect_app("touch motion", line, sizeof(line));
	guests_check_point(line, sx, sy);
	inputs_request(&h, "input touch up 3");
	inputs_request(&h, "input touch frame");
	expect_app("touch up", NULL, 0);

	/* The app goes while it has the focus: nobody has it. */
	proc_stop(app, SIGTERM, 5000);
	int64_t deadline = now_ms() + 5000;
	for (;;) {
		reply = harness_control(&h, "focus");
		bool none = reply != NULL && strstr(reply, "focus none") != NULL;
		free(reply);
		if (none) {
			break;
		}
		CHECK(now_ms() < deadline, "the focus stayed with an app that went");
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(&h);
	printf("apps-input: focus, keys, pointer and touch reach the app in its coordinates: ok\n");
	return 0;
}
