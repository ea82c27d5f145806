/*
 * The PV input backend on its own, driven through vkbd_* as input
 * routing drives it, against the simulated hypervisor and virtual guests
 * that print every kbdif event they consume. This program plays dom0: it
 * runs the backend in its own event loop.
 *
 * - Devices of both backend types connect with what the toolstack and the
 *   guest said: keyboard, absolute, raw or relative pointer, multi-touch.
 * - Keys, positions (clamped to the range the guest asked for), motion and
 *   touch arrive as sent, only at the guest they were sent to; what a
 *   guest cannot take is refused.
 * - A guest that consumes slowly gets 3000 keys in order, none dropped.
 * - A guest that stops consuming: motion merges while queued; 10,000 keys
 *   fill the ring and the queue, the rest is dropped with one log line;
 *   once it resumes it gets what was taken, in order, then the releases of
 *   what it still held; nothing stays pressed.
 * - Hostile frontends (page-gref never granted, no event channel, page-ref
 *   alone, a consumer index ahead of ours) get a XenBus error while
 *   another guest keeps receiving.
 * - Guests destroyed or crashing while events are sent to them go away
 *   cleanly: no page of theirs stays mapped, nothing leaks (ASan).
 */
#include <linux/input-event-codes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>

#include "harness.h"
#include "input-routing/vkbd.h"
#include "protocol/evtchn.h"
#include "protocol/xenstore.h"

static struct wl_event_loop *loop;
static struct harness h;

/* --- The backend's log, counted where the test cares --- */

static int log_dropping, log_again;
static char log_again_line[512];

static void handle_log(enum wlr_log_importance importance, const char *fmt, va_list args)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, args);
	if (strstr(line, "not consuming input") != NULL) {
		log_dropping++;
	}
	if (strstr(line, "consuming input again") != NULL) {
		log_again++;
		snprintf(log_again_line, sizeof(log_again_line), "%s", line);
	}
	if (importance <= WLR_INFO) {
		fprintf(stderr, "%6.2f [backend] %s\n", now_ms() / 1000.0, line);
	}
}

/* --- Every vkbd_device the manager announced, and what happened to it --- */

struct tracked {
	struct vkbd_device *input; // NULL once destroyed
	uint32_t domid, devid;
	int connects, disconnects;
	bool destroyed;
	struct wl_listener connect, disconnect, destroy;
	struct wl_list link;
};

static struct wl_list tracked_inputs;
static struct wl_listener new_input;

static void tracked_handle_connect(struct wl_listener *listener, void *data)
{
	struct tracked *t = wl_container_of(listener, t, connect);
	CHECK(t->input->connected, "connect signal while not connected");
	t->connects++;
}

static void tracked_handle_disconnect(struct wl_listener *listener, void *data)
{
	struct tracked *t = wl_container_of(listener, t, disconnect);
	CHECK(!t->input->connected, "disconnect signal while connected");
	CHECK(!vkbd_send_key(t->input, KEY_A, false), "a key sent while disconnecting");
	t->disconnects++;
}

static void tracked_handle_destroy(struct wl_listener *listener, void *data)
{
	struct tracked *t = wl_container_of(listener, t, destroy);
	wl_list_remove(&t->connect.link);
	wl_list_remove(&t->disconnect.link);
	wl_list_remove(&t->destroy.link);
	t->input = NULL;
	t->destroyed = true;
}

static void handle_new_input(struct wl_listener *listener, void *data)
{
	struct vkbd_device *input = data;
	struct tracked *t = calloc(1, sizeof(*t));
	CHECK(t != NULL, "out of memory");
	t->input = input;
	t->domid = input->domid;
	t->devid = input->devid;
	t->connect.notify = tracked_handle_connect;
	wl_signal_add(&input->events.connect, &t->connect);
	t->disconnect.notify = tracked_handle_disconnect;
	wl_signal_add(&input->events.disconnect, &t->disconnect);
	t->destroy.notify = tracked_handle_destroy;
	wl_signal_add(&input->events.destroy, &t->destroy);
	wl_list_insert(tracked_inputs.prev, &t->link);
}

