#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compositor/frame_times.h"

int64_t frame_times_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void add(float *samples, uint32_t *len, double value)
{
	samples[*len % FRAME_TIMES_MAX] = (float)value;
	(*len)++;
}

void frame_times_start(struct frame_times *times, int64_t now, bool skipped)
{
	if (times->last_start_ns != 0) {
		add(times->interval_ms, &times->intervals_len,
			(double)(now - times->last_start_ns) / 1e6);
	}
	times->last_start_ns = now;
	if (skipped) {
		times->skipped++;
	} else {
		times->frame_start_ns = now;
	}
}

void frame_times_done(struct frame_times *times, int64_t now, bool committed)
{
	if (times->frame_start_ns == 0) {
		return;
	}
	if (committed) {
		add(times->compose_ms, &times->composes_len,
			(double)(now - times->frame_start_ns) / 1e6);
	}
	times->frame_start_ns = 0;
}

static int compare_floats(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* p50, p99 and max of the samples held; the array is sorted. */
static void summarize(float *samples, uint32_t len, double *p50, double *p99, double *max)
{
	uint32_t n = len < FRAME_TIMES_MAX ? len : FRAME_TIMES_MAX;
	*p50 = *p99 = *max = 0;
	if (n == 0) {
		return;
	}
	qsort(samples, n, sizeof(*samples), compare_floats);
	*p50 = samples[(n - 1) / 2];
	*p99 = samples[(uint32_t)((double)(n - 1) * 0.99)];
	*max = samples[n - 1];
}

void frame_times_take(struct frame_times *times, double period_ms,
	struct frame_times_figures *figures)
{
	memset(figures, 0, sizeof(*figures));
	figures->frames = times->intervals_len;
	figures->skipped = times->skipped;
	uint32_t n = times->intervals_len < FRAME_TIMES_MAX ? times->intervals_len : FRAME_TIMES_MAX;
	for (uint32_t i = 0; i < n; i++) {
		figures->late += times->interval_ms[i] > 1.5 * period_ms;
	}
	summarize(times->interval_ms, times->intervals_len, &figures->interval_p50,
		&figures->interval_p99, &figures->interval_max);
	summarize(times->compose_ms, times->composes_len, &figures->compose_p50,
		&figures->compose_p99, &figures->compose_max);
	times->intervals_len = times->composes_len = 0;
	times->skipped = 0;
}
