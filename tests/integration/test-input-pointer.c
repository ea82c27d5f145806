/*
 * Pointer and touch land at the right guest coordinates. Three guests of
 * 320x240: "scaled" stretched to 400x300, "cropped" showing its middle
 * quarter twice as large, "turned" rotated by 90 degrees. At points over
 * each, the guest must get the position the view's geometry gives (worked
 * out here from `mosaicctl surfaces`, then scaled to the device's range),
 * and the picture at that screen point must be the guest's own pixel at
 * that position. Buttons and the wheel go to the guest under the pointer,
 * a held button keeps it there, nothing goes anywhere over the background.
 * Two simultaneous touches on two guests each go to their own guest, in
 * its multi-touch range, with its own slot, staying with it when moving
 * off; contacts beyond the guest's number are not sent.
 */
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"
#include "pattern.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'main'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"[[guest]]\n"
	"name = 'scaled'\n"
	"[[guest]]\n"
	"name = 'cropped'\n"
	"[[guest]]\n"
	"name = 'turned'\n"
	"[[layout]]\n"
	"name = 'three'\n"
	"[[layout.surface]]\n"
	"guest = 'scaled'\n"
	"output = 'main'\n"
	"rect = [0, 0, 400, 300]\n"
	"fit = 'stretch'\n"
	"[[layout.surface]]\n"
	"guest = 'cropped'\n"
	"output = 'main'\n"
	"rect = [400, 0, 320, 240]\n"
	"crop = [80, 60, 160, 120]\n"
	"fit = 'stretch'\n"
	"[[layout.surface]]\n"
	"guest = 'turned'\n"
	"output = 'main'\n"
	"rect = [0, 300, 240, 320]\n"
	"transform = '90'\n"
	"fit = 'stretch'\n"
	"[focus]\n"
	"follows-click = false\n";

/* Device ranges: the pointer's differs from the connector on purpose. */
#define RANGE_W 640
#define RANGE_H 480
#define TOUCH_W 1000
#define TOUCH_H 1000

static const char vkb[] = "backend-type=linux,feature-abs-pointer=1,width=640,height=480,"
			  "feature-multi-touch=1,multi-touch-width=1000,multi-touch-height=1000,"
			  "multi-touch-num-contacts=2";

static long scale(double value, long size, long range)
{
	return (long)floor(value * range / size + 1e-6);
}

static void expect_pos(struct proc *guest, long x, long y, long z)
{
	struct kbd_event ev;
	CHECK(inputs_next_event(guest, 5000, &ev), "%s: no position (wanted %ld,%ld)", guest->name, x,
		y);
	CHECK(ev.type == KBD_POS && ev.x == x && ev.y == y && ev.z == z,
		"%s: got '%s', wanted pos %ld %ld %ld", guest->name, ev.line, x, y, z);
}

static void expect_mt(struct proc *guest, long contact, const char *what, long x, long y)
{
	struct kbd_event ev;
	CHECK(inputs_next_event(guest, 5000, &ev), "%s: no touch event (wanted %ld %s)", guest->name,
		contact, what);
	bool xy = strcmp(what, "down") == 0 || strcmp(what, "motion") == 0;
	CHECK(ev.type == KBD_MT && ev.contact == contact && strcmp(ev.mt, what) == 0 &&
			(!xy || (ev.x == x && ev.y == y)),
		"%s: got '%s', wanted mt %ld %s %ld %ld", guest->name, ev.line, contact, what, x, y);
}

/*
 * Points inside bars (stable colours) of the guest's picture, taken to the
 * screen; the pointer goes there and the guest must get that position.
 */
static void check_pointer(struct harness *h, const struct view_info *v, const char *name,
	struct proc *guest, const uint32_t *pixels, int width)
{
	uint32_t w = (uint32_t)v->res_width, hgt = (uint32_t)v->res_height;
	uint32_t bar_h = vguest_pattern_bar_height(hgt);
	int checked = 0;
	for (uint32_t i = 0; i < VGUEST_PATTERN_BARS; i++) {
		double cx = vguest_pattern_bar_centre_x(i, w) + 0.5, cy = bar_h / 2.0;
		double u = (cx - v->src_x) / v->src_w, t = (cy - v->src_y) / v->src_h;
		if (u <= 0.05 || u >= 0.95 || t <= 0.05 || t >= 0.95) {
			continue; // cropped away or too near an edge
		}
		double su, sv;
		guests_transform_point(v->transform, u, t, &su, &sv);
		/* A whole screen pixel, as a mouse or touch screen gives. */
		long px = v->x + (long)(su * v->width), py = v->y + (long)(sv * v->height);
		inputs_request(h, "input pointer %ld %ld", px, py);
		double gx, gy;
		guests_view_point(v, px, py, &gx, &gy);
		CHECK(fabs(gx - cx) < 2 && fabs(gy - cy) < 2, "%s: %ld,%ld is guest %g,%g, not near %g,%g",
			name, px, py, gx, gy, cx, cy);
		long wx = scale(gx, w, RANGE_W), wy = scale(gy, hgt, RANGE_H);
		expect_pos(guest, wx, wy, 0);
		/* What the screen shows there is the guest's pixel at that position. */
		uint32_t want = vguest_pattern_pixel(name, 0, w, hgt, (uint32_t)(wx * (long)w / RANGE_W),
			(uint32_t)(wy * (long)hgt / RANGE_H));
		uint32_t got = pixels[py * width + px];
		CHECK(colour_close(got, want, 2), "%s: screen %ld,%ld is %06x, guest pixel %06x", name, px,
			py, got & 0xffffff, want & 0xffffff);
		checked++;
	}
	CHECK(checked >= 3, "%s: only %d points checked", name, checked);
	printf("input-pointer: %s: %d positions right\n", name, checked);
}

