/*
 * Keyboard routing, typed with wtype (a Wayland virtual keyboard with a
 * keymap of its own): the text reaches the focused guest byte for byte, as
 * the key codes of the guests' (US) layout, and the other guest gets
 * nothing; a key held while the focus moves is released in the guest that
 * loses it and never reaches the new one; a focus binding is taken by
 * mosaic (the guest sees Super pressed and released, never the bound key).
 */
#include <linux/input-event-codes.h>
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
	"[[guest]]\n"
	"name = 'left'\n"
	"[[guest]]\n"
	"name = 'right'\n"
	"[[layout]]\n"
	"name = 'both'\n"
	"[[layout.surface]]\n"
	"guest = 'left'\n"
	"output = 'main'\n"
	"rect = [0, 0, 400, 300]\n"
	"[[layout.surface]]\n"
	"guest = 'right'\n"
	"output = 'main'\n"
	"rect = [400, 0, 400, 300]\n";

/* Linux key codes -> what they type on a US layout, without and with Shift. */
static const struct {
	int code;
	char lower, upper;
} us[] = {
	{KEY_1, '1', '!'}, {KEY_2, '2', '@'}, {KEY_3, '3', '#'}, {KEY_4, '4', '$'},
	{KEY_5, '5', '%'}, {KEY_6, '6', '^'}, {KEY_7, '7', '&'}, {KEY_8, '8', '*'},
	{KEY_9, '9', '('}, {KEY_0, '0', ')'}, {KEY_MINUS, '-', '_'}, {KEY_EQUAL, '=', '+'},
	{KEY_Q, 'q', 'Q'}, {KEY_W, 'w', 'W'}, {KEY_E, 'e', 'E'}, {KEY_R, 'r', 'R'},
	{KEY_T, 't', 'T'}, {KEY_Y, 'y', 'Y'}, {KEY_U, 'u', 'U'}, {KEY_I, 'i', 'I'},
	{KEY_O, 'o', 'O'}, {KEY_P, 'p', 'P'}, {KEY_LEFTBRACE, '[', '{'},
	{KEY_RIGHTBRACE, ']', '}'}, {KEY_A, 'a', 'A'}, {KEY_S, 's', 'S'}, {KEY_D, 'd', 'D'},
	{KEY_F, 'f', 'F'}, {KEY_G, 'g', 'G'}, {KEY_H, 'h', 'H'}, {KEY_J, 'j', 'J'},
	{KEY_K, 'k', 'K'}, {KEY_L, 'l', 'L'}, {KEY_SEMICOLON, ';', ':'},
	{KEY_APOSTROPHE, '\'', '"'}, {KEY_GRAVE, '`', '~'}, {KEY_BACKSLASH, '\\', '|'},
	{KEY_Z, 'z', 'Z'}, {KEY_X, 'x', 'X'}, {KEY_C, 'c', 'C'}, {KEY_V, 'v', 'V'},
	{KEY_B, 'b', 'B'}, {KEY_N, 'n', 'N'}, {KEY_M, 'm', 'M'}, {KEY_COMMA, ',', '<'},
	{KEY_DOT, '.', '>'}, {KEY_SLASH, '/', '?'}, {KEY_SPACE, ' ', ' '},
};

/* Reads the guest's key events until it has typed want (and let go of every key). */
static void expect_text(struct proc *guest, const char *want)
{
	char got[256] = "";
	size_t len = 0;
	bool shift = false;
	int held = 0;
	while (len < strlen(want) || held > 0) {
		struct kbd_event ev;
		CHECK(inputs_next_event(guest, 5000, &ev), "%s typed '%s' of '%s', then nothing",
			guest->name, got, want);
		CHECK(ev.type == KBD_KEY, "%s: %s", guest->name, ev.line);
		held += ev.down ? 1 : -1;
		CHECK(held >= 0, "%s: a key released twice: %s", guest->name, ev.line);
		if (ev.code == KEY_LEFTSHIFT || ev.code == KEY_RIGHTSHIFT) {
			shift = ev.down;
			continue;
		}
		if (!ev.down) {
			continue;
		}
		size_t i = 0;
		while (i < sizeof(us) / sizeof(us[0]) && us[i].code != ev.code) {
			i++;
		}
		CHECK(i < sizeof(us) / sizeof(us[0]), "%s: key %ld types nothing", guest->name, ev.code);
		CHECK(len + 1 < sizeof(got), "too much text");
		got[len++] = shift ? us[i].upper : us[i].lower;
		got[len] = '\0';
		CHECK(strncmp(got, want, len) == 0, "%s typed '%s', wanted '%s'", guest->name, got, want);
	}
	printf("input-keys: %s typed '%s'\n", guest->name, got);
}

