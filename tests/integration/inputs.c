#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guests.h"
#include "inputs.h"

const char *inputs_write_layout(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", guests_scratch_dir(), name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
	return path;
}

void inputs_request(struct harness *h, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	char *reply = guests_control_reply(h, line);
	size_t len = reply != NULL ? strlen(reply) : 0;
	CHECK(len >= 3 && strcmp(reply + len - 3, "ok\n") == 0, "%s: %s", line,
		reply != NULL ? reply : "no reply");
	free(reply);
}

void inputs_create_guest(struct harness *h, int domid, const char *name, const char *connectors,
	const char *vkb)
{
	char id[16], spec[256];
	snprintf(id, sizeof(id), "%d", domid);
	snprintf(spec, sizeof(spec), "backend=0,be-alloc=0,connectors=%s", connectors);
	const char *args[] = {"create", "--domid", id, "--name", name, "--vdispl", spec, "--vkb", vkb,
		NULL};
	CHECK(harness_xensim(h, args) == 0, "cannot create domain %s", name);
}

void inputs_wait_connected(struct harness *h, int n)
{
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		char *reply = guests_control_reply(h, "inputs");
		CHECK(reply != NULL, "no reply to inputs");
		int connected = 0;
		for (const char *p = reply; (p = strstr(p, "state=connected")) != NULL; p++) {
			connected++;
		}
		if (connected >= n) {
			free(reply);
			return;
		}
		CHECK(now_ms() < deadline, "%d input devices connected, not %d:\n%s", connected, n,
			reply);
		free(reply);
		struct timespec ts = {0, 20 * 1000000};
		nanosleep(&ts, NULL);
	}
}

bool inputs_next_event(struct proc *guest, int timeout_ms, struct kbd_event *ev)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		memset(ev, 0, sizeof(*ev));
		int left = (int)(deadline - now_ms());
		if (left <= 0 || !proc_wait_line(guest, ": kbd ", left, ev->line, sizeof(ev->line))) {
			return false;
		}
		const char *p = strstr(ev->line, ": kbd ") + 6;
		char state[16] = "";
		if (sscanf(p, "key %ld %15s", &ev->code, state) == 2) {
			ev->type = KBD_KEY;
			ev->down = strcmp(state, "down") == 0;
			CHECK(ev->down || strcmp(state, "up") == 0, "%s: bad key line", ev->line);
		} else if (sscanf(p, "pos %ld %ld %ld", &ev->x, &ev->y, &ev->z) == 3) {
			ev->type = KBD_POS;
		} else if (sscanf(p, "motion %ld %ld %ld", &ev->x, &ev->y, &ev->z) == 3) {
			ev->type = KBD_MOTION;
		} else if (sscanf(p, "mt %ld %7s %ld %ld", &ev->contact, ev->mt, &ev->x, &ev->y) >= 2) {
			ev->type = KBD_MT;
		} else {
			continue; // connected, closed: not events
		}
		return true;
	}
}

void inputs_expect_key(struct proc *guest, long code, bool down)
{
	struct kbd_event ev;
	CHECK(inputs_next_event(guest, 5000, &ev), "%s: no key event (wanted %ld %s)", guest->name,
		code, down ? "down" : "up");
	CHECK(ev.type == KBD_KEY && ev.code == code && ev.down == down, "%s: got '%s', wanted key %ld %s",
		guest->name, ev.line, code, down ? "down" : "up");
}

void ctl_open(struct harness *h, struct ctl *c)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", h->control);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(c->fd >= 0 && connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0,
		"cannot connect to %s", h->control);
	c->in = fdopen(c->fd, "r");
	CHECK(c->in != NULL, "fdopen failed");
}

void ctl_close(struct ctl *c)
{
	fclose(c->in);
}

static void ctl_vsend(struct ctl *c, const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	CHECK(n > 0 && n < (int)sizeof(line) - 1, "request too long");
	line[n++] = '\n';
	CHECK(send(c->fd, line, (size_t)n, MSG_NOSIGNAL) == n, "cannot send a request");
}

void ctl_send(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctl_vsend(c, fmt, ap);
	va_end(ap);
}

bool ctl_reply(struct ctl *c, bool allow_error, char *status, size_t size)
{
	char line[4096];
	while (fgets(line, sizeof(line), c->in) != NULL) {
		if (strcmp(line, "ok\n") == 0 || strncmp(line, "error ", 6) == 0) {
			if (status != NULL) {
				snprintf(status, size, "%s", line);
			}
			bool ok = line[0] == 'o';
			CHECK(ok || allow_error, "request failed: %s", line);
			return ok;
		}
	}
	fail("mosaic closed the control connection");
}

void ctl_ok(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctl_vsend(c, fmt, ap);
	va_end(ap);
	ctl_reply(c, false, NULL, 0);
}
