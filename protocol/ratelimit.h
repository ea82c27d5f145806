#ifndef MOSAIC_PROTOCOL_RATELIMIT_H
#define MOSAIC_PROTOCOL_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Log lines a guest can cause, limited: at most a burst of them per window,
 * so that a guest that repeats its error cannot flood the log (nor take the
 * time of writing it). Pure: the caller gives the time.
 */
struct ratelimit {
	int64_t window_start_ms;
	uint32_t count, suppressed;
	bool started;
};

/*
 * Whether a line may go out at now_ms. *dropped (when not 0) is the number
 * left out in the window that has just ended: say so first.
 */
bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms, uint32_t burst, int64_t window_ms,
	uint32_t *dropped);
/* Lines left out so far in this window, and the count starts again (the source goes). */
uint32_t ratelimit_flush(struct ratelimit *rl);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t ratelimit_now_ms(void);

#endif
