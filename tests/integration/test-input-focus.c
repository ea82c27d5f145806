/*
 * Keyboard focus and its indicator: no focus at first; `focus` by position,
 * next/prev (wrapping), name and none; the default binding Super+1 typed
 * with wtype; a click on a guest with follows-click; a layout switch that
 * takes the focused guest off the screen. For each state the screenshot
 * shows a frame in the focused guest's colour all around its view, with its
 * label in the top-left corner, and no frame around the other guest.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'main'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '800x300'\n"
	"\n"
	"[[guest]]\n"
	"name = 'left'\n"
	"label = 'Left'\n"
	"colour = '#ff8000'\n"
	"\n"
	"[[guest]]\n"
	"name = 'right'\n"
	"label = 'Right'\n"
	"colour = '#0080ff'\n"
	"\n"
	"[[layout]]\n"
	"name = 'both'\n"
	"[[layout.surface]]\n"
	"guest = 'left'\n"
	"output = 'main'\n"
	"rect = [0, 0, 400, 300]\n"
	"[[layout.surface]]\n"
	"guest = 'right'\n"
	"output = 'main'\n"
	"rect = [400, 0, 400, 300]\n"
	"\n"
	"[[layout]]\n"
	"name = 'left-only'\n"
	"[[layout.surface]]\n"
	"guest = 'left'\n"
	"output = 'main'\n"
	"rect = [0, 0, 400, 300]\n"
	"\n"
	"[focus]\n"
	"follows-click = true\n";

#define FRAME 4

struct frame_count {
	long ring, ring_colour;     // pixels of the frame's ring, those in the colour
	long label_colour, label_light; // in the label's corner
};

static struct frame_count count_frame(const uint32_t *pixels, int width, const struct view_info *v,
	uint32_t colour)
{
	struct frame_count c = {0};
	for (long y = v->y; y < v->y + v->height; y++) {
		for (long x = v->x; x < v->x + v->width; x++) {
			bool ring = x < v->x + FRAME || x >= v->x + v->width - FRAME || y < v->y + FRAME ||
				    y >= v->y + v->height - FRAME;
			if (!ring) {
				continue;
			}
			c.ring++;
			if ((pixels[y * width + x] & 0xffffff) == colour) {
				c.ring_colour++;
			}
		}
	}
	long flat, light, other;
	guests_count_placeholder(pixels, width, 300, v->x + FRAME, v->y + FRAME, 40, 16, colour,
		&flat, &light, &other);
	c.label_colour = flat;
	c.label_light = light;
	return c;
}

static void expect_focus(struct harness *h, const char *want_label, const char *state)
{
	struct view_info left, right;
	CHECK(guests_find_view(h, "Left", "HEADLESS-1", &left), "no view of left");
	bool right_shown = guests_find_view(h, "Right", "HEADLESS-1", &right);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(h, NULL, &pixels, &w, &hgt), "screenshot failed");
	const struct {
		const char *label;
		const struct view_info *v;
		uint32_t colour;
	} guests[] = {{"left", &left, 0xff8000}, {"right", &right, 0x0080ff}};
	for (size_t i = 0; i < 2; i++) {
		if (i == 1 && !right_shown) {
			continue;
		}
		struct frame_count c = count_frame(pixels, w, guests[i].v, guests[i].colour);
		bool focused = want_label != NULL && strcmp(want_label, guests[i].label) == 0;
		bool ok = focused ? c.ring_colour == c.ring && c.label_colour > 100 && c.label_light > 10 :
				    c.ring_colour * 5 < c.ring && c.label_colour < 20;
		if (!ok) {
			char path[128];
			snprintf(path, sizeof(path), "test-input-focus-%s.png", state);
			harness_save_png(path, pixels, w, hgt);
			fail("%s: %s %s: %ld of %ld frame pixels in its colour, label %ld/%ld "
			     "(capture written to %s)",
				state, guests[i].label, focused ? "focused" : "not focused", c.ring_colour,
				c.ring, c.label_colour, c.label_light, path);
		}
	}
	free(pixels);
	char *reply = guests_control_reply(h, "focus");
	CHECK(reply != NULL, "no reply to focus");
	if (want_label == NULL) {
		CHECK(strcmp(reply, "focus none\nok\n") == 0, "%s: focus replied %s", state, reply);
	} else {
		char want[64];
		snprintf(want, sizeof(want), "focus label=%s:0.0 ", want_label);
		CHECK(strncmp(reply, want, strlen(want)) == 0, "%s: focus replied %s", state, reply);
	}
	free(reply);
	printf("input-focus: %s: ok\n", state);
}

static void focus_ok(struct harness *h, const char *request)
{
	char *reply = guests_control_reply(h, request);
	CHECK(reply != NULL && strncmp(reply, "focus ", 6) == 0, "%s replied %s", request,
		reply != NULL ? reply : "nothing");
	free(reply);
}

int main(void)
{
	const char *layout = inputs_write_layout("focus.toml", layout_text);

	struct harness h;
	const char *args[] = {"--layout", layout, "--size", "800x300", NULL};
	harness_start(&h, args);
	int follow = guests_follow(&h);
	CHECK(follow >= 0, "cannot follow mosaic's events");
	harness_create_guest(&h, 1, "left", "l0:320x240");
	harness_create_guest(&h, 2, "right", "r0:320x240");
	const char *guest_args[] = {"--fps", "30", NULL};
	struct proc *left = harness_spawn_guest(&h, 1, "left", guest_args);
	struct proc *right = harness_spawn_guest(&h, 2, "right", guest_args);
	struct view_info v;
	guests_wait_view(&h, "Left", "HEADLESS-1", 0, "left", NULL, &v);
	guests_wait_view(&h, "Right", "HEADLESS-1", 0, "right", NULL, &v);
	expect_focus(&h, NULL, "none-at-start");

	char line[512];
	focus_ok(&h, "focus 1");
	CHECK(guests_follow_wait(follow, "event focus label=left:0.0 domid=1", 5000, line,
		      sizeof(line)),
		"no focus event");
	expect_focus(&h, "left", "position-1");
	focus_ok(&h, "focus next");
	expect_focus(&h, "right", "next");
	focus_ok(&h, "focus next");
	expect_focus(&h, "left", "next-wraps");
	focus_ok(&h, "focus prev");
	expect_focus(&h, "right", "prev-wraps");
	focus_ok(&h, "focus none");
	CHECK(guests_follow_wait(follow, "event focus none", 5000, line, sizeof(line)),
		"no focus none event");
	expect_focus(&h, NULL, "none");

	char *reply = guests_control_reply(&h, "focus 3");
	CHECK(reply != NULL && strcmp(reply, "error focus: no guest at position 3 (2 on screen)\n") == 0,
		"focus 3 replied %s", reply != NULL ? reply : "nothing");
	free(reply);
	reply = guests_control_reply(&h, "focus nobody");
	CHECK(reply != NULL && strcmp(reply, "error focus: no guest or app 'nobody' on screen\n") == 0,
		"focus nobody replied %s", reply != NULL ? reply : "nothing");
	free(reply);
	focus_ok(&h, "focus right");
	expect_focus(&h, "right", "by-name");

	/* The default binding, typed on a virtual keyboard. */
	const char *super1[] = {"-M", "logo", "1", "-m", "logo", NULL};
	CHECK(guests_wtype(super1) == 0, "wtype failed");
	CHECK(guests_follow_wait(follow, "event focus label=left:0.0", 5000, line, sizeof(line)),
		"Super+1 did not focus left");
	expect_focus(&h, "left", "super-1");

	/* A click on the right guest: follows-click. */
	reply = guests_control_reply(&h, "input pointer 600 150");
	CHECK(reply != NULL && strcmp(reply, "ok\n") == 0, "input pointer replied %s", reply);
	free(reply);
	reply = guests_control_reply(&h, "input button left down");
	free(reply);
	reply = guests_control_reply(&h, "input button left up");
	free(reply);
	CHECK(guests_follow_wait(follow, "event focus label=right:0.0", 5000, line, sizeof(line)),
		"a click did not focus right");
	expect_focus(&h, "right", "click");

	/* The focused guest leaves the screen: nobody has the focus. */
	reply = guests_control_reply(&h, "layout left-only");
	free(reply);
	CHECK(guests_follow_wait(follow, "event focus none", 5000, line, sizeof(line)),
		"the hidden guest kept the focus");
	expect_focus(&h, NULL, "hidden");

	CHECK(WEXITSTATUS(proc_stop(left, SIGTERM, 10000)) == 0, "left exit status");
	CHECK(WEXITSTATUS(proc_stop(right, SIGTERM, 10000)) == 0, "right exit status");
	harness_stop(&h);
	printf("input-focus: ok\n");
	return 0;
}
