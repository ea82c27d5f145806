/*
 * What mosaic tells systemd, read from a NOTIFY_SOCKET of the test's own
 * (as systemd reads a Type=notify service's): READY=1 once its outputs are
 * up, with a STATUS naming them; a guest that starts right after finds its
 * backend; STATUS naming the guest once it is connected, and again once it
 * is gone; WATCHDOG=1 at half of WATCHDOG_USEC while the event loop runs,
 * and none while mosaic is stopped (SIGSTOP), then again; STOPPING=1 at
 * SIGTERM. A WATCHDOG_PID that is not mosaic's gets no pings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"

#define WATCHDOG_USEC 400000
#define PING_MS (WATCHDOG_USEC / 2000)

static int notify_fd = -1;
static char notify_path[320];

/* The next datagram into buf, within timeout_ms; false if none came. */
static bool receive(char *buf, size_t size, int timeout_ms, int64_t *at)
{
	struct pollfd pfd = {.fd = notify_fd, .events = POLLIN};
	if (poll(&pfd, 1, timeout_ms) <= 0) {
		return false;
	}
	ssize_t n = recv(notify_fd, buf, size - 1, 0);
	CHECK(n >= 0, "recv: %s", strerror(errno));
	buf[n] = '\0';
	*at = now_ms();
	return true;
}

/* Waits for a datagram containing needle; the others are skipped (pings, older statuses). */
static void expect_message(const char *needle, int timeout_ms, char *buf, size_t size)
{
	int64_t deadline = now_ms() + timeout_ms, at;
	for (;;) {
		int left = (int)(deadline - now_ms());
		CHECK(left > 0 && receive(buf, size, left, &at), "mosaic did not notify '%s'", needle);
		if (strstr(buf, needle) != NULL) {
			fprintf(stderr, "notify: %s\n", buf);
			return;
		}
	}
}

/* Drops what is waiting: pings from before a measurement. */
static void drain(void)
{
	char buf[1024];
	int64_t at;
	while (receive(buf, sizeof(buf), 0, &at)) {
	}
}

/* Reads datagrams for ms; returns how many were pings, their largest and median gaps. */
static int count_pings(int ms, int64_t *max_gap, int64_t *median_gap)
{
	int64_t end = now_ms() + ms, last = -1, at;
	int64_t gaps[256];
	int n = 0, ngaps = 0;
	char buf[1024];
	*max_gap = 0;
	for (;;) {
		int left = (int)(end - now_ms());
		if (left <= 0 || !receive(buf, sizeof(buf), left, &at)) {
			break;
		}
		if (strcmp(buf, "WATCHDOG=1") != 0) {
			continue;
		}
		if (last >= 0 && ngaps < 256) {
			gaps[ngaps++] = at - last;
			*max_gap = at - last > *max_gap ? at - last : *max_gap;
		}
		last = at;
		n++;
	}
	/* The median by a small sort. */
	for (int i = 1; i < ngaps; i++) {
		for (int j = i; j > 0 && gaps[j - 1] > gaps[j]; j--) {
			int64_t t = gaps[j];
			gaps[j] = gaps[j - 1];
			gaps[j - 1] = t;
		}
	}
	*median_gap = ngaps > 0 ? gaps[ngaps / 2] : 0;
	return n;
}

