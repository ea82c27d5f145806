/* Log lines a guest can cause: a burst per window, and a count of those left out. */
#include "check.h"
#include "protocol/ratelimit.h"

int main(void)
{
	struct ratelimit rl = {0};
	uint32_t dropped = 99;
	/* A burst of 3 in a window of 1000 ms. */
	CHECK(ratelimit_allow(&rl, 5000, 3, 1000, &dropped) && dropped == 0);
	CHECK(ratelimit_allow(&rl, 5001, 3, 1000, &dropped) && dropped == 0);
	CHECK(ratelimit_allow(&rl, 5002, 3, 1000, &dropped) && dropped == 0);
	for (int i = 0; i < 1000; i++) {
		CHECK(!ratelimit_allow(&rl, 5003 + i / 2, 3, 1000, &dropped) && dropped == 0);
	}
	/* The window ends: the count of those left out comes with the next line. */
	CHECK(ratelimit_allow(&rl, 6000, 3, 1000, &dropped) && dropped == 1000);
	CHECK(ratelimit_allow(&rl, 6001, 3, 1000, &dropped) && dropped == 0);
	CHECK(ratelimit_allow(&rl, 6001, 3, 1000, &dropped) && dropped == 0);
	CHECK(!ratelimit_allow(&rl, 6002, 3, 1000, &dropped) && dropped == 0);
	CHECK_INT(ratelimit_flush(&rl), 1);
	CHECK_INT(ratelimit_flush(&rl), 0);
	/* A window long past: a fresh start. */
	CHECK(ratelimit_allow(&rl, 100000, 3, 1000, &dropped) && dropped == 0);
	return check_result("test-ratelimit");
}
