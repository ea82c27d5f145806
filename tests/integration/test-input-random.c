/*
 * 10,000 random focus switches (between two guests with keyboards, one
 * without, and nobody) interleaved with random key presses and releases
 * sent through mosaicctl's `input key`. A model of the rules predicts every
 * event each guest must get: a key goes to the focused guest only, a
 * release only where the press went, and a guest losing the focus gets a
 * release for each key it holds, in key code order. Each guest's log must
 * be exactly the prediction: any key delivered to a guest without the
 * focus, lost, or left pressed fails the test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

#define SWITCHES 10000
#define KEYS 12 /* distinct keys: few, so that many are held at once */
#define BATCH 64

enum { NOBODY = -1, GUESTS = 3 }; /* guest 2 has no keyboard */

struct expected {
	long code;
	bool down;
};

struct model {
	int focus;
	bool held[KEYS];            // on the keyboard
	bool pressed[GUESTS][KEYS]; // what each guest was told
	struct expected *events[GUESTS];
	size_t len[GUESTS], cap[GUESTS];
};

static const long codes[KEYS] = {16, 17, 18, 19, 20, 21, 30, 31, 32, 42, 29, 57};

static void expect(struct model *m, int guest, long code, bool down)
{
	if (m->len[guest] == m->cap[guest]) {
		m->cap[guest] = m->cap[guest] ? 2 * m->cap[guest] : 1024;
		m->events[guest] = realloc(m->events[guest], m->cap[guest] * sizeof(struct expected));
		CHECK(m->events[guest] != NULL, "out of memory");
	}
	m->events[guest][m->len[guest]++] = (struct expected){code, down};
}

static bool has_keyboard(int guest)
{
	return guest == 0 || guest == 1;
}

static void model_focus(struct model *m, int guest)
{
	if (guest == m->focus) {
		return;
	}
	if (m->focus != NOBODY) {
		/* In code order, as mosaic walks them. */
		long order[KEYS];
		int n = 0;
		for (int k = 0; k < KEYS; k++) {
			if (m->pressed[m->focus][k]) {
				order[n++] = k;
			}
		}
		for (int i = 0; i < n; i++) {
			for (int j = i + 1; j < n; j++) {
				if (codes[order[j]] < codes[order[i]]) {
					long t = order[i];
					order[i] = order[j];
					order[j] = t;
				}
			}
		}
		for (int i = 0; i < n; i++) {
			m->pressed[m->focus][order[i]] = false;
			expect(m, m->focus, codes[order[i]], false);
		}
	}
	m->focus = guest;
}

static void model_key(struct model *m, int k, bool down)
{
	m->held[k] = down;
	int g = m->focus;
	if (g == NOBODY || !has_keyboard(g)) {
		return;
	}
	if (!down && !m->pressed[g][k]) {
		return;
	}
	m->pressed[g][k] = down;
	expect(m, g, codes[k], down);
}

static const char *const names[GUESTS] = {"one", "two", "mute"};

