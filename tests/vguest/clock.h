#ifndef VGUEST_CLOCK_H
#define VGUEST_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_MSEC INT64_C(1000000)
#define NSEC_PER_SEC INT64_C(1000000000)

/* Monotonic time in nanoseconds; deadlines in the guest are on this clock. */
static inline int64_t clock_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

#endif
