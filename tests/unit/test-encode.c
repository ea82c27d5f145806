/*
 * Screenshots encoded off the event loop (compositor/encode.c): each picture
 * comes back on the loop as the PNG of its own pixels, in the order they
 * were asked for; at most ENCODE_MAX_JOBS wait, the next is refused with a
 * reason; a cancelled job calls nobody (waiting or being encoded); stopping
 * waits for the jobs left and delivers them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>

#include "check.h"
#include "compositor/encode.h"
#include "compositor/server.h"
#include "protocol/png.h"

#define W 640
#define H 360

static int delivered;

struct delivery {
	int seed;
	int calls;
	int order;    // among all deliveries, from 1
	bool matches; // the PNG decodes to the pixels given
};

static uint32_t pixel(int seed, int x, int y)
{
	return (uint32_t)((x * 7 + seed) & 0xff) << 16 | (uint32_t)((y * 13 + seed) & 0xff) << 8 |
	       (uint32_t)((x ^ y) & 0xff);
}

static uint32_t *picture(int seed)
{
	uint32_t *pixels = malloc((size_t)W * H * 4);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			pixels[y * W + x] = 0xff000000u | pixel(seed, x, y);
		}
	}
	return pixels;
}

static void handle_done(void *data, const uint8_t *png, size_t len)
{
	struct delivery *d = data;
	d->calls++;
	d->order = ++delivered;
	uint32_t *got;
	int w, h;
	char why[128];
	if (png == NULL || !png_decode_argb8888(png, len, &got, &w, &h, why, sizeof(why))) {
		return;
	}
	d->matches = w == W && h == H;
	for (int y = 0; d->matches && y < H; y++) {
		for (int x = 0; x < W; x++) {
			if ((got[y * W + x] & 0xffffff) != pixel(d->seed, x, y)) {
				d->matches = false;
				break;
			}
		}
	}
	free(got);
}

/* Dispatches the loop until every job came back, or a few seconds passed. */
static void run_until_idle(struct mosaic_server *server)
{
	for (int i = 0; i < 500 && !wl_list_empty(&server->encode_jobs); i++) {
		wl_event_loop_dispatch(server->loop, 10);
	}
}

int main(void)
{
	struct mosaic_server server = {0};
	server.loop = wl_event_loop_create();
	wl_list_init(&server.encode_jobs);

	/* As many as allowed at once; the next one is refused, its pixels still the caller's. */
	struct delivery d[ENCODE_MAX_JOBS + 1] = {0};
	struct encode_job *jobs[ENCODE_MAX_JOBS];
	const char *why;
	for (int i = 0; i < ENCODE_MAX_JOBS; i++) {
		d[i].seed = i * 31;
		jobs[i] = encode_png_start(
			&server, picture(d[i].seed), W, H, handle_done, &d[i], &why);
		CHECK_MSG(jobs[i] != NULL, "job %d not started: %s", i, why);
	}
	uint32_t *extra = picture(99);
	why = NULL;
	/* Jobs end on the loop only: none has ended yet, however fast the threads were. */
	CHECK_MSG(encode_png_start(&server, extra, W, H, handle_done, &d[ENCODE_MAX_JOBS], &why) ==
			  NULL,
		"job %d started beyond the limit of %d", ENCODE_MAX_JOBS + 1, ENCODE_MAX_JOBS);
	CHECK_MSG(why != NULL && strstr(why, "too many") != NULL, "refused without the reason: %s",
		why != NULL ? why : "(none)");
	free(extra);

	/* Two are cancelled, being encoded and waiting: nobody is called for them. */
	encode_job_cancel(jobs[0]);
	encode_job_cancel(jobs[1]);
	run_until_idle(&server);
	CHECK_MSG(wl_list_empty(&server.encode_jobs), "jobs still running after 5 s");
	for (int i = 0; i < ENCODE_MAX_JOBS; i++) {
		if (i < 2) {
			CHECK_MSG(d[i].calls == 0, "cancelled job %d called back %d time(s)", i,
				d[i].calls);
			continue;
		}
		CHECK_MSG(d[i].calls == 1, "job %d called back %d time(s)", i, d[i].calls);
		CHECK_MSG(d[i].matches, "job %d: the PNG is not its picture", i);
		CHECK_MSG(d[i].order == i - 1, "job %d delivered as number %d", i, d[i].order);
	}
	CHECK_MSG(d[ENCODE_MAX_JOBS].calls == 0, "the refused job called back");

	/* Stopping with jobs in flight: they are waited for and delivered. */
	struct delivery late[2] = {{.seed = 5}, {.seed = 6}};
	for (int i = 0; i < 2; i++) {
		CHECK_MSG(encode_png_start(&server, picture(late[i].seed), W, H, handle_done,
				  &late[i], &why) != NULL,
			"late job %d not started: %s", i, why);
	}
	encode_finish(&server);
	CHECK_MSG(wl_list_empty(&server.encode_jobs), "jobs left after encode_finish");
	for (int i = 0; i < 2; i++) {
		CHECK_MSG(late[i].calls == 1 && late[i].matches,
			"late job %d: %d call(s), picture %s", i, late[i].calls,
			late[i].matches ? "right" : "wrong");
	}
	wl_event_loop_destroy(server.loop);
	return check_result("test-encode");
}
