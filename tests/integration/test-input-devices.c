/*
 * What each kind of guest input device gets: relative motion for a guest
 * that asked for no absolute pointer, 0..0x7fff coordinates for one that
 * asked for raw ones, a touch as the pointer with its left button for one
 * without multi-touch; and a touch screen glued by [[touch]] to the second
 * output, whose touches land on that output's guests, never on the first's.
 */
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'first'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"position = [0, 0]\n"
	"[[output]]\n"
	"name = 'second'\n"
	"match = { connector = 'HEADLESS-2' }\n"
	"position = [640, 0]\n"
	"[[guest]]\n"
	"name = 'rel'\n"
	"[[guest]]\n"
	"name = 'raw'\n"
	"[[guest]]\n"
	"name = 'single'\n"
	"[[guest]]\n"
	"name = 'far'\n"
	"[[layout]]\n"
	"name = 'all'\n"
	"[[layout.surface]]\n"
	"guest = 'rel'\n"
	"output = 'first'\n"
	"rect = [0, 0, 320, 240]\n"
	"[[layout.surface]]\n"
	"guest = 'raw'\n"
	"output = 'first'\n"
	"rect = [320, 0, 320, 240]\n"
	"[[layout.surface]]\n"
	"guest = 'single'\n"
	"output = 'second'\n"
	"rect = [0, 240, 320, 240]\n"
	"[[layout.surface]]\n"
	"guest = 'far'\n"
	"output = 'second'\n"
	"rect = [0, 0, 320, 240]\n"
	"[[touch]]\n"
	"device = 'mosaic-control'\n"
	"output = 'second'\n";

static void expect(struct proc *guest, const char *want)
{
	struct kbd_event ev;
	CHECK(inputs_next_event(guest, 5000, &ev), "%s: nothing (wanted '%s')", guest->name, want);
	const char *got = strstr(ev.line, ": kbd ") + 6;
	CHECK(strcmp(got, want) == 0, "%s: got '%s', wanted '%s'", guest->name, got, want);
}

int main(void)
{
	const char *layout = inputs_write_layout("devices.toml", layout_text);

	struct harness h;
	const char *args[] = {"--layout", layout, "--size", "640x480", "--outputs", "2", NULL};
	harness_start(&h, args);
	const struct {
		const char *name, *vkb, *option;
	} guests[] = {
		{"rel", "backend-type=linux", "--vkb-relative"},
		{"raw", "backend-type=linux,feature-abs-pointer=1,feature-raw-pointer=1", "--vkb-raw"},
		{"single", "backend-type=linux,feature-abs-pointer=1,width=320,height=240", NULL},
		{"far", "backend-type=linux,feature-multi-touch=1,multi-touch-width=640,"
			"multi-touch-height=480,multi-touch-num-contacts=1",
			NULL},
	};
	struct proc *procs[4];
	for (int g = 0; g < 4; g++) {
		inputs_create_guest(&h, g + 1, guests[g].name, "c0:320x240", guests[g].vkb);
		const char *guest_args[] = {"--fps", "10", "--vkb", "0", guests[g].option, NULL};
		procs[g] = harness_spawn_guest(&h, g + 1, guests[g].name, guest_args);
	}
	struct view_info v;
	for (int g = 0; g < 4; g++) {
		guests_wait_view(&h, guests[g].name, g >= 2 ? "HEADLESS-2" : "HEADLESS-1", 0,
			guests[g].name, NULL, &v);
	}
	inputs_wait_connected(&h, 4);
	char *reply = guests_control_reply(&h, "inputs");
	CHECK(reply != NULL &&
			strstr(reply, "domid=1 kind=vinput dev=0 state=connected keyboard=1 "
				      "pointer=relative") != NULL &&
			strstr(reply, "domid=2 kind=vinput dev=0 state=connected keyboard=1 "
				      "pointer=raw range=32768x32768") != NULL &&
			strstr(reply, "touch=1 contacts=1 touch-size=640x480") != NULL,
		"inputs: %s", reply != NULL ? reply : "no reply");
	free(reply);


	/* Relative: the motion itself. The pointer starts at 0,0. */
	inputs_request(&h, "input pointer 100 100");
	expect(procs[0], "motion 100 100 0");
	inputs_request(&h, "input pointer 110 95");
	expect(procs[0], "motion 10 -5 0");
	inputs_request(&h, "input wheel -1");
	expect(procs[0], "motion 0 0 -1");

	/* Raw: 0..0x7fff over the connector. */
	inputs_request(&h, "input pointer 480 120");
	expect(procs[1], "pos 16384 16384 0");
	inputs_request(&h, "input pointer 639 239");
	expect(procs[1], "pos 32665 32631 0");

	/* No multi-touch: one touch is the pointer with its left button (touches: second output). */
	inputs_request(&h, "input touch down 1 160 360");
	inputs_request(&h, "input touch frame");
	expect(procs[2], "pos 160 120 0");
	expect(procs[2], "key 272 down");
	inputs_request(&h, "input touch motion 1 170 370");
	inputs_request(&h, "input touch frame");
	expect(procs[2], "pos 170 130 0");
	inputs_request(&h, "input touch up 1");
	inputs_request(&h, "input touch frame");
	expect(procs[2], "key 272 up");

	/* Glued to the second output: 100,100 there is "far"'s, in its 640x480 units. */
	inputs_request(&h, "input touch down 2 100 100");
	inputs_request(&h, "input touch frame");
	expect(procs[3], "mt 0 down 200 200");
	expect(procs[3], "mt 0 syn");
	inputs_request(&h, "input touch up 2");
	inputs_request(&h, "input touch frame");
	expect(procs[3], "mt 0 up");
	expect(procs[3], "mt 0 syn");
	/* ... and "rel", under 100,100 of the whole layout, got nothing: its next event is this. */
	inputs_request(&h, "input pointer 10 10");
	expect(procs[0], "motion -629 -229 0");
	printf("input-devices: relative, raw, single touch and a glued touch screen ok\n");

	for (int g = 0; g < 4; g++) {
		CHECK(WEXITSTATUS(proc_stop(procs[g], SIGTERM, 10000)) == 0, "%s exit status",
			guests[g].name);
	}
	harness_stop(&h);
	printf("input-devices: ok\n");
	return 0;
}
