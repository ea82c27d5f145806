#include <time.h>

#include "protocol/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms, uint32_t burst, int64_t window_ms,
	uint32_t *dropped)
{
	*dropped = 0;
	if (!rl->started || now_ms - rl->window_start_ms >= window_ms) {
		*dropped = rl->suppressed;
		rl->started = true;
		rl->window_start_ms = now_ms;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count >= burst) {
		rl->suppressed++;
		return false;
	}
	rl->count++;
	return true;
}

uint32_t ratelimit_flush(struct ratelimit *rl)
{
	uint32_t n = rl->suppressed;
	rl->suppressed = 0;
	return n;
}

int64_t ratelimit_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
