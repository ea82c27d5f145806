#ifndef VGUEST_STATS_H
#define VGUEST_STATS_H

#include <stdint.h>

/* What a connector has seen; the exit status is 0 only if all are clean. */
struct stats {
	uint64_t flips;    /* completed page flips */
	uint64_t timeouts; /* response (3000 ms) and flip event (3100 ms) timeouts */
	uint64_t errors;   /* error statuses and backend protocol violations */
};

#endif
