#ifndef MOSAIC_COMPOSITOR_FRAME_TIMES_H
#define MOSAIC_COMPOSITOR_FRAME_TIMES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Where an output's frame time goes, for `mosaicctl frame-times`: how far
 * apart its frames start (a tick late because the loop was busy shows here),
 * and how long a frame takes from its start to its commit (composition on
 * the loop and on the thread). The last FRAME_TIMES_MAX of each since the
 * last query.
 */
#define FRAME_TIMES_MAX 4096

struct frame_times {
	int64_t last_start_ns; // 0: none yet
	int64_t frame_start_ns; // the frame in flight, 0: none
	uint32_t skipped; // ticks that found the last frame still being drawn
	uint32_t intervals_len, composes_len; // samples taken (the arrays hold the last ones)
	float interval_ms[FRAME_TIMES_MAX];
	float compose_ms[FRAME_TIMES_MAX];
};

struct frame_times_figures {
	uint32_t frames, skipped, late; // late: started over 1.5 periods after the last
	double interval_p50, interval_p99, interval_max; // ms
	double compose_p50, compose_p99, compose_max; // ms, committed frames
};

/* CLOCK_MONOTONIC in ns, the times' clock. */
int64_t frame_times_now(void);
/* A tick: the output's frame starts at now (skipped: the last one is still being drawn). */
void frame_times_start(struct frame_times *times, int64_t now, bool skipped);
/* The frame started last was committed, or nothing needed committing. */
void frame_times_done(struct frame_times *times, int64_t now, bool committed);
/* The figures since the last call, at an output period of period_ms; starts again. */
void frame_times_take(struct frame_times *times, double period_ms,
	struct frame_times_figures *figures);

#endif
