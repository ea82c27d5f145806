/*
 * Hostile guests get an error status and nothing else. One guest per kind of
 * misbehaviour (bad requests, bad page directories, bad XenStore values, a
 * ring overflow, a request flood) runs while a well-behaved guest keeps
 * flipping: each hostile request gets the expected status (or the device is
 * closed with an error where the protocol says so), mosaic survives, the
 * good guest sees no timeout or error, and no page of a hostile guest stays
 * mapped once it is gone.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"

struct mode {
	const char *name;
	/* Expected status of each answer, in order; or the device closed with an error. */
	const char *statuses;
	const char *error; // substring of the backend's error key, for closing modes
};

static const struct mode modes[] = {
	{"bad-opcode", "-22", NULL},
	{"cookie-zero", "-22", NULL},
	{"dup-cookie", "0,-17", NULL},
	{"unknown-cookie", "-2,-2,-2", NULL},
	{"small-buffer", "-22", NULL},
	{"huge-buffer", "-22,-22", NULL},
	{"pgdir-short", "-22", NULL},
	{"pgdir-long", "-22", NULL},
	{"pgdir-loop", "-22", NULL},
	{"pgdir-foreign", "-22,-22", NULL},
	{"data-ofs", "-22", NULL},
	{"fb-mismatch", "-22,-22", NULL},
	{"config-outside", "0,-22,-22", NULL},
	{"flip-detached", "-2", NULL},
	{"flip-never", "-2", NULL},
	{"buffer-wrong-ring", "-22", NULL},
	{"be-alloc-unasked", "-22", NULL},
	/* mosaic runs with --guest-memory 16: 12 MiB fit, 24 do not. */
	{"budget-ghost", "0,0,0,0,-12,0", NULL},
	{"many-dbufs", "-12", NULL},
	{"many-fbs", "-12", NULL},
	{"ring-overflow", NULL, "overflow"},
	{"xs-res-zero", NULL, "resolution"},
	{"xs-res-huge", NULL, "resolution"},
	{"xs-missing-ref", NULL, "ring keys"},
	{"xs-bad-ref", NULL, "ring keys"},
	{"xs-bad-channel", NULL, "ring keys"},
	{"flood", NULL, NULL},
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))
#define BATCH 4

struct hostile {
	const struct mode *mode;
	int domid;
	struct proc *proc;
	char statuses[128];
};

/* Reads the guest's answers until it is done or gone; checks them. */
static void check_hostile(struct hostile *x)
{
	const struct mode *m = x->mode;
	char line[512];
	bool closed = false, flood = false;
	while (proc_wait_line(x->proc, "vguest", 30000, line, sizeof(line))) {
		char *p = strstr(line, " misbehave ");
		if (p != NULL && m->statuses != NULL) {
			char status[32];
			CHECK(line_get(p, "status", status, sizeof(status)), "%s", line);
			size_t len = strlen(x->statuses);
			snprintf(x->statuses + len, sizeof(x->statuses) - len, "%s%s",
				len ? "," : "", status);
		} else if (p != NULL && strcmp(m->name, "flood") == 0) {
			long sent, answered;
			CHECK(line_get_int(p, "sent", &sent) && line_get_int(p, "answered", &answered),
				"%s", line);
			CHECK(sent > 0 && answered == sent, "flood: %ld sent, %ld answered", sent,
				answered);
			flood = true;
		} else if (p != NULL) {
			long state;
			char error[256] = "";
			CHECK(line_get_int(p, "backend-state", &state), "%s", line);
			const char *e = strstr(p, "error=");
			if (e != NULL) {
				snprintf(error, sizeof(error), "%s", e);
			}
			CHECK(state == 5 && strstr(error, m->error) != NULL,
				"%s: backend state %ld, %s; expected Closing with '%s'", m->name, state,
				error, m->error);
			closed = true;
		}
		if (strstr(line, " done ") != NULL) {
			CHECK(strstr(line, "timeouts=0 errors=0") != NULL, "%s: %s", m->name, line);
			break;
		}
		CHECK(strstr(line, "backend closed") == NULL || m->error != NULL,
			"%s: mosaic dropped the guest", m->name);
	}
	if (m->statuses != NULL) {
		CHECK(strcmp(x->statuses, m->statuses) == 0, "%s: statuses %s, expected %s",
			m->name, x->statuses, m->statuses);
	}
	CHECK(m->error == NULL || closed, "%s: no report of the device's state", m->name);
	CHECK(strcmp(m->name, "flood") != 0 || flood, "flood: no report");
	int status = proc_stop(x->proc, SIGTERM, 10000);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: exit status %#x", m->name,
		status);
	fprintf(stderr, "%s: ok\n", m->name);
}

static long mapped_by_others(struct harness *h, int domid)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", domid);
	const char *args[] = {"stats", "--domid", id, NULL};
	char *out = harness_xensim_output(h, args);
	long n = -1;
	if (out != NULL) {
		line_get_int(out, "mapped_by_others", &n);
	}
	free(out);
	return n;
}

static void good_guest_ok(struct proc *good, long *flips)
{
	char line[512];
	CHECK(proc_wait_line(good, "flips=", 15000, line, sizeof(line)),
		"the good guest stopped flipping");
	long n;
	CHECK(line_get_int(line, "flips", &n) && strstr(line, "timeouts=0 errors=0") != NULL,
		"good guest: %s", line);
	CHECK(n > *flips, "the good guest made no progress");
	*flips = n;
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", "--guest-memory", "16", NULL};
	harness_start(&h, args);

	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	const char *good_args[] = {"--report-every", "60", NULL};
	struct proc *good = harness_spawn_guest(&h, 1, "cluster", good_args);
	long flips = 0;
	good_guest_ok(good, &flips);

	struct hostile hostile[NMODES] = {0};
	for (size_t first = 0; first < NMODES; first += BATCH) {
		size_t end = first + BATCH < NMODES ? first + BATCH : NMODES;
		for (size_t i = first; i < end; i++) {
			struct hostile *x = &hostile[i];
			x->mode = &modes[i];
			x->domid = 10 + (int)i;
			harness_create_guest(&h, x->domid, x->mode->name, "a:320x240;b:320x240");
			const char *hargs[] = {"--misbehave", x->mode->name, "--frames", "30",
				"--report-every", "0", NULL};
			x->proc = harness_spawn_guest(&h, x->domid, x->mode->name, hargs);
		}
		for (size_t i = first; i < end; i++) {
			check_hostile(&hostile[i]);
		}
		good_guest_ok(good, &flips);
	}

	/* Every hostile guest is gone: nothing of theirs may stay mapped. */
	for (size_t i = 0; i < NMODES; i++) {
		int64_t deadline = now_ms() + 10000;
		long mapped;
		while ((mapped = mapped_by_others(&h, hostile[i].domid)) != 0) {
			CHECK(now_ms() < deadline, "%s: %ld pages still mapped", modes[i].name,
				mapped);
			good_guest_ok(good, &flips);
		}
	}
	long before = flips;
	good_guest_ok(good, &flips);
	fprintf(stderr, "good guest: %ld flips, all on time (last report after %ld)\n", flips,
		before);

	CHECK(WEXITSTATUS(proc_stop(good, SIGTERM, 10000)) == 0, "good guest exit status");
	harness_stop(&h);
	printf("guest-hostile: ok\n");
	return 0;
}