static struct tracked *find_tracked(uint32_t domid)
{
	struct tracked *t, *found = NULL;
	wl_list_for_each(t, &tracked_inputs, link)
	{
		if (t->domid == domid) {
			found = t; // the latest
		}
	}
	CHECK(found != NULL, "no vkbd_device for domain %u", domid);
	return found;
}

static struct vkbd_device *input_of(uint32_t domid)
{
	struct tracked *t = find_tracked(domid);
	CHECK(t->input != NULL, "the vkbd_device of domain %u is gone", domid);
	return t->input;
}

/* --- The event loop, run while waiting for anything --- */

static void pump(int ms)
{
	int64_t deadline = now_ms() + ms;
	do {
		int64_t left = deadline - now_ms();
		wl_event_loop_dispatch(loop, left > 0 ? (int)left : 0);
	} while (now_ms() < deadline);
}

static int run_xensim(const char *const args[])
{
	struct proc *p = harness_spawn_xensim(&h, args);
	int64_t deadline = now_ms() + 30000;
	for (;;) {
		pump(10);
		int status = proc_wait_exit(p, 0);
		if (status != -1) {
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		}
		CHECK(now_ms() < deadline, "xensim %s did not finish", args[0]);
	}
}

struct guest {
	int domid;
	const char *name;
	struct proc *proc;
	bool eof;
	long lines;
};

/* The guest's next line, without its "vguest NAME: " prefix, serving the backend meanwhile. */
static bool next_line(struct guest *g, int timeout_ms, char *line, size_t size, bool echo)
{
	struct proc *p = g->proc;
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		if (nl != NULL) {
			*nl = '\0';
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "vguest %s: ", g->name);
			const char *text = p->buf;
			if (strncmp(text, prefix, strlen(prefix)) == 0) {
				text += strlen(prefix);
			}
			snprintf(line, size, "%s", text);
			if (echo) {
				fprintf(stderr, "%6.2f [%s] %s\n", now_ms() / 1000.0, g->name,
					text);
			}
			size_t used = (size_t)(nl - p->buf) + 1;
			memmove(p->buf, p->buf + used, p->len - used);
			p->len -= used;
			g->lines++;
			return true;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0 || g->eof) {
			return false;
		}
		struct pollfd pfd[2] = {
			{.fd = p->out_fd, .events = POLLIN},
			{.fd = wl_event_loop_get_fd(loop), .events = POLLIN},
		};
		poll(pfd, 2, left < 10 ? (int)left : 10);
		wl_event_loop_dispatch(loop, 0);
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			if (p->len == sizeof(p->buf) - 1) {
				p->len = 0;
			}
			ssize_t n = read(p->out_fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
			if (n <= 0) {
				g->eof = true;
			} else {
				p->len += (size_t)n;
			}
		}
	}
}

static void expect_line(struct guest *g, const char *want)
{
	char line[512];
	CHECK(next_line(g, 15000, line, sizeof(line), true), "%s: no line, expected '%s'", g->name,
		want);
	CHECK(strcmp(line, want) == 0, "%s: '%s', expected '%s'", g->name, line, want);
}

static void expect_linef(struct guest *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void expect_linef(struct guest *g, const char *fmt, ...)
{
	char want[512];
	va_list args;
	va_start(args, fmt);
	vsnprintf(want, sizeof(want), fmt, args);
	va_end(args);
	expect_line(g, want);
}

/* Waits for a line starting with prefix, any others before it being failures. */
static void expect_prefix(struct guest *g, const char *prefix, char *line, size_t size)
{
	CHECK(next_line(g, 15000, line, size, true), "%s: no line, expected '%s...'", g->name,
		prefix);
	CHECK(strncmp(line, prefix, strlen(prefix)) == 0, "%s: '%s', expected '%s...'", g->name,
		line, prefix);
}

static void create_domain(int domid, const char *name, const char *vkb)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", domid);
	const char *args[] = {"create", "--domid", id, "--name", name, "--vkb", vkb, NULL};
	CHECK(run_xensim(args) == 0, "cannot create domain %s", name);
}