static void open_notify_socket(struct harness *h)
{
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(notify_fd >= 0, "socket: %s", strerror(errno));
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(notify_path, sizeof(notify_path), "%s/notify.sock", h->dir);
	CHECK(strlen(notify_path) < sizeof(addr.sun_path), "path too long");
	strcpy(addr.sun_path, notify_path);
	CHECK(bind(notify_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "bind: %s",
		strerror(errno));
}

/*
 * mosaic with systemd's variables. WATCHDOG_PID is mosaic's own (the shell
 * that execs it has its pid) unless watchdog_pid says another.
 */
static struct proc *start_mosaic(struct harness *h, const char *control, const char *watchdog_pid)
{
	char script[256];
	snprintf(script, sizeof(script), "export WATCHDOG_PID=%s; exec \"$0\" \"$@\"",
		watchdog_pid != NULL ? watchdog_pid : "$$");
	char *argv[] = {"/bin/sh", "-c", script, (char *)harness_program("MOSAIC_SIM"), "--headless",
		"--outputs", "2", "--size", "640x480", "--control", (char *)control, NULL};
	char env_notify[400], env_usec[64], env_runtime[320];
	snprintf(env_notify, sizeof(env_notify), "NOTIFY_SOCKET=%s", notify_path);
	snprintf(env_usec, sizeof(env_usec), "WATCHDOG_USEC=%d", WATCHDOG_USEC);
	snprintf(env_runtime, sizeof(env_runtime), "MOSAIC_RUNTIME_DIR=%s", h->dir);
	char *env[] = {"XENSIM_DOMID=0", env_notify, env_usec, env_runtime, NULL};
	return proc_spawn("mosaic", argv, env);
}

int main(void)
{
	struct harness h;
	harness_start_broker(&h);
	open_notify_socket(&h);
	h.mosaic = start_mosaic(&h, h.control, NULL);

	/* Ready: both outputs are there, and said. */
	char msg[1024];
	expect_message("READY=1", 20000, msg, sizeof(msg));
	CHECK(strstr(msg, "STATUS=") != NULL &&
			strstr(msg, "2 outputs (HEADLESS-1, HEADLESS-2)") != NULL &&
			strstr(msg, "no guest connected") != NULL,
		"READY=1 without the outputs' status: %s", msg);
	char *outputs = harness_control(&h, "outputs");
	CHECK(outputs != NULL && strstr(outputs, "HEADLESS-2") != NULL, "outputs: %s",
		outputs != NULL ? outputs : "no reply");
	free(outputs);
	printf("service-notify: READY=1 with its outputs: ok\n");

	/* A guest started once mosaic is ready (as xendomains starts them) is served. */
	harness_create_guest(&h, 1, "cluster", "c0:320x240");
	const char *guest_args[] = {"--report-every", "30", NULL};
	struct proc *guest = harness_spawn_guest(&h, 1, "cluster", guest_args);
	expect_message("1 guest connected (cluster)", 10000, msg, sizeof(msg));
	CHECK(strncmp(msg, "STATUS=", 7) == 0 && strstr(msg, "2 outputs") != NULL, "status: %s",
		msg);
	CHECK(guests_flips_ok(guest) > 0, "cluster does not flip");
	printf("service-notify: STATUS with the guest: ok\n");

	/* The watchdog, from the event loop, at half the interval. */
	drain();
	int64_t max_gap, median_gap;
	int pings = count_pings(2000, &max_gap, &median_gap);
	fprintf(stderr, "%d pings in 2 s, gaps: median %lld ms, max %lld ms\n", pings,
		(long long)median_gap, (long long)max_gap);
	CHECK(pings >= 2000 / PING_MS - 3 && pings <= 2000 / PING_MS + 2,
		"%d pings in 2 s, not about %d", pings, 2000 / PING_MS);
	CHECK(median_gap >= PING_MS * 3 / 4 && median_gap <= PING_MS * 3 / 2,
		"pings every %lld ms, not %d", (long long)median_gap, PING_MS);
	CHECK(max_gap < WATCHDOG_USEC / 1000, "a gap of %lld ms between pings",
		(long long)max_gap);

	/* A stopped loop does not ping. */
	CHECK(kill(h.mosaic->pid, SIGSTOP) == 0, "SIGSTOP: %s", strerror(errno));
	count_pings(100, &max_gap, &median_gap); // what was on its way
	pings = count_pings(3 * WATCHDOG_USEC / 1000, &max_gap, &median_gap);
	CHECK(pings == 0, "%d pings from a stopped mosaic", pings);
	CHECK(kill(h.mosaic->pid, SIGCONT) == 0, "SIGCONT: %s", strerror(errno));
	pings = count_pings(1000, &max_gap, &median_gap);
	CHECK(pings >= 2, "%d pings once mosaic goes on", pings);
	printf("service-notify: WATCHDOG=1 every %d ms, none while stopped: ok\n", PING_MS);

	/* The guest goes: said too. */
	proc_stop(guest, SIGKILL, 5000);
	expect_message("no guest connected, 1 absent (cluster)", 10000, msg, sizeof(msg));
	printf("service-notify: STATUS without the guest: ok\n");

	CHECK(kill(h.mosaic->pid, SIGTERM) == 0, "SIGTERM: %s", strerror(errno));
	expect_message("STOPPING=1", 10000, msg, sizeof(msg));
	int status = proc_wait_exit(h.mosaic, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"mosaic: status %#x", status);
	printf("service-notify: STOPPING=1 at SIGTERM: ok\n");

	/* Pings are for the process systemd names, and only for it. */
	h.mosaic = start_mosaic(&h, h.control, "1");
	expect_message("READY=1", 20000, msg, sizeof(msg));
	pings = count_pings(3 * WATCHDOG_USEC / 1000, &max_gap, &median_gap);
	CHECK(pings == 0, "%d pings with another process's WATCHDOG_PID", pings);
	printf("service-notify: no pings for another WATCHDOG_PID: ok\n");

	harness_stop(&h);
	printf("service-notify: ok\n");
	return 0;
}