int main(void)
{
	const char *layout = inputs_write_layout("pointer.toml", layout_text);

	struct harness h;
	const char *args[] = {"--layout", layout, "--size", "800x640", NULL};
	harness_start(&h, args);
	const char *names[] = {"scaled", "cropped", "turned"};
	struct proc *guests[3];
	for (int g = 0; g < 3; g++) {
		inputs_create_guest(&h, g + 1, names[g], "c0:320x240", vkb);
		const char *guest_args[] = {"--fps", "10", "--vkb", "0", NULL};
		guests[g] = harness_spawn_guest(&h, g + 1, names[g], guest_args);
	}
	struct view_info views[3];
	for (int g = 0; g < 3; g++) {
		guests_wait_view(&h, names[g], "HEADLESS-1", 0, names[g], NULL, &views[g]);
	}
	inputs_wait_connected(&h, 3);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	for (int g = 0; g < 3; g++) {
		check_pointer(&h, &views[g], names[g], guests[g], pixels, w);
	}
	free(pixels);

	/* Over the background: nothing. A click there, then one on "scaled" at 100,100. */
	inputs_request(&h, "input pointer 790 630");
	inputs_request(&h, "input button left down");
	inputs_request(&h, "input button left up");
	inputs_request(&h, "input pointer 100 100");
	expect_pos(guests[0], scale(80, 320, RANGE_W), scale(80, 240, RANGE_H), 0);
	inputs_request(&h, "input button left down");
	inputs_request(&h, "input button left up");
	inputs_expect_key(guests[0], BTN_LEFT, true);
	inputs_expect_key(guests[0], BTN_LEFT, false);

	/* Wheel steps where the pointer is. */
	inputs_request(&h, "input wheel 2");
	expect_pos(guests[0], scale(80, 320, RANGE_W), scale(80, 240, RANGE_H), 2);

	/* A button held on "scaled" keeps the pointer there, clamped to its edge, until released. */
	inputs_request(&h, "input button right down");
	inputs_expect_key(guests[0], BTN_RIGHT, true);
	inputs_request(&h, "input pointer 500 100");
	expect_pos(guests[0], RANGE_W - 1, scale(80, 240, RANGE_H), 0);
	inputs_request(&h, "input button right up");
	inputs_expect_key(guests[0], BTN_RIGHT, false);
	/* Released: the pointer belongs to "cropped" from its next motion on. */
	inputs_request(&h, "input pointer 500 101");
	double gx, gy;
	guests_view_point(&views[1], 500, 101, &gx, &gy);
	expect_pos(guests[1], scale(gx, 320, RANGE_W), scale(gy, 240, RANGE_H), 0);
	printf("input-pointer: buttons, wheel and grab ok\n");

	/* Two touches at once on two guests: each its own, slot 0, in the touch range. */
	guests_view_point(&views[1], 500, 100, &gx, &gy);
	inputs_request(&h, "input touch down 7 100 100");
	inputs_request(&h, "input touch down 8 500 100");
	inputs_request(&h, "input touch frame");
	expect_mt(guests[0], 0, "down", scale(80, 320, TOUCH_W), scale(80, 240, TOUCH_H));
	expect_mt(guests[0], 0, "syn", 0, 0);
	expect_mt(guests[1], 0, "down", scale(gx, 320, TOUCH_W), scale(gy, 240, TOUCH_H));
	expect_mt(guests[1], 0, "syn", 0, 0);
	/* A second and a third contact on "scaled": it takes two, the third is not sent. */
	inputs_request(&h, "input touch down 9 200 100");
	inputs_request(&h, "input touch down 10 300 100");
	inputs_request(&h, "input touch frame");
	expect_mt(guests[0], 1, "down", scale(160, 320, TOUCH_W), scale(80, 240, TOUCH_H));
	expect_mt(guests[0], 0, "syn", 0, 0);
	/* The first contact moves over "cropped": it stays with "scaled", clamped. */
	inputs_request(&h, "input touch motion 7 600 100");
	inputs_request(&h, "input touch frame");
	expect_mt(guests[0], 0, "motion", TOUCH_W - 1, scale(80, 240, TOUCH_H));
	expect_mt(guests[0], 0, "syn", 0, 0);
	inputs_request(&h, "input touch up 7");
	inputs_request(&h, "input touch up 8");
	inputs_request(&h, "input touch up 9");
	inputs_request(&h, "input touch up 10");
	inputs_request(&h, "input touch frame");
	expect_mt(guests[0], 0, "up", 0, 0);
	expect_mt(guests[0], 1, "up", 0, 0);
	expect_mt(guests[0], 0, "syn", 0, 0);
	expect_mt(guests[1], 0, "up", 0, 0);
	expect_mt(guests[1], 0, "syn", 0, 0);
	/* "turned" got nothing but its pointer positions: its next event is this touch. */
	guests_view_point(&views[2], 120, 400, &gx, &gy);
	inputs_request(&h, "input touch down 11 120 400");
	inputs_request(&h, "input touch up 11");
	inputs_request(&h, "input touch frame");
	expect_mt(guests[2], 0, "down", scale(gx, 320, TOUCH_W), scale(gy, 240, TOUCH_H));
	expect_mt(guests[2], 0, "up", 0, 0);
	expect_mt(guests[2], 0, "syn", 0, 0);
	printf("input-pointer: touches ok\n");

	for (int g = 0; g < 3; g++) {
		CHECK(WEXITSTATUS(proc_stop(guests[g], SIGTERM, 10000)) == 0, "%s exit status",
			names[g]);
	}
	harness_stop(&h);
	printf("input-pointer: ok\n");
	return 0;
}