int main(void)
{
	unsigned seed = getenv("INPUT_SEED") != NULL ? (unsigned)atoi(getenv("INPUT_SEED")) : 20261124;
	srand(seed);
	printf("input-random: seed %u (INPUT_SEED=N repeats a run)\n", seed);

	struct harness h;
	const char *args[] = {"--size", "960x300", NULL};
	harness_start(&h, args);
	const char *vkb = "backend-type=linux";
	inputs_create_guest(&h, 1, "one", "c0:320x240", vkb);
	inputs_create_guest(&h, 2, "two", "c0:320x240", vkb);
	harness_create_guest(&h, 3, "mute", "c0:320x240");
	const char *with_vkb[] = {"--fps", "10", "--vkb", "0", NULL};
	const char *without[] = {"--fps", "10", NULL};
	struct proc *guests[GUESTS];
	for (int g = 0; g < GUESTS; g++) {
		guests[g] = harness_spawn_guest(&h, g + 1, names[g], has_keyboard(g) ? with_vkb : without);
	}
	inputs_wait_connected(&h, 2);
	/* Every guest on screen, so that focus can go to each. */
	for (int tries = 0;; tries++) {
		char *reply = guests_control_reply(&h, "focus 3");
		bool ok = reply != NULL && strncmp(reply, "focus ", 6) == 0;
		free(reply);
		if (ok) {
			break;
		}
		CHECK(tries < 200, "three guests never were on screen");
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}

	struct ctl c;
	ctl_open(&h, &c);
	struct model m = {.focus = NOBODY};
	ctl_ok(&c, "focus none");
	int switches = 0, keys = 0, pending = 0;
	while (switches < SWITCHES) {
		int r = rand() % 100;
		if (r < 40) {
			int g = rand() % (GUESTS + 1) - 1;
			ctl_send(&c, "focus %s", g == NOBODY ? "none" : names[g]);
			model_focus(&m, g);
			switches++;
		} else {
			int k = rand() % KEYS;
			bool down = !m.held[k];
			ctl_send(&c, "input key %ld %s", codes[k], down ? "down" : "up");
			model_key(&m, k, down);
			keys++;
		}
		/* A window of requests in flight; the replies are checked in order. */
		if (++pending == BATCH) {
			for (; pending > 0; pending--) {
				ctl_reply(&c, false, NULL, 0);
			}
		}
	}
	/* Let go of everything, then nobody: no key may stay pressed anywhere. */
	for (int k = 0; k < KEYS; k++) {
		if (m.held[k]) {
			ctl_send(&c, "input key %ld up", codes[k]);
			model_key(&m, k, false);
			pending++;
		}
	}
	ctl_send(&c, "focus none");
	model_focus(&m, NOBODY);
	pending++;
	for (; pending > 0; pending--) {
		ctl_reply(&c, false, NULL, 0);
	}
	ctl_close(&c);
	printf("input-random: %d focus switches, %d key presses and releases sent\n", switches, keys);

	for (int g = 0; g < GUESTS; g++) {
		bool pressed[KEYS] = {false};
		for (size_t i = 0; i < m.len[g]; i++) {
			struct kbd_event ev;
			CHECK(inputs_next_event(guests[g], 10000, &ev), "%s: event %zu of %zu missing",
				names[g], i, m.len[g]);
			const struct expected *want = &m.events[g][i];
			CHECK(ev.type == KBD_KEY && ev.code == want->code && ev.down == want->down,
				"%s: event %zu is '%s', wanted key %ld %s", names[g], i, ev.line, want->code,
				want->down ? "down" : "up");
			for (int k = 0; k < KEYS; k++) {
				if (codes[k] == ev.code) {
					pressed[k] = ev.down;
				}
			}
		}
		for (int k = 0; k < KEYS; k++) {
			CHECK(!pressed[k], "%s: key %ld left pressed", names[g], codes[k]);
		}
		printf("input-random: %s got exactly the %zu events predicted\n", names[g], m.len[g]);
	}
	/* Nothing more: a marker typed now is the next thing the guest sees. */
	for (int g = 0; g < 2; g++) {
		char request[64];
		snprintf(request, sizeof(request), "focus %s", names[g]);
		free(guests_control_reply(&h, request));
		free(guests_control_reply(&h, "input key 48 down"));
		free(guests_control_reply(&h, "input key 48 up"));
		inputs_expect_key(guests[g], 48, true);
		inputs_expect_key(guests[g], 48, false);
		free(m.events[g]);
	}
	free(m.events[2]);
	CHECK(m.len[2] == 0, "the guest without a keyboard was predicted events");

	for (int g = 0; g < GUESTS; g++) {
		CHECK(WEXITSTATUS(proc_stop(guests[g], SIGTERM, 10000)) == 0, "%s exit status",
			names[g]);
	}
	harness_stop(&h);
	printf("input-random: ok\n");
	return 0;
}
