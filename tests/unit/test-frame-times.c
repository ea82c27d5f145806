/* An output's frame figures for `mosaicctl frame-times`: intervals, late ticks, composition. */
#include "check.h"
#include "compositor/frame_times.h"

#define MS 1000000LL

static bool near(double a, double b)
{
	return a > b - 0.01 && a < b + 0.01;
}

int main(void)
{
	static struct frame_times times;
	struct frame_times_figures f;
	/* 100 frames on a 16 ms grid, each composed in 3 ms, one in 12; tick 50 comes 30 ms late. */
	int64_t t = 1000 * MS;
	for (int i = 0; i < 100; i++) {
		t += i == 50 ? 46 * MS : 16 * MS;
		frame_times_start(&times, t, false);
		frame_times_done(&times, t + (i == 70 ? 12 : 3) * MS, true);
	}
	/* One tick finds its frame still being drawn. */
	t += 16 * MS;
	frame_times_start(&times, t, false);
	frame_times_start(&times, t + 16 * MS, true);
	frame_times_done(&times, t + 20 * MS, true);
	frame_times_take(&times, 16.0, &f);
	CHECK_INT(f.frames, 101); // intervals between 102 ticks
	CHECK_INT(f.skipped, 1);
	CHECK_INT(f.late, 1);
	CHECK(near(f.interval_p50, 16) && near(f.interval_max, 46));
	CHECK(near(f.interval_p99, 16)); // one in a hundred
	CHECK(near(f.compose_p50, 3) && near(f.compose_max, 20));
	CHECK(f.compose_p99 >= 3 && f.compose_p99 <= 12);
	/* Taken: the next figures start from nothing. */
	frame_times_take(&times, 16.0, &f);
	CHECK_INT(f.frames, 0);
	CHECK_INT(f.skipped, 0);
	CHECK(f.compose_max == 0);
	/* Nothing committed: no composition time. */
	frame_times_start(&times, t + 40 * MS, false);
	frame_times_done(&times, t + 45 * MS, false);
	frame_times_take(&times, 16.0, &f);
	CHECK(f.compose_max == 0);
	CHECK_INT(f.frames, 1);
	/* More than the arrays hold: the last ones count. */
	for (int i = 0; i < FRAME_TIMES_MAX + 10; i++) {
		t += (i < 5 ? 100 : 16) * MS;
		frame_times_start(&times, t, false);
		frame_times_done(&times, t + MS, true);
	}
	frame_times_take(&times, 16.0, &f);
	CHECK_INT(f.frames, FRAME_TIMES_MAX + 10);
	CHECK(near(f.interval_max, 16));
	return check_result("test-frame-times");
}
