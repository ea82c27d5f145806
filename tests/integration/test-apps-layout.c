/*
 * Dom0 apps placed by a layout file: a [[layout.app]] entry places the
 * window of the app whose app_id it names, beside a guest, with the same
 * view properties (rect, fit, transform, label, colour, placeholder). The
 * app is configured to its view's size (turned with the view), draws the
 * test pattern at that size, and mosaic shows that pattern where the view
 * is. A layout switch configures it again; frames are paced by its output
 * and stop while it is shown nowhere; an app no layout names is not shown;
 * an app that goes leaves its placeholder.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'main'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '640x480'\n"
	"[[guest]]\n"
	"name = 'alpha'\n"
	"[[layout]]\n"
	"name = 'one'\n"
	"[[layout.surface]]\n"
	"guest = 'alpha'\n"
	"output = 'main'\n"
	"rect = [0, 0, 320, 480]\n"
	"[[layout.app]]\n"
	"app-id = 'org.mosaic.status'\n"
	"output = 'main'\n"
	"rect = [320, 0, 320, 240]\n"
	"fit = 'stretch'\n"
	"[[layout.app]]\n"
	"app-id = 'org.mosaic.turned'\n"
	"label = 'Turned'\n"
	"colour = '#c040c0'\n"
	"output = 'main'\n"
	"rect = [320, 240, 320, 240]\n"
	"transform = '90'\n"
	"[[layout.app]]\n"
	"app-id = 'org.mosaic.titled'\n"
	"title = 'Ready'\n"
	"label = 'Titled'\n"
	"output = 'main'\n"
	"rect = [0, 400, 80, 80]\n"
	"z = 1\n"
	"placeholder = false\n"
	"[[layout]]\n"
	"name = 'two'\n"
	"[[layout.app]]\n"
	"app-id = 'org.mosaic.status'\n"
	"output = 'main'\n"
	"[[layout.app]]\n" /* any window this layout does not name */
	"app-id = '*'\n"
	"label = 'Other'\n"
	"output = 'main'\n"
	"rect = [0, 420, 80, 60]\n"
	"z = 1\n"
	"[[layout]]\n"
	"name = 'none'\n";

/* The app's next line starting with prefix; fails after 10 s. */
static void expect_line(struct proc *app, const char *prefix, char *line, size_t size)
{
	CHECK(proc_wait_line(app, prefix, 10000, line, size), "the app never said '%s'", prefix);
}

/* Frames the app is told to draw in about a second. */
static int frames_in_a_second(struct proc *app)
{
	char line[256];
	int64_t end = now_ms() + 1000;
	int frames = 0;
	while (now_ms() < end && proc_wait_line(app, "frame ", (int)(end - now_ms()), line,
					 sizeof(line))) {
		frames++;
	}
	return frames;
}

