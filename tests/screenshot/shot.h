#ifndef MOSAIC_TESTS_SHOT_H
#define MOSAIC_TESTS_SHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

/*
 * The screenshot suite's side of `mosaicctl expect`: each test's pictures
 * are compared with tests/screenshot/reference/NAME.png within a
 * per-channel tolerance of SHOT_TOLERANCE (the environment's
 * SHOT_TOLERANCE, if set, instead: 0 shows whether the pictures are
 * byte-stable); a failure leaves
 * NAME-actual.png and NAME-diff.png in the build directory's
 * meson-logs/screenshot/ and says so. A missing reference is written from
 * the capture (and fails): that is how references are made, to be looked
 * at before they are committed. The test's arguments are the reference and
 * diff directories (meson passes them).
 */
#define SHOT_TOLERANCE "2"

void shot_init(int argc, char **argv);

/* Runs mosaicctl with args (NULL-terminated); its exit status, its stdout's first line. */
int shot_mosaicctl(const char *const args[], char *line, size_t size);
/* `mosaicctl expect NAME.png ARGS...` within the tolerance; the test fails unless it matches. */
void shot_expect(const char *name, const char *const args[]);
/* The same with the exit status and the result line (expect result=...) given back. */
int shot_compare(const char *name, const char *const args[], char *line, size_t size);
/* `mosaicctl wait-flip GUEST N`; the test fails if that flip is not presented in 20 s. */
void shot_wait_flip(const char *guest, int flip);
/* A control request that must succeed. */
void shot_request(struct harness *h, const char *request);

/* Paths: the references' and the diffs' directories. */
const char *shot_reference_dir(void);
const char *shot_diff_dir(void);

#endif