static struct guest *start_guest(
	int domid, const char *name, const char *vkb, const char *const extra[])
{
	create_domain(domid, name, vkb);
	const char *args[16] = {"--vkb", "0", "--no-display"};
	int n = 3;
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 15; i++) {
		args[n++] = extra[i];
	}
	args[n] = NULL;
	struct guest *g = calloc(1, sizeof(*g));
	CHECK(g != NULL, "out of memory");
	g->domid = domid;
	g->name = name;
	g->proc = harness_spawn_guest(&h, domid, name, args);
	return g;
}

static void send_key(uint32_t domid, uint32_t code, bool pressed)
{
	CHECK(vkbd_send_key(input_of(domid), code, pressed), "domain %u: key %u refused", domid,
		code);
}

/* Closes the guest with SIGTERM (and frees g): it must have seen no error and hold nothing down. */
static void stop_guest(struct guest *g, long events)
{
	kill(g->proc->pid, SIGTERM);
	char line[512];
	expect_prefix(g, "kbd closed ", line, sizeof(line));
	char want[128];
	snprintf(want, sizeof(want), "kbd closed events=%ld errors=0 held=0", events);
	CHECK(events < 0 || strcmp(line, want) == 0, "%s: '%s', expected '%s'", g->name, line,
		want);
	CHECK(strstr(line, " errors=0 held=0") != NULL, "%s: %s", g->name, line);
	int status = -1;
	for (int64_t until = now_ms() + 10000; status == -1 && now_ms() < until;) {
		pump(10);
		status = proc_wait_exit(g->proc, 0);
	}
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: exit status %#x",
		g->name, status);
	free(g);
}

/* --- The parts of the test --- */

static struct guest *touch, *raw, *rel;
static long touch_events, raw_events, rel_events;

static void test_connect(void)
{
	/* What real xl writes for vkb = ['backend-type=linux,...'], multi-touch added. */
	touch = start_guest(1, "touch",
		"backend-type=linux,feature-abs-pointer=1,width=1024,height=768,"
		"feature-multi-touch=1,multi-touch-width=640,multi-touch-height=480,"
		"multi-touch-num-contacts=2,unique-id=T:c0",
		NULL);
	/* libxl's default backend type (qemu) and no keys at all: the backend offers. */
	const char *raw_args[] = {"--vkb-raw", NULL};
	raw = start_guest(2, "raw", "backend-type=qemu", raw_args);
	const char *rel_args[] = {"--vkb-relative", NULL};
	rel = start_guest(3, "rel", "backend-type=linux,width=300,height=200", rel_args);

	expect_line(touch, "kbd connected keyboard=1 pointer=1 abs=1 raw=0 width=1024 height=768 "
			   "mt=1 mt-width=640 mt-height=480 contacts=2");
	expect_line(raw, "kbd connected keyboard=1 pointer=1 abs=1 raw=1 width=800 height=600 "
			 "mt=0 mt-width=0 mt-height=0 contacts=0");
	expect_line(rel, "kbd connected keyboard=1 pointer=1 abs=0 raw=0 width=300 height=200 "
			 "mt=0 mt-width=0 mt-height=0 contacts=0");

	struct vkbd_device *t = input_of(1), *r = input_of(2), *l = input_of(3);
	CHECK(strcmp(t->kind, "vinput") == 0 && strcmp(r->kind, "vkbd") == 0 &&
			strcmp(l->kind, "vinput") == 0,
		"kinds %s %s %s", t->kind, r->kind, l->kind);
	CHECK(t->unique_id != NULL && strcmp(t->unique_id, "T:c0") == 0 && r->unique_id == NULL,
		"unique ids");
	CHECK(t->connected && t->keyboard && t->pointer && t->abs_pointer && !t->raw_pointer &&
			t->multi_touch && t->width == 1024 && t->height == 768 &&
			t->mt_width == 640 && t->mt_height == 480 && t->mt_contacts == 2,
		"touch: %d %d %d %d %d %d %dx%d mt %dx%d/%d", t->connected, t->keyboard, t->pointer,
		t->abs_pointer, t->raw_pointer, t->multi_touch, t->width, t->height, t->mt_width,
		t->mt_height, t->mt_contacts);
	CHECK(r->connected && r->abs_pointer && r->raw_pointer && !r->multi_touch &&
			r->width == 800 && r->height == 600,
		"raw: abs %d raw %d mt %d %dx%d", r->abs_pointer, r->raw_pointer, r->multi_touch,
		r->width, r->height);
	CHECK(l->connected && !l->abs_pointer && !l->raw_pointer, "rel: abs %d", l->abs_pointer);
	CHECK(find_tracked(1)->connects == 1 && find_tracked(2)->connects == 1, "connect signals");

	int32_t w, hh;
	vkbd_abs_range(t, &w, &hh);
	CHECK(w == 1024 && hh == 768, "touch range %dx%d", w, hh);
	vkbd_abs_range(r, &w, &hh);
	CHECK(w == XENKBD_ABS_MAX + 1 && hh == XENKBD_ABS_MAX + 1, "raw range %dx%d", w, hh);

	/* What the backend offered where the toolstack said nothing; what it said stays. */
	struct xenstore *store = t->manager->store;
	char *v = xenstore_read(store, "/local/domain/0/backend/vkbd/2/0/feature-abs-pointer");
	CHECK(v != NULL && strcmp(v, "1") == 0, "vkbd/2/0 feature-abs-pointer: %s", v);
	free(v);
	v = xenstore_read(store, "/local/domain/0/backend/vinput/1/0/feature-raw-pointer");
	CHECK(v != NULL && strcmp(v, "1") == 0, "vinput/1/0 feature-raw-pointer: %s", v);
	free(v);
	v = xenstore_read(store, "/local/domain/0/backend/vkbd/2/0/feature-multi-touch");
	CHECK(v == NULL, "multi-touch offered unasked: %s", v);
	free(v);
}

