/*
 * mosaic's log as a journal reads it. With JOURNAL_STREAM naming its
 * stderr (as systemd sets it for a service), every line starts with its
 * syslog priority, and each priority is honest: the layout's unsupported
 * opacity and the missing Wayland socket are warnings (<4>), a missing
 * background image is an error (<3>) and the only one of a headless start
 * (no DRM probe's error), a guest no [[guest]] names, guests leaving (with
 * or without a placeholder in their place) and the start and stop lines are
 * information (<6>). Without the journal the lines are as wlroots writes
 * them: time and level.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "harness.h"

#define MAX_LINES 1024

static char *lines[MAX_LINES];
static int nlines;

/* Keeps mosaic's lines until one contains needle; returns that one. */
static const char *wait_line(struct proc *mosaic, const char *needle)
{
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		char line[4096];
		int left = (int)(deadline - now_ms());
		CHECK(left > 0 && proc_wait_line(mosaic, "", left, line, sizeof(line)),
			"mosaic did not say '%s'", needle);
		CHECK(nlines < MAX_LINES, "too many lines");
		lines[nlines] = strdup(line);
		CHECK(lines[nlines] != NULL, "out of memory");
		if (strstr(line, needle) != NULL) {
			return lines[nlines++];
		}
		nlines++;
	}
}

/* Keeps the lines mosaic says until it exits; returns its wait status. */
static int wait_exit(struct proc *mosaic)
{
	int64_t deadline = now_ms() + 10000;
	char line[4096];
	while (proc_wait_line(mosaic, "", (int)(deadline - now_ms()), line, sizeof(line))) {
		CHECK(nlines < MAX_LINES, "too many lines");
		lines[nlines++] = strdup(line);
		CHECK(now_ms() < deadline, "mosaic did not stop");
	}
	return proc_wait_exit(mosaic, 10000);
}

static void forget_lines(void)
{
	for (int i = 0; i < nlines; i++) {
		free(lines[i]);
	}
	nlines = 0;
}

/*
 * mosaic with stderr into the pipe we read (as its stdout), without
 * XDG_RUNTIME_DIR, and JOURNAL_STREAM naming that pipe when journal is true
 * (else something that is not it). The caller waits for its start line.
 */
