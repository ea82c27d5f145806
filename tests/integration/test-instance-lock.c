/*
 * One mosaic at a time. A second mosaic started on the same control socket,
 * or on another one beside the same hypervisor, exits at once naming the
 * first one's pid, and changes nothing: the first one's guest keeps
 * flipping (its backend never closes), XenStore's backend directory stays
 * as it was, and the first one's control socket still answers. Once the
 * first is gone, killed or not, the next one starts. A mosaic stopped the
 * moment its control socket takes connections exits cleanly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

/* The guest's next flip report; nothing before it may say that its backend went. */
static long flips_without_close(struct proc *guest)
{
	char line[512];
	for (;;) {
		CHECK(proc_wait_line(guest, "", 10000, line, sizeof(line)), "%s stopped reporting",
			guest->name);
		CHECK(strstr(line, "closed") == NULL && strstr(line, "reconnected") == NULL,
			"%s lost its backend: %s", guest->name, line);
		long flips, timeouts, errors;
		if (line_get_int(line, "flips", &flips)) {
			CHECK(line_get_int(line, "timeouts", &timeouts) &&
					line_get_int(line, "errors", &errors) && timeouts == 0 &&
					errors == 0,
				"%s: %s", guest->name, line);
			return flips;
		}
	}
}

static char *backend_tree(struct harness *h)
{
	const char *args[] = {"xenstore-ls", "/local/domain/0/backend", NULL};
	char *out = harness_xensim_output(h, args);
	CHECK(out != NULL && strstr(out, "vdispl") != NULL && strstr(out, "vkbd") != NULL,
		"no backend directories: %s", out != NULL ? out : "(xensim failed)");
	return out;
}

/*
 * Starts another mosaic with control socket `control` beside the first; it
 * must exit 1 having said `expect` and named the first one's pid.
 */
static void expect_refused(struct harness *h, const char *control, const char *expect)
{
	char command[1024], runtime[320];
	snprintf(command, sizeof(command), "exec '%s' --headless --control '%s' 2>&1",
		harness_program("MOSAIC_SIM"), control);
	snprintf(runtime, sizeof(runtime), "MOSAIC_RUNTIME_DIR=%s", h->dir);
	char *argv[] = {"/bin/sh", "-c", command, NULL};
	char *env[] = {"XENSIM_DOMID=0", runtime, NULL};
	struct proc *second = proc_spawn("second", argv, env);
	char line[1024], pid[64];
	CHECK(proc_wait_line(second, expect, 10000, line, sizeof(line)),
		"the second mosaic did not say '%s'", expect);
	snprintf(pid, sizeof(pid), "(pid %ld)", (long)h->mosaic->pid);
	CHECK(strstr(line, pid) != NULL, "the second mosaic did not name the first %s: %s", pid,
		line);
	int status = proc_wait_exit(second, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 1,
		"the second mosaic: status %#x, not exit 1", status);
}

static void expect_untouched(struct harness *h, struct proc *guest, const char *before)
{
	long flips = flips_without_close(guest);
	CHECK(flips_without_close(guest) > flips, "the guest stopped flipping");
	char *after = backend_tree(h);
	CHECK(strcmp(before, after) == 0, "the backend directories changed:\n%s\nbecame\n%s", before,
		after);
	free(after);
	char *pong = harness_control(h, "ping");
	CHECK(pong != NULL, "the first mosaic's control socket does not answer");
	free(pong);
	struct stat st;
	CHECK(stat(h->control, &st) == 0 && S_ISSOCK(st.st_mode), "%s is gone", h->control);
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "640x480", NULL};
	harness_start(&h, args);
	inputs_create_guest(&h, 1, "cluster", "c0:320x240", "backend-type=linux");
	const char *guest_args[] = {"--vkb", "0", "--report-every", "30", NULL};
	struct proc *guest = harness_spawn_guest(&h, 1, "cluster", guest_args);
	inputs_wait_connected(&h, 1);
	flips_without_close(guest);
	char *before = backend_tree(&h);

	/* The same control socket. */
	char expect[600];
	snprintf(expect, sizeof(expect), "runs with the control socket %s (%s.lock is locked)",
		h.control, h.control);
	expect_refused(&h, h.control, expect);
	expect_untouched(&h, guest, before);
	printf("instance-lock: same control socket refused: ok\n");

	/* Another control socket, the same hypervisor's backends. */
	char other[320];
	snprintf(other, sizeof(other), "%s/other.sock", h.dir);
	snprintf(expect, sizeof(expect),
		"serves the vdispl and vkbd devices of this domain (%s/mosaic-backend.lock is locked)",
		h.dir);
	expect_refused(&h, other, expect);
	expect_untouched(&h, guest, before);
	CHECK(access(other, F_OK) != 0, "the second mosaic made %s", other);
	char other_lock[400];
	snprintf(other_lock, sizeof(other_lock), "%s.lock", other);
	CHECK(access(other_lock, F_OK) != 0, "the second mosaic left %s", other_lock);
	printf("instance-lock: same backends refused: ok\n");
	free(before);

	/* Killed, it leaves its lock files; the next one takes them over. */
	harness_restart_mosaic(&h, SIGKILL);
	/* Stopped, it removes them; the next one makes them again. */
	harness_restart_mosaic(&h, SIGTERM);
	char *pong = harness_control(&h, "ping");
	CHECK(pong != NULL, "the restarted mosaic does not answer");
	free(pong);
	/*
	 * Stopped the moment its control socket takes a connection, before
	 * its event loop runs: the signal waits for the loop, and it still
	 * exits cleanly (harness_restart_mosaic checks), every time.
	 */
	for (int i = 0; i < 40; i++) {
		harness_restart_mosaic(&h, SIGTERM);
	}
	printf("instance-lock: stopped as it starts, 40 times: ok\n");

	proc_stop(guest, SIGKILL, 5000);
	harness_stop(&h);
	char control_lock[400];
	snprintf(control_lock, sizeof(control_lock), "%s.lock", h.control);
	CHECK(access(control_lock, F_OK) != 0, "%s stayed", control_lock);
	snprintf(control_lock, sizeof(control_lock), "%s/mosaic-backend.lock", h.dir);
	CHECK(access(control_lock, F_OK) != 0, "%s stayed", control_lock);
	printf("instance-lock: ok\n");
	return 0;
}