static void wait_placeholder(struct harness *h, const char *label, uint32_t colour)
{
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		struct view_info v;
		CHECK(guests_find_view(h, label, "HEADLESS-1", &v), "no view labelled %s", label);
		uint32_t *pixels;
		int w, hgt;
		CHECK(harness_screenshot(h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
		long flat, light, other;
		guests_count_placeholder(
			pixels, w, hgt, v.x, v.y, v.width, v.height, colour, &flat, &light, &other);
		long area = v.width * v.height;
		if (strcmp(v.state, "absent") == 0 && area > 0 && flat >= area * 9 / 10 && light >= 200) {
			free(pixels);
			return;
		}
		if (now_ms() > deadline) {
			harness_save_png("test-apps-layout-actual.png", pixels, w, hgt);
			fail("%s: no placeholder (state %s, %ld flat, %ld text, %ld other of %ld; "
			     "capture in test-apps-layout-actual.png)",
				label, v.state, flat, light, other, area);
		}
		free(pixels);
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/apps.toml", dir);
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);

	/* Before any app: their places hold placeholders, dimmed colour and label. */
	wait_placeholder(&h, "Turned", 0x4d1a4d);

	harness_create_guest(&h, 1, "alpha", "a0:320x480");
	const char *guest_args[] = {"--fps", "60", "--report-every", "30", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", guest_args);
	struct view_info v;
	guests_wait_view(&h, "alpha", "HEADLESS-1", 0, "alpha", NULL, &v);

	/* Configured to its rect, it draws there and is shown there. */
	const char *status_args[] = {"--app-id", "org.mosaic.status", "--animate", NULL};
	struct proc *status = guests_wayland_spawn(harness_program("TEST_APP"), status_args);
	char line[256];
	/* Asked for its own decorations, it is told mosaic's way: none drawn by it. */
	expect_line(status, "decoration ", line, sizeof(line));
	CHECK(strcmp(line, "decoration server-side") == 0, "the app was told '%s'", line);
	expect_line(status, "configure 320 240", line, sizeof(line));
	guests_wait_app_view(&h, "org.mosaic.status", "HEADLESS-1", "org.mosaic.status", 320, 240, &v);
	CHECK(v.x == 320 && v.y == 0 && v.width == 320 && v.height == 240 &&
			v.res_width == 320 && v.res_height == 240 && strcmp(v.fit, "stretch") == 0,
		"status at %ld,%ld %ldx%ld drawing %ldx%ld, fit %s", v.x, v.y, v.width, v.height,
		v.res_width, v.res_height, v.fit);
	/* A screenshot of just its view, named by its app_id: the app's pattern, whole. */
	uint32_t *pixels;
	int w, hgt, checked = 0;
	CHECK(harness_screenshot(&h, "surface=org.mosaic.status", &pixels, &w, &hgt),
		"screenshot surface=org.mosaic.status failed");
	struct view_info shot = v;
	shot.x = shot.y = 0;
	CHECK(w == 320 && hgt == 240, "the app's screenshot is %dx%d", w, hgt);
	int bad = guests_check_view(pixels, w, hgt, &shot, NULL, "org.mosaic.status", 2, &checked);
	CHECK(bad == 0 && checked >= 8, "the app's screenshot: %d of %d samples off", bad, checked);
	free(pixels);
	char *surfaces = harness_control(&h, "surfaces");
	CHECK(surfaces != NULL &&
			strstr(surfaces, "label=org.mosaic.status domid=- dev=- conn=- "
					 "state=connected") != NULL &&
			strstr(surfaces, "guest=- app=org.mosaic.status\n") != NULL,
		"surfaces: %s", surfaces != NULL ? surfaces : "no reply");
	free(surfaces);

	/* Paced by its output's frames: about 60 a second. */
	int frames = frames_in_a_second(status);
	CHECK(frames >= 40 && frames <= 70, "the app drew %d frames in a second", frames);

	/* A turned view: configured with width and height swapped, shown turned. */
	const char *turned_args[] = {"--app-id", "org.mosaic.turned", NULL};
	struct proc *turned = guests_wayland_spawn(harness_program("TEST_APP"), turned_args);
	expect_line(turned, "configure 240 320", line, sizeof(line));
	guests_wait_app_view(&h, "Turned", "HEADLESS-1", "org.mosaic.turned", 240, 320, &v);
	CHECK(strcmp(v.transform, "90") == 0 && v.width == 320 && v.height == 240,
		"turned: transform %s at %ldx%ld", v.transform, v.width, v.height);

	/* An app the layout does not name is shown nowhere. */
	const char *other_args[] = {"--app-id", "org.mosaic.other", NULL};
	struct proc *other = guests_wayland_spawn(harness_program("TEST_APP"), other_args);
	expect_line(other, "drew ", line, sizeof(line));
	surfaces = harness_control(&h, "surfaces");
	CHECK(surfaces != NULL && strstr(surfaces, "org.mosaic.other") == NULL, "surfaces: %s",
		surfaces != NULL ? surfaces : "no reply");
	free(surfaces);
	proc_stop(other, SIGTERM, 5000);

	/* Placed by title too: shown once its title is the one the layout names. */
	const char *titled_args[] = {"--app-id", "org.mosaic.titled", "--title", "Loading",
		"--retitle", "500", "Ready", NULL};
	struct proc *titled = guests_wayland_spawn(harness_program("TEST_APP"), titled_args);
	expect_line(titled, "drew ", line, sizeof(line));
	CHECK(guests_find_view(&h, "Titled", "HEADLESS-1", &v) && strcmp(v.state, "absent") == 0,
		"titled 'Loading', it is shown: %s", v.state);
	expect_line(titled, "retitled Ready", line, sizeof(line));
	guests_wait_app_view(&h, "Titled", "HEADLESS-1", "org.mosaic.titled", 80, 80, &v);
	proc_stop(titled, SIGTERM, 5000);

	/* Another layout: the whole output, so it is configured again. */
	free(harness_control(&h, "layout two"));
	expect_line(status, "configure 640 480", line, sizeof(line));
	guests_wait_app_view(&h, "org.mosaic.status", "HEADLESS-1", "org.mosaic.status", 640, 480, &v);
	CHECK(v.width == 640 && v.height == 480, "status in layout two: %ldx%ld", v.width,
		v.height);
	/* Layout two does not name the turned app: its "*" entry shows it, configured to fit. */
	expect_line(turned, "configure 80 60", line, sizeof(line));
	guests_wait_app_view(&h, "Other", "HEADLESS-1", "org.mosaic.turned", 80, 60, &v);

	/* Shown nowhere: it is not told to draw. */
	free(harness_control(&h, "layout none"));
	nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
	while (proc_wait_line(status, "frame ", 100, line, sizeof(line))) {
	}
	frames = frames_in_a_second(status);
	CHECK(frames == 0, "an app shown nowhere drew %d frames in a second", frames);
	free(harness_control(&h, "layout one"));
	frames = frames_in_a_second(status);
	CHECK(frames >= 40, "shown again, the app drew %d frames in a second", frames);

	/* It goes: its place shows its placeholder again. */
	proc_stop(turned, SIGTERM, 5000);
	wait_placeholder(&h, "Turned", 0x4d1a4d);

	guests_flips_ok(alpha);
	proc_stop(status, SIGTERM, 5000);
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(&h);
	printf("apps-layout: placed by app_id, configured, paced, switched, forgotten: ok\n");
	return 0;
}
