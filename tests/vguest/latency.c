#include "latency.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

void latency_reset(struct latency *lat)
{
	memset(lat, 0, sizeof(*lat));
}

void latency_record(struct latency *lat, int64_t ns, int64_t late_ns)
{
	if (ns < 0) {
		ns = 0;
	}
	int64_t bin = ns / LATENCY_BIN_NS;
	lat->bins[bin < LATENCY_BINS ? bin : LATENCY_BINS]++;
	lat->count++;
	if (ns > lat->max_ns) {
		lat->max_ns = ns;
	}
	if (ns > late_ns) {
		lat->late++;
	}
}

void latency_missed(struct latency *lat)
{
	lat->late++;
}

static int64_t percentile_ns(const struct latency *const *lats, size_t n, uint64_t count,
	int64_t max_ns, unsigned pct)
{
	if (count == 0) {
		return 0;
	}
	/* The smallest bin at which at least pct% of the events are in. */
	uint64_t want = (count * pct + 99) / 100;
	uint64_t seen = 0;
	for (int64_t b = 0; b <= LATENCY_BINS; b++) {
		for (size_t i = 0; i < n; i++) {
			seen += lats[i]->bins[b];
		}
		if (seen >= want) {
			int64_t edge = b < LATENCY_BINS ? (b + 1) * LATENCY_BIN_NS : max_ns;
			return edge < max_ns ? edge : max_ns;
		}
	}
	return max_ns;
}

void latency_format(const struct latency *const *lats, size_t n, char *buf, size_t size)
{
	uint64_t count = 0, late = 0;
	int64_t max_ns = 0;
	for (size_t i = 0; i < n; i++) {
		count += lats[i]->count;
		late += lats[i]->late;
		if (lats[i]->max_ns > max_ns) {
			max_ns = lats[i]->max_ns;
		}
	}
	int64_t p99 = percentile_ns(lats, n, count, max_ns, 99);
	int64_t p50 = percentile_ns(lats, n, count, max_ns, 50);
	snprintf(buf, size, "lat_max_ms=%.1f lat_p99_ms=%.1f lat_p50_ms=%.1f late=%" PRIu64,
		(double)max_ns / NSEC_PER_MSEC, (double)p99 / NSEC_PER_MSEC,
		(double)p50 / NSEC_PER_MSEC, late);
}
