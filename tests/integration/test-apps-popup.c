/*
 * An app's popup (a menu): shown over its window where the app put it, in
 * the window's coordinates taken through the view (turned by 90 degrees on
 * an output of scale 2), kept inside the window, with the window's pattern
 * around it; the pointer and touch over the popup reach the popup, in its
 * own coordinates, and over the rest of the window the window.
 */
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
	"[[layout]]\n"
	"name = 'l'\n"
	"[[layout.app]]\n"
	"app-id = 'org.mosaic.popup'\n"
	"output = 'main'\n"
	"transform = '90'\n"
	"fit = 'stretch'\n";

/* Popup: at 40,30 of the 480x320 window, 120x80. */
#define PX 40
#define PY 30
#define PW 120
#define PH 80

static struct proc *app;

static void expect_app(const char *prefix, char *line, size_t size)
{
	CHECK(proc_wait_line(app, prefix, 5000, line, size), "the app never said '%s'", prefix);
}

/* Where window pixel (x, y) (fractional) of view v is, in layout coordinates. */
static void to_layout(const struct view_info *v, double x, double y, double *lx, double *ly)
{
	double u, t;
	guests_transform_point(v->transform, (x - v->src_x) / v->src_w, (y - v->src_y) / v->src_h,
		&u, &t);
	*lx = v->x + u * v->width;
	*ly = v->y + t * v->height;
}


int main(void)
{
	guests_scratch_dir();
	const char *layout = inputs_write_layout("popup.toml", layout_text);
	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);

	const char *app_args[] = {"--app-id", "org.mosaic.popup", "--popup", "40,30,120x80", NULL};
	app = guests_wayland_spawn(harness_program("TEST_APP"), app_args);
	char line[256];
	/* 640x480 layout units, turned: it draws 480x640... */
	expect_app("configure 480 640", line, sizeof(line));
	/* ...and its popup goes where it asked: inside the window. */
	expect_app("popup configure ", line, sizeof(line));
	CHECK(strcmp(line, "popup configure 40 30 120 80") == 0, "the app was told '%s'", line);
	expect_app("drew popup 120x80", line, sizeof(line));

	/* The popup over the window, turned and scaled as the window is. */
	struct view_info v;
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		CHECK(guests_find_view(&h, "org.mosaic.popup", "HEADLESS-1", &v), "no view");
		double ax, ay, bx, by;
		to_layout(&v, PX, PY, &ax, &ay);
		to_layout(&v, PX + PW, PY + PH, &bx, &by);
		/* The popup as a view of its own (output pixels: twice the layout units). */
		struct view_info pop = v, win = v;
		pop.x = (long)lround(2 * fmin(ax, bx));
		pop.y = (long)lround(2 * fmin(ay, by));
		pop.width = (long)lround(2 * fabs(bx - ax));
		pop.height = (long)lround(2 * fabs(by - ay));
		pop.src_x = pop.src_y = 0;
		pop.src_w = pop.res_width = PW;
		pop.src_h = pop.res_height = PH;
		win.x *= 2;
		win.y *= 2;
		win.width *= 2;
		win.height *= 2;
		uint32_t *pixels;
		int w, hgt, checked_pop = 0, checked_win = 0, bad_pop = -1, bad_win = -1;
		CHECK(harness_screenshot(&h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
		if (v.res_width == 480 && v.res_height == 640) {
			bad_pop = guests_check_view(pixels, w, hgt, &pop, NULL, "popup", 2, &checked_pop);
			bad_win = guests_check_view(
				pixels, w, hgt, &win, &pop, "org.mosaic.popup", 2, &checked_win);
		}
		if (bad_pop == 0 && bad_win == 0 && checked_pop >= 8 && checked_win >= 8) {
			free(pixels);
			break;
		}
		if (now_ms() > deadline) {
			harness_save_png("test-apps-popup-actual.png", pixels, w, hgt);
			fail("popup: %d of %d samples off, window: %d of %d (capture in "
			     "test-apps-popup-actual.png)",
				bad_pop, checked_pop, bad_win, checked_win);
		}
		free(pixels);
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}

	/* The pointer over the popup reaches the popup, in its coordinates... */
	double lx, ly;
	to_layout(&v, PX + 50.5, PY + 20.5, &lx, &ly);
	inputs_request(&h, "input pointer %.3f %.3f", lx, ly);
	expect_app("pointer enter ", line, sizeof(line));
	CHECK(strncmp(line, "pointer enter popup ", 20) == 0, "over the popup: %s", line);
	guests_check_point(line, 50.5, 20.5);
	/* ...and over the rest of the window, the window. */
	to_layout(&v, 300.5, 200.5, &lx, &ly);
	inputs_request(&h, "input pointer %.3f %.3f", lx, ly);
	expect_app("pointer enter ", line, sizeof(line));
	CHECK(strncmp(line, "pointer enter popup", 19) != 0, "over the window: %s", line);
	guests_check_point(line, 300.5, 200.5);
	/* A touch on the popup: its coordinates too. */
	to_layout(&v, PX + 10.5, PY + 60.5, &lx, &ly);
	inputs_request(&h, "input touch down 1 %.3f %.3f", lx, ly);
	inputs_request(&h, "input touch frame");
	expect_app("touch down ", line, sizeof(line));
	CHECK(strncmp(line, "touch down popup ", 17) == 0, "touch on the popup: %s", line);
	guests_check_point(line, 10.5, 60.5);
	inputs_request(&h, "input touch up 1");
	inputs_request(&h, "input touch frame");

	proc_stop(app, SIGTERM, 5000);
	harness_stop(&h);
	printf("apps-popup: a popup shown and reached in its own coordinates: ok\n");
	return 0;
}