static void test_events(void)
{
	/* "Hello" to touch only: the others' next event is the marker sent to them. */
	static const uint32_t hello[] = {KEY_H, KEY_E, KEY_L, KEY_L, KEY_O};
	send_key(1, KEY_LEFTSHIFT, true);
	send_key(1, KEY_H, true);
	send_key(1, KEY_H, false);
	send_key(1, KEY_LEFTSHIFT, false);
	for (int i = 1; i < 5; i++) {
		send_key(1, hello[i], true);
		send_key(1, hello[i], false);
	}
	send_key(2, KEY_SPACE, true);
	send_key(3, KEY_ENTER, true);
	expect_linef(touch, "kbd key %d down", KEY_LEFTSHIFT);
	expect_linef(touch, "kbd key %d down", KEY_H);
	expect_linef(touch, "kbd key %d up", KEY_H);
	expect_linef(touch, "kbd key %d up", KEY_LEFTSHIFT);
	for (int i = 1; i < 5; i++) {
		expect_linef(touch, "kbd key %u down", hello[i]);
		expect_linef(touch, "kbd key %u up", hello[i]);
	}
	expect_linef(raw, "kbd key %d down", KEY_SPACE);
	expect_linef(rel, "kbd key %d down", KEY_ENTER);
	send_key(2, KEY_SPACE, false);
	send_key(3, KEY_ENTER, false);
	expect_linef(raw, "kbd key %d up", KEY_SPACE);
	expect_linef(rel, "kbd key %d up", KEY_ENTER);
	touch_events += 12;
	raw_events += 2;
	rel_events += 2;

	/* What a guest cannot take is refused, and nothing reaches it. */
	struct vkbd_device *t = input_of(1), *r = input_of(2), *l = input_of(3);
	CHECK(!vkbd_send_key(t, 0, true) && !vkbd_send_key(t, KEY_MAX, true) &&
			!vkbd_send_key(t, 0x10000, true),
		"key codes outside 1..KEY_MAX-1 accepted");
	CHECK(!vkbd_send_motion(t, 1, 1, 0), "relative motion to an absolute pointer accepted");
	CHECK(!vkbd_send_position(l, 1, 1, 0), "a position to a relative pointer accepted");
	CHECK(!vkbd_send_touch_down(r, 0, 1, 1), "a touch without multi-touch accepted");
	CHECK(!vkbd_send_touch_down(t, 2, 1, 1) && !vkbd_send_touch_down(t, -1, 1, 1),
		"a contact beyond multi-touch-num-contacts accepted");

	/* Positions, clamped to the range each guest asked for. */
	CHECK(vkbd_send_position(t, 512, 384, 0) && vkbd_send_position(t, 5000, -3, -1),
		"positions refused");
	CHECK(vkbd_send_position(r, 16384, 32767, 1) && vkbd_send_position(r, 40000, 5, 0),
		"raw positions refused");
	CHECK(vkbd_send_motion(l, 5, -7, 1) && vkbd_send_key(l, BTN_LEFT, true) &&
			vkbd_send_key(l, BTN_LEFT, false),
		"motion and buttons refused");
	expect_line(touch, "kbd pos 512 384 0");
	expect_line(touch, "kbd pos 1023 0 -1");
	expect_line(raw, "kbd pos 16384 32767 1");
	expect_line(raw, "kbd pos 32767 5 0");
	expect_line(rel, "kbd motion 5 -7 1");
	expect_linef(rel, "kbd key %d down", BTN_LEFT);
	expect_linef(rel, "kbd key %d up", BTN_LEFT);
	touch_events += 2;
	raw_events += 2;
	rel_events += 3;

	/* Two contacts, each its own slot, frames, clamping. */
	CHECK(vkbd_send_touch_down(t, 0, 10, 20) && vkbd_send_touch_down(t, 1, 639, 479) &&
			vkbd_send_touch_frame(t, 1) && vkbd_send_touch_motion(t, 0, 11, 21) &&
			vkbd_send_touch_frame(t, 0) && vkbd_send_touch_up(t, 0) &&
			vkbd_send_touch_frame(t, 0) && vkbd_send_touch_motion(t, 1, 700, -5) &&
			vkbd_send_touch_up(t, 1) && vkbd_send_touch_frame(t, 1),
		"touch events refused");
	static const char *const touches[] = {"kbd mt 0 down 10 20", "kbd mt 1 down 639 479",
		"kbd mt 1 syn", "kbd mt 0 motion 11 21", "kbd mt 0 syn", "kbd mt 0 up",
		"kbd mt 0 syn", "kbd mt 1 motion 639 0", "kbd mt 1 up", "kbd mt 1 syn"};
	for (size_t i = 0; i < sizeof(touches) / sizeof(touches[0]); i++) {
		expect_line(touch, touches[i]);
	}
	touch_events += 10;
}

