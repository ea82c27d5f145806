/*
 * Dom0's Wayland clients: a real one (weston-simple-shm) finds what it needs
 * on mosaic's socket (wl_compositor, wl_shm, xdg_wm_base), is configured and
 * draws: `apps` lists its window by the app_id and title it gave itself,
 * with its pid, and followers are told when it has something to show and
 * when it has not any more. Without a layout file, the built-in grid shows it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

#define SIMPLE_SHM "/usr/bin/weston-simple-shm"
#define WAYLAND_INFO "/usr/bin/wayland-info"

/* What a client needs to open a window, as wayland-info lists mosaic's globals. */
static void check_globals(void)
{
	static const char *const wanted[] = {"wl_compositor", "wl_subcompositor", "wl_shm",
		"xdg_wm_base", "zxdg_output_manager_v1", "wp_viewporter", "wp_presentation",
		"wl_seat", "wl_output", "wl_data_device_manager", "zxdg_decoration_manager_v1",
		"org_kde_kwin_server_decoration_manager", NULL};
	const char *none[] = {NULL};
	struct proc *info = guests_wayland_spawn(WAYLAND_INFO, none);
	char line[512];
	bool seen[16] = {false}, screencopy = false;
	while (proc_wait_line(info, "interface: '", 10000, line, sizeof(line))) {
		screencopy = screencopy || strstr(line, "'zwlr_screencopy_manager_v1'") != NULL;
		for (int i = 0; wanted[i] != NULL; i++) {
			char quoted[64];
			snprintf(quoted, sizeof(quoted), "interface: '%s'", wanted[i]);
			seen[i] = seen[i] || strstr(line, quoted) != NULL;
		}
	}
	int status = proc_wait_exit(info, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"wayland-info failed (%#x)", status);
	for (int i = 0; wanted[i] != NULL; i++) {
		CHECK(seen[i], "mosaic offers no %s", wanted[i]);
	}
	/* Capture only when allowed: a guest's screen is private. */
	CHECK(!screencopy, "screencopy offered without --allow-screencopy");
}

/* The `apps` line of the window of process pid, polled until it is mapped; a copy. */
static char *wait_mapped(struct harness *h, int pid)
{
	char want[64];
	snprintf(want, sizeof(want), " pid=%d mapped=yes", pid);
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		char *reply = harness_control(h, "apps");
		CHECK(reply != NULL, "apps: no reply");
		char *at = strstr(reply, want);
		if (at != NULL) {
			char *start = at;
			while (start > reply && start[-1] != '\n') {
				start--;
			}
			char *end = strchr(at, '\n');
			char *line = strndup(start, (size_t)(end != NULL ? end - start : (long)strlen(start)));
			free(reply);
			return line;
		}
		CHECK(now_ms() < deadline, "no mapped window of pid %d in: %s", pid, reply);
		free(reply);
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
}

/* The follower's next event line that names pid; fails after 10 s. */
static void expect_event(struct ctl *follower, const char *event, int pid)
{
	char want[64], line[1024];
	snprintf(want, sizeof(want), " pid=%d", pid);
	int64_t deadline = now_ms() + 10000;
	while (now_ms() < deadline && fgets(line, sizeof(line), follower->in) != NULL) {
		if (strncmp(line, "event ", 6) == 0 && strstr(line, event) != NULL &&
			strstr(line, want) != NULL) {
			CHECK(strstr(line, "app-id=org.freedesktop.weston.simple-shm ") != NULL &&
					strstr(line, "title=simple-shm ") != NULL,
				"%s: %s", event, line);
			return;
		}
	}
	fail("no %s event for pid %d", event, pid);
}

int main(void)
{
	CHECK(access(SIMPLE_SHM, X_OK) == 0 && access(WAYLAND_INFO, X_OK) == 0,
		"%s or %s is not installed (weston, wayland-utils: tests/deps.sh)", SIMPLE_SHM,
		WAYLAND_INFO);
	/* mosaic's Wayland socket goes to the scratch directory (XDG_RUNTIME_DIR). */
	guests_scratch_dir();
	struct harness h;
	const char *args[] = {"--size", "320x240", NULL};
	harness_start(&h, args);

	check_globals();

	struct ctl follower;
	ctl_open(&h, &follower);
	ctl_send(&follower, "follow");
	struct timeval tv = {10, 0};
	setsockopt(follower.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	const char *none[] = {NULL};
	struct proc *client = guests_wayland_spawn(SIMPLE_SHM, none);
	char *line = wait_mapped(&h, client->pid);
	static const char first[] = "app id=1 app-id=org.freedesktop.weston.simple-shm "
				    "title=simple-shm ";
	CHECK(strncmp(line, first, strlen(first)) == 0, "apps: %s", line);
	free(line);
	expect_event(&follower, "event app-mapped ", client->pid);

	/* Typed in JSON: numbers, strings, a boolean. */
	char command[700], json[1024], want[256];
	snprintf(command, sizeof(command), "%s -j -s %s apps", harness_program("MOSAICCTL"),
		h.control);
	FILE *p = popen(command, "r");
	CHECK(p != NULL, "cannot run %s", command);
	size_t n = fread(json, 1, sizeof(json) - 1, p);
	json[n] = '\0';
	CHECK(pclose(p) == 0, "%s failed: %s", command, json);
	snprintf(want, sizeof(want),
		"{\"type\":\"app\",\"id\":1,\"app-id\":\"org.freedesktop.weston.simple-shm\","
		"\"title\":\"simple-shm\",\"pid\":%d,\"mapped\":true}",
		client->pid);
	CHECK(strstr(json, want) != NULL, "mosaicctl -j apps: %s", json);

	/* Without a layout file, the built-in grid shows it as large as it draws itself. */
	char *surfaces = harness_control(&h, "surfaces");
	CHECK(surfaces != NULL &&
			strstr(surfaces, "label=org.freedesktop.weston.simple-shm domid=- dev=- "
					 "conn=- state=connected output=HEADLESS-1 ") != NULL &&
			strstr(surfaces, " resolution=250x250 ") != NULL,
		"surfaces: %s", surfaces != NULL ? surfaces : "no reply");
	free(surfaces);

	/* It goes: followers are told, and the list forgets it. */
	int pid = client->pid;
	proc_stop(client, SIGTERM, 5000);
	expect_event(&follower, "event app-unmapped ", pid);
	char *apps = harness_control(&h, "apps");
	CHECK(apps != NULL && strstr(apps, "app ") == NULL, "apps after it went: %s",
		apps != NULL ? apps : "no reply");
	free(apps);

	/* A second one gets the next number. */
	client = guests_wayland_spawn(SIMPLE_SHM, none);
	line = wait_mapped(&h, client->pid);
	CHECK(strncmp(line, "app id=2 ", 9) == 0, "apps: %s", line);
	free(line);
	proc_stop(client, SIGTERM, 5000);

	ctl_close(&follower);
	harness_stop(&h);
	printf("apps: a real client configured, listed, announced and forgotten: ok\n");
	return 0;
}
