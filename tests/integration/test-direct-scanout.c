/*
 * Direct scan-out in mosaic itself, with a simulated guest whose connector
 * fills a headless output 1:1: its buffers are committed as they are
 * (`outputs` says made=direct and whose; composed frames stop counting) while
 * it keeps 60 flips a second; the focus frame over it brings composition
 * back, and its going, direct frames again.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'cluster'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '640x480'\n"
	"[[guest]]\n"
	"name = 'cluster'\n"
	"[[layout]]\n"
	"name = 'l'\n"
	"[[layout.surface]]\n"
	"guest = 'cluster'\n"
	"output = 'cluster'\n"
	"fit = 'none'\n";

struct made {
	char how[32];
	char direct[64];
	long direct_frames, composed_frames;
};

static void outputs(struct harness *h, struct made *m)
{
	char *reply = guests_control_reply(h, "outputs");
	CHECK(reply != NULL, "outputs: no reply");
	const char *at = strstr(reply, " made=");
	CHECK(at != NULL && sscanf(at, " made=%31s direct=%63s direct-frames=%ld composed-frames=%ld",
				m->how, m->direct, &m->direct_frames, &m->composed_frames) == 4,
		"outputs: %s", reply);
	free(reply);
}

/* Polls `outputs` until the last frame was made how; fails after 5 s. */
static void wait_made(struct harness *h, const char *how, struct made *m)
{
	int64_t deadline = now_ms() + 5000;
	for (;;) {
		outputs(h, m);
		if (strcmp(m->how, how) == 0) {
			return;
		}
		CHECK(now_ms() < deadline, "frames made %s, not %s", m->how, how);
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
}

int main(void)
{
	char layout[512];
	snprintf(layout, sizeof(layout), "%s/direct.toml", guests_scratch_dir());
	FILE *f = fopen(layout, "w");
	CHECK(f != NULL && fputs(layout_text, f) >= 0 && fclose(f) == 0, "cannot write %s", layout);

	struct harness h;
	const char *args[] = {"--headless", "--outputs", "1", "--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	const char *report[] = {"--report-every", "30", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", report);
	guests_flips_ok(cluster);

	/* Nobody focused: nothing of mosaic's over the guest. */
	char *reply = guests_control_reply(&h, "focus none");
	free(reply);
	struct made m, later;
	wait_made(&h, "direct", &m);
	CHECK(strcmp(m.direct, "cluster:0.0") == 0, "direct frames show %s", m.direct);
	double rate = guests_flip_rate(cluster, 4);
	outputs(&h, &later);
	CHECK(rate > 55 && rate < 65, "%.1f flips/s shown directly", rate);
	CHECK(strcmp(later.how, "direct") == 0 && later.composed_frames == m.composed_frames &&
			later.direct_frames - m.direct_frames > 100,
		"in 4 reports: %ld direct and %ld composed frames, last %s",
		later.direct_frames - m.direct_frames, later.composed_frames - m.composed_frames,
		later.how);
	printf("direct-scanout: %ld frames direct, none composed, %.1f flips/s\n",
		later.direct_frames - m.direct_frames, rate);

	/* The focus frame is drawn over it: composed from then on. */
	reply = guests_control_reply(&h, "focus cluster");
	free(reply);
	wait_made(&h, "composed", &m);
	CHECK(strcmp(m.direct, "-") == 0, "composed frames name %s", m.direct);
	rate = guests_flip_rate(cluster, 2);
	CHECK(rate > 55 && rate < 65, "%.1f flips/s composed", rate);

	/* And back. */
	reply = guests_control_reply(&h, "focus none");
	free(reply);
	wait_made(&h, "direct", &m);
	guests_flips_ok(cluster);

	proc_stop(cluster, SIGTERM, 5000);
	harness_stop(&h);
	printf("direct-scanout: ok\n");
	return 0;
}