static struct proc *start_mosaic(struct harness *h, bool journal, const char *const args[])
{
	const char *script = journal ?
		"unset XDG_RUNTIME_DIR; exec 2>&1; "
		"export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); exec \"$0\" \"$@\"" :
		"unset XDG_RUNTIME_DIR; exec 2>&1; export JOURNAL_STREAM=1:1; exec \"$0\" \"$@\"";
	char *argv[32] = {"/bin/sh", "-c", (char *)script, (char *)harness_program("MOSAIC_SIM"),
		"--headless", "--size", "640x480", "--control", h->control};
	int argc = 9;
	for (int i = 0; args[i] != NULL && argc < 31; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	char runtime[320], lsan[1024];
	snprintf(runtime, sizeof(runtime), "MOSAIC_RUNTIME_DIR=%s", h->dir);
	/* LeakSanitizer's table of suppressions would be lines of no priority at exit. */
	const char *lsan_options = getenv("LSAN_OPTIONS");
	snprintf(lsan, sizeof(lsan), "LSAN_OPTIONS=%s%sprint_suppressions=0",
		lsan_options != NULL ? lsan_options : "", lsan_options != NULL ? ":" : "");
	char *env[] = {"XENSIM_DOMID=0", runtime, lsan, NULL};
	/* Its start line says it is up (every line is kept: see wait_line). */
	h->mosaic = proc_spawn("mosaic", argv, env);
	return h->mosaic;
}

/* A guest that shows a few frames and goes: its domain is destroyed. */
static void come_and_go(struct harness *h, int domid, const char *name)
{
	harness_create_guest(h, domid, name, "c0:320x240");
	const char *args[] = {"--exit-after", "10", NULL};
	struct proc *guest = harness_spawn_guest(h, domid, name, args);
	CHECK(proc_wait_exit(guest, 30000) != -1, "%s did not exit", name);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

static void check_journal(struct harness *h)
{
	char layout[400];
	snprintf(layout, sizeof(layout), "%s/journal.toml", h->dir);
	write_file(layout, "[[output]]\n"
			   "name = 'main'\n"
			   "match = { connector = 'HEADLESS-1' }\n"
			   "background-image = 'no-such-image.png'\n"
			   "[[guest]]\n"
			   "name = 'cluster'\n"
			   "[[layout]]\n"
			   "name = 'only'\n"
			   "[[layout.surface]]\n"
			   "guest = 'cluster'\n"
			   "output = 'main'\n"
			   "opacity = 0.5\n");
	const char *args[] = {"--layout", layout, NULL};
	struct proc *mosaic = start_mosaic(h, true, args);
	char expect[600];
	snprintf(expect, sizeof(expect), "layout file %s (layout 'only')", layout);
	const char *start = wait_line(mosaic, "mosaic " MOSAIC_VERSION " running");
	CHECK(strncmp(start, "<6>", 3) == 0 && strstr(start, "headless") != NULL &&
			strstr(start, expect) != NULL && strstr(start, h->control) != NULL,
		"start line: %s", start);

	const char *gone;
	come_and_go(h, 1, "cluster");
	gone = wait_line(mosaic, "cluster:0.0 is gone");
	CHECK(strncmp(gone, "<6>", 3) == 0 && strstr(gone, "is gone: showing a placeholder") != NULL,
		"cluster's placeholder: %s", gone);
	come_and_go(h, 2, "stranger");
	gone = wait_line(mosaic, "stranger:0.0 is gone");
	CHECK(strncmp(gone, "<6>", 3) == 0 && strstr(gone, "placeholder") == NULL,
		"stranger has no placeholder: %s", gone);

	CHECK(kill(mosaic->pid, SIGTERM) == 0, "kill failed");
	const char *stop = wait_line(mosaic, "mosaic stops");
	CHECK(strncmp(stop, "<6>", 3) == 0 && strstr(stop, "mosaic stops: SIGTERM") != NULL,
		"stop line: %s", stop);
	int status = wait_exit(mosaic);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"mosaic: status %#x", status);

	/* Each line, by its priority. */
	int errors = 0, opacity = 0, socket = 0, stranger = 0;
	for (int i = 0; i < nlines; i++) {
		const char *l = lines[i];
		CHECK(l[0] == '<' && strchr("3467", l[1]) != NULL && l[2] == '>',
			"a line without its priority: %s", l);
		CHECK(strstr(l, "drmGetDevices2") == NULL, "a DRM probe: %s", l);
		if (strncmp(l, "<3>", 3) == 0) {
			CHECK(strstr(l, "cannot show background image") != NULL,
				"an error line that is none: %s", l);
			errors++;
		}
		if (strstr(l, "opacity 0.5 is not supported") != NULL) {
			CHECK(strncmp(l, "<4>", 3) == 0, "opacity is a warning: %s", l);
			opacity++;
		}
		if (strstr(l, "No Wayland socket") != NULL) {
			CHECK(strncmp(l, "<4>", 3) == 0 && strstr(l, "XDG_RUNTIME_DIR") != NULL,
				"no Wayland socket is a warning: %s", l);
			socket++;
		}
		snprintf(expect, sizeof(expect), "stranger:0.0 (domain 2) is no [[guest]] of %s",
			layout);
		if (strstr(l, expect) != NULL) {
			CHECK(strncmp(l, "<6>", 3) == 0, "an unknown guest is information: %s", l);
			stranger++;
		}
	}
	CHECK(errors >= 1, "no error for the missing background image");
	CHECK(opacity == 1, "%d lines about opacity", opacity);
	CHECK(socket == 1, "%d lines about the Wayland socket", socket);
	CHECK(stranger == 1, "%d lines about the stranger", stranger);
	forget_lines();
	printf("log-journal: priorities: ok\n");
}

/* Not the journal: lines as wlroots writes them, the built-in grid's placeholder. */
static void check_terminal(struct harness *h)
{
	const char *args[] = {NULL};
	struct proc *mosaic = start_mosaic(h, false, args);
	const char *start = wait_line(mosaic, "mosaic " MOSAIC_VERSION " running");
	CHECK(strncmp(start, "00:00:", 6) == 0 && strstr(start, " [INFO] ") != NULL &&
			strstr(start, "no layout file (the built-in grid)") != NULL,
		"start line: %s", start);
	come_and_go(h, 3, "visitor");
	const char *gone = wait_line(mosaic, "visitor:0.0 is gone");
	CHECK(strstr(gone, "is gone: showing a placeholder") != NULL, "visitor: %s", gone);
	CHECK(kill(mosaic->pid, SIGINT) == 0, "kill failed");
	const char *stop = wait_line(mosaic, "mosaic stops");
	CHECK(strstr(stop, " [INFO] ") != NULL && strstr(stop, "mosaic stops: SIGINT") != NULL,
		"stop line: %s", stop);
	int status = wait_exit(mosaic);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"mosaic: status %#x", status);
	bool warning = false;
	for (int i = 0; i < nlines; i++) {
		CHECK(lines[i][0] != '<', "a priority outside the journal: %s", lines[i]);
		if (strstr(lines[i], "No Wayland socket") != NULL) {
			CHECK(strstr(lines[i], " [WARNING] ") != NULL, "warning: %s", lines[i]);
			warning = true;
		}
	}
	CHECK(warning, "no warning about the Wayland socket");
	forget_lines();
	printf("log-journal: terminal: ok\n");
}

int main(void)
{
	struct harness h;
	harness_start_broker(&h);
	check_journal(&h);
	check_terminal(&h);
	proc_stop(h.broker, SIGTERM, 5000);
	printf("log-journal: ok\n");
	return 0;
}