/* A guest consuming one event a millisecond: the queue takes 3000 keys, all delivered in order. */
static void test_slow(void)
{
	const char *args[] = {"--vkb-delay-ms", "1", NULL};
	struct guest *slow = start_guest(4, "slow", "backend-type=linux", args);
	char line[512];
	expect_prefix(slow, "kbd connected ", line, sizeof(line));
	struct vkbd_device *s = input_of(4);
	for (int i = 0; i < 3000; i++) {
		send_key(4, 2 + (uint32_t)(i / 2) % 200, i % 2 == 0);
	}
	uint32_t queued = s->ring.count;
	fprintf(stderr, "slow: %u of 3000 queued behind the ring\n", queued);
	CHECK(queued > 1000, "only %u queued: the guest is not slow", queued);
	int64_t start = now_ms();
	for (int i = 0; i < 3000; i++) {
		char want[64];
		snprintf(want, sizeof(want), "kbd key %u %s", 2 + (i / 2) % 200,
			i % 2 == 0 ? "down" : "up");
		CHECK(next_line(slow, 30000, line, sizeof(line), i < 3 || i == 2999),
			"slow: event %d missing", i);
		CHECK(strcmp(line, want) == 0, "slow: event %d is '%s', expected '%s'", i, line,
			want);
	}
	fprintf(stderr, "slow: 3000 events in %.1f s\n", (now_ms() - start) / 1000.0);
	CHECK(s->ring.dropped == 0 && log_dropping == 0, "events dropped");
	/* It also hears from another guest meanwhile. */
	send_key(1, KEY_Q, true);
	send_key(1, KEY_Q, false);
	expect_linef(touch, "kbd key %d down", KEY_Q);
	expect_linef(touch, "kbd key %d up", KEY_Q);
	touch_events += 2;
	stop_guest(slow, 3000);
}