static void type(const char *text)
{
	const char *args[] = {text, NULL};
	CHECK(guests_wtype(args) == 0, "wtype '%s' failed", text);
}

static void focus(struct harness *h, const char *guest)
{
	char request[64];
	snprintf(request, sizeof(request), "focus %s", guest);
	char *reply = guests_control_reply(h, request);
	CHECK(reply != NULL && strncmp(reply, "focus ", 6) == 0 && strstr(reply, "\nok\n") != NULL,
		"%s: %s", request, reply != NULL ? reply : "no reply");
	free(reply);
}

int main(void)
{
	const char *layout = inputs_write_layout("keys.toml", layout_text);

	struct harness h;
	const char *args[] = {"--layout", layout, "--size", "800x300", NULL};
	harness_start(&h, args);
	const char *vkb = "backend-type=linux,feature-abs-pointer=1,width=320,height=240";
	inputs_create_guest(&h, 1, "left", "l0:320x240", vkb);
	inputs_create_guest(&h, 2, "right", "r0:320x240", vkb);
	const char *guest_args[] = {"--fps", "30", "--vkb", "0", NULL};
	struct proc *left = harness_spawn_guest(&h, 1, "left", guest_args);
	struct proc *right = harness_spawn_guest(&h, 2, "right", guest_args);
	struct view_info v;
	guests_wait_view(&h, "left", "HEADLESS-1", 0, "left", NULL, &v);
	guests_wait_view(&h, "right", "HEADLESS-1", 0, "right", NULL, &v);
	inputs_wait_connected(&h, 2);

	/* Text to the focused guest, byte for byte. */
	focus(&h, "left");
	type("Hello, World! 123 ~:\"{}|?");
	expect_text(left, "Hello, World! 123 ~:\"{}|?");
	/* The first thing the other guest ever gets is what is typed after it has the focus. */
	focus(&h, "right");
	type("x");
	expect_text(right, "x");
	focus(&h, "left");
	type("y");
	expect_text(left, "y");

	/* A key held across a focus change: released in left, never seen by right. */
	const char *hold[] = {"-P", "a", "-s", "1500", "-p", "a", NULL};
	struct proc *holder = guests_wtype_spawn(hold);
	inputs_expect_key(left, KEY_A, true);
	focus(&h, "right");
	inputs_expect_key(left, KEY_A, false);
	CHECK(proc_wait_exit(holder, 10000) == 0, "wtype -P a -p a failed");
	type("z");
	expect_text(right, "z");
	focus(&h, "left");
	type("q");
	expect_text(left, "q");
	printf("input-keys: a held key was released on focus loss\n");

	/* Super+2 (a default binding) moves the focus; the 2 reaches nobody. */
	const char *super2[] = {"-M", "logo", "2", "-m", "logo", NULL};
	CHECK(guests_wtype(super2) == 0, "wtype Super+2 failed");
	inputs_expect_key(left, KEY_LEFTMETA, true);
	inputs_expect_key(left, KEY_LEFTMETA, false);
	type("w");
	expect_text(right, "w");
	focus(&h, "left");
	type("e");
	expect_text(left, "e");
	printf("input-keys: Super+2 was mosaic's\n");

	/* No focus: keys go nowhere. */
	focus(&h, "none");
	type("nothing");
	focus(&h, "right");
	type("r");
	expect_text(right, "r");
	focus(&h, "left");
	type("l");
	expect_text(left, "l");

	CHECK(WEXITSTATUS(proc_stop(left, SIGTERM, 10000)) == 0, "left exit status");
	CHECK(WEXITSTATUS(proc_stop(right, SIGTERM, 10000)) == 0, "right exit status");
	harness_stop(&h);
	printf("input-keys: ok\n");
	return 0;
}
