#ifndef MOSAIC_TESTS_CHECK_H
#define MOSAIC_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * Minimal checks for the unit tests: each failure is reported where it
 * happened and counted; check_result() ends the test.
 */
static int check_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

/* With a message of its own, printf style. */
#define CHECK_MSG(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long got_ = (long long)(got), want_ = (long long)(want);                      \
		if (got_ != want_) {                                                               \
			fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__,  \
				#got, got_, want_);                                                \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_DOUBLE(got, want)                                                                    \
	do {                                                                                       \
		double got_ = (got), want_ = (want);                                               \
		if (fabs(got_ - want_) > 1e-6) {                                                   \
			fprintf(stderr, "%s:%d: %s is %g, expected %g\n", __FILE__, __LINE__,      \
				#got, got_, want_);                                                \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *got_ = (got), *want_ = (want);                                         \
		if ((got_ == NULL) != (want_ == NULL) ||                                           \
			(got_ != NULL && strcmp(got_, want_) != 0)) {                              \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,        \
				__LINE__, #got, got_ ? got_ : "(null)", want_ ? want_ : "(null)"); \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

/* A rectangle's x, y, width, height: whole numbers (RECT) or fractions (FBOX). */
#define CHECK_RECT(r, X, Y, W, H)                                                                  \
	do {                                                                                       \
		CHECK_INT((r).x, X);                                                               \
		CHECK_INT((r).y, Y);                                                               \
		CHECK_INT((r).width, W);                                                           \
		CHECK_INT((r).height, H);                                                          \
	} while (0)

#define CHECK_FBOX(b, X, Y, W, H)                                                                  \
	do {                                                                                       \
		CHECK_DOUBLE((b).x, X);                                                            \
		CHECK_DOUBLE((b).y, Y);                                                            \
		CHECK_DOUBLE((b).width, W);                                                        \
		CHECK_DOUBLE((b).height, H);                                                       \
	} while (0)

static inline int check_result(const char *name)
{
	if (check_failures > 0) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