/*
 * A guest that stops consuming. 60 motions: 51 fill the ring, 9 merge into
 * one queued; five keys queue; 100 motions merge into one. 10,000 keys:
 * 4089 more fit the queue, the rest is dropped, and shift's release too.
 */
/* The flood's keys: pairs of press and release, codes 2..41, not shift's 42. */
#define STALL_KEY(i) (2 + (uint32_t)((i) / 2) % 40)

static void test_stall(void)
{
	const char *args[] = {"--vkb-relative", "--misbehave", "kbd-stall", NULL};
	struct guest *stall = start_guest(5, "stall", "backend-type=qemu", args);
	char line[512];
	expect_prefix(stall, "kbd connected ", line, sizeof(line));
	struct vkbd_device *s = input_of(5);
	for (int i = 0; i < 60; i++) {
		CHECK(vkbd_send_motion(s, 1, 1, 0), "motion %d refused", i);
	}
	send_key(5, KEY_A, true);
	send_key(5, KEY_A, false);
	send_key(5, KEY_B, true);
	send_key(5, KEY_B, false);
	send_key(5, KEY_LEFTSHIFT, true);
	for (int i = 0; i < 100; i++) {
		CHECK(vkbd_send_motion(s, 2, -1, 1), "motion refused");
	}
	CHECK(s->ring.count == 7, "%u queued, expected 7", s->ring.count);
	int taken = 0, refused = 0;
	for (int i = 0; i < 10000; i++) {
		if (vkbd_send_key(s, STALL_KEY(i), i % 2 == 0)) {
			CHECK(refused == 0, "key %d taken after one was refused", i);
			taken++;
		} else {
			refused++;
		}
	}
	CHECK(!vkbd_send_key(s, KEY_LEFTSHIFT, false), "shift's release taken while dropping");
	CHECK(taken == 4096 - 7 && refused == 10000 - taken, "%d taken, %d refused", taken,
		refused);
	CHECK(log_dropping == 1, "%d log lines about dropping", log_dropping);

	/* Meanwhile the others are served as ever. */
	send_key(3, KEY_Z, true);
	send_key(3, KEY_Z, false);
	expect_linef(rel, "kbd key %d down", KEY_Z);
	expect_linef(rel, "kbd key %d up", KEY_Z);
	rel_events += 2;

	kill(stall->proc->pid, SIGUSR1);
	expect_line(stall, "kbd resumed");
	for (int i = 0; i < XENKBD_IN_RING_LEN; i++) {
		CHECK(next_line(stall, 15000, line, sizeof(line), i == 0), "stall: motion %d", i);
		CHECK(strcmp(line, "kbd motion 1 1 0") == 0, "stall: motion %d is '%s'", i, line);
	}
	expect_line(stall, "kbd motion 9 9 0");
	expect_linef(stall, "kbd key %d down", KEY_A);
	expect_linef(stall, "kbd key %d up", KEY_A);
	expect_linef(stall, "kbd key %d down", KEY_B);
	expect_linef(stall, "kbd key %d up", KEY_B);
	expect_linef(stall, "kbd key %d down", KEY_LEFTSHIFT);
	expect_line(stall, "kbd motion 200 -100 100");
	for (int i = 0; i < taken; i++) {
		char want[64];
		snprintf(want, sizeof(want), "kbd key %u %s", STALL_KEY(i),
			i % 2 == 0 ? "down" : "up");
		CHECK(next_line(stall, 15000, line, sizeof(line), i == 0 || i == taken - 1),
			"stall: key %d missing", i);
		CHECK(strcmp(line, want) == 0, "stall: key %d is '%s', expected '%s'", i, line,
			want);
	}
	/* The last taken key was a press whose release was dropped; shift's too (by code). */
	expect_linef(stall, "kbd key %u up", STALL_KEY(taken - 1));
	expect_linef(stall, "kbd key %d up", KEY_LEFTSHIFT);
	for (int64_t until = now_ms() + 5000; log_again == 0 && now_ms() < until;) {
		pump(10);
	}
	char dropped[64];
	snprintf(dropped, sizeof(dropped), "%d events were dropped", refused + 1);
	CHECK(log_again == 1 && strstr(log_again_line, dropped) != NULL,
		"%d log lines about consuming again: '%s', expected '%s'", log_again,
		log_again_line, dropped);
	CHECK(log_dropping == 1, "%d log lines about dropping", log_dropping);

	/* Taking events again. */
	send_key(5, KEY_C, true);
	send_key(5, KEY_C, false);
	expect_linef(stall, "kbd key %d down", KEY_C);
	expect_linef(stall, "kbd key %d up", KEY_C);
	stop_guest(stall, XENKBD_IN_RING_LEN + 7 + taken + 2 + 2);
}

