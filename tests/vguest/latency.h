#ifndef VGUEST_LATENCY_H
#define VGUEST_LATENCY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Flip latency: from pushing PG_FLIP to receiving its flip event, in a
 * histogram of 0.1 ms bins up to LATENCY_RANGE_MS (later ones share an
 * overflow bin; the maximum is kept exactly). Fixed size: memory stays
 * bounded however long the guest runs.
 */
#define LATENCY_BIN_NS INT64_C(100000)
#define LATENCY_RANGE_MS 5000
#define LATENCY_BINS (LATENCY_RANGE_MS * 10)

struct latency {
	uint32_t bins[LATENCY_BINS + 1]; /* [LATENCY_BINS]: everything later */
	uint64_t count;
	uint64_t late; /* events later than the threshold, and flips whose event never came */
	int64_t max_ns;
};

void latency_reset(struct latency *lat);
/* A flip event ns after its PG_FLIP; late if later than late_ns. */
void latency_record(struct latency *lat, int64_t ns, int64_t late_ns);
/* A flip whose event never came (it timed out). */
void latency_missed(struct latency *lat);

/*
 * "lat_max_ms=M.M lat_p99_ms=P.P lat_p50_ms=Q.Q late=L" over n histograms
 * (a percentile is the upper edge of the bin holding it, at most the maximum).
 */
void latency_format(const struct latency *const *lats, size_t n, char *buf, size_t size);

#endif