/* Each hostile frontend gets a XenBus error; the touch guest keeps receiving. */
static void test_hostile(void)
{
	static const struct {
		const char *name, *mode, *error;
	} modes[] = {
		{"badgref", "kbd-bad-gref", "cannot map page-gref 65520"},
		{"nochannel", "kbd-no-channel", "event-channel missing"},
		{"pageref", "kbd-page-ref", "only page-ref"},
		{"badcons", "kbd-bad-cons", "event ring: in_cons 1000 is not within"},
	};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int domid = 6 + (int)i;
		const char *args[] = {"--misbehave", modes[i].mode, NULL};
		struct guest *g = start_guest(domid, modes[i].name,
			i % 2 ? "backend-type=qemu" : "backend-type=linux", args);
		char line[512];
		if (strcmp(modes[i].mode, "kbd-bad-cons") == 0) {
			expect_prefix(g, "kbd connected ", line, sizeof(line));
			CHECK(!vkbd_send_key(input_of((uint32_t)domid), KEY_A, true),
				"a key taken by a broken ring");
		}
		snprintf(line, sizeof(line),
			"kbd misbehave %s backend-state=5 error=", modes[i].mode);
		expect_prefix(g, line, line, sizeof(line));
		CHECK(strstr(line, modes[i].error) != NULL, "%s: %s", modes[i].mode, line);
		struct tracked *t = find_tracked((uint32_t)domid);
		/* It may be gone already: it leaves once it has reported. */
		CHECK((t->input == NULL || !t->input->connected) && t->disconnects == t->connects,
			"%s: connected %d, %d connects, %d disconnects", modes[i].mode,
			t->input ? t->input->connected : -1, t->connects, t->disconnects);
		expect_prefix(g, "kbd closed ", line, sizeof(line));

		send_key(1, KEY_1 + (uint32_t)i, true);
		send_key(1, KEY_1 + (uint32_t)i, false);
		expect_linef(touch, "kbd key %u down", KEY_1 + (uint32_t)i);
		expect_linef(touch, "kbd key %u up", KEY_1 + (uint32_t)i);
		touch_events += 2;
		int status = -1;
		for (int64_t until = now_ms() + 10000; status == -1 && now_ms() < until;) {
			pump(10);
			status = proc_wait_exit(g->proc, 0);
		}
		CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"%s: exit status %#x", modes[i].mode, status);
		free(g);
	}
}

static void check_unmapped(int domid)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", domid);
	const char *args[] = {"stats", "--domid", id, NULL};
	char *out = harness_xensim_output(&h, args);
	CHECK(out != NULL, "xensim stats failed");
	fprintf(stderr, "%s", out);
	CHECK(strstr(out, "mapped_by_others=0") != NULL, "domain %d: pages still mapped: %s", domid,
		out);
	free(out);
}

/* Guests that go away while events are being sent to them. */
static void test_going(void)
{
	const char *args[] = {"--vkb-relative", NULL};
	struct guest *doomed = start_guest(10, "doomed", "backend-type=linux", args);
	struct guest *crash = start_guest(11, "crash", "backend-type=qemu", args);
	char line[512];
	expect_prefix(doomed, "kbd connected ", line, sizeof(line));
	expect_prefix(crash, "kbd connected ", line, sizeof(line));

	/* The toolstack destroys one: keep sending until its device is gone. */
	const char *destroy[] = {"destroy", "--domid", "10", NULL};
	struct proc *p = harness_spawn_xensim(&h, destroy);
	struct tracked *t10 = find_tracked(10), *t11 = find_tracked(11);
	long sent = 0, round = 0;
	int status = -1;
	for (int64_t until = now_ms() + 30000; status == -1 && now_ms() < until;) {
		if (t10->input != NULL) {
			sent += vkbd_send_motion(t10->input, 1, 0, 0);
			sent += vkbd_send_key(t10->input, KEY_X, (round++ % 2) == 0);
		}
		wl_event_loop_dispatch(loop, 1);
		status = proc_wait_exit(p, 0);
	}
	/* It fails ("no such domain") if the guest left first, closed by the backend: either way.
	 */
	CHECK(status != -1 && WIFEXITED(status), "xensim destroy: status %#x", status);
	for (int64_t until = now_ms() + 10000; !t10->destroyed && now_ms() < until;) {
		wl_event_loop_dispatch(loop, 10);
	}
	CHECK(t10->destroyed && t10->disconnects == 1, "doomed: destroyed %d, %d disconnects",
		t10->destroyed, t10->disconnects);
	fprintf(stderr, "doomed: %ld events taken before it went\n", sent);

	/* The other crashes (its process killed) in the middle of a stream. */
	sent = 0;
	for (int i = 0; i < 200; i++) {
		sent += vkbd_send_motion(t11->input, 0, 1, 0);
		pump(1);
	}
	kill(crash->proc->pid, SIGKILL);
	for (int64_t until = now_ms() + 15000; !t11->destroyed && now_ms() < until;) {
		if (t11->input != NULL) {
			vkbd_send_motion(t11->input, 0, 1, 0);
		}
		wl_event_loop_dispatch(loop, 1);
	}
	CHECK(t11->destroyed && t11->disconnects == 1, "crash: destroyed %d, %d disconnects",
		t11->destroyed, t11->disconnects);
	proc_wait_exit(doomed->proc, 5000);
	proc_wait_exit(crash->proc, 5000);
	check_unmapped(10);
	check_unmapped(11);
	free(doomed);
	free(crash);
}

int main(void)
{
	wlr_log_init(WLR_DEBUG, handle_log);
	wl_list_init(&tracked_inputs);
	harness_start_broker(&h);

	loop = wl_event_loop_create();
	CHECK(loop != NULL, "no event loop");
	struct xenstore *store = xenstore_create(loop);
	struct evtchn *evtchn = store != NULL ? evtchn_create(loop) : NULL;
	CHECK(evtchn != NULL, "cannot reach the simulated hypervisor");
	struct vkbd_manager *manager = vkbd_manager_create(loop, store, evtchn);
	CHECK(manager != NULL, "vkbd_manager_create failed");
	new_input.notify = handle_new_input;
	wl_signal_add(&manager->events.new_input, &new_input);
	CHECK(vkbd_manager_start(manager), "vkbd_manager_start failed");

	test_connect();
	test_events();
	test_slow();
	test_stall();
	test_hostile();
	test_going();

	stop_guest(touch, touch_events);
	stop_guest(raw, raw_events);
	stop_guest(rel, rel_events);

	wl_list_remove(&new_input.link);
	vkbd_manager_destroy(manager);
	struct tracked *t, *tmp;
	wl_list_for_each_safe(t, tmp, &tracked_inputs, link)
	{
		CHECK(t->destroyed, "domain %u's vkbd_device outlived the manager", t->domid);
		CHECK(t->disconnects == t->connects, "domain %u: %d connects, %d disconnects",
			t->domid, t->connects, t->disconnects);
		wl_list_remove(&t->link);
		free(t);
	}
	evtchn_destroy(evtchn);
	xenstore_destroy(store);
	wl_event_loop_destroy(loop);
	for (int domid = 1; domid <= 3; domid++) {
		check_unmapped(domid);
	}
	proc_stop(h.broker, SIGTERM, 5000);
	fprintf(stderr, "ok\n");
	return 0;
}
