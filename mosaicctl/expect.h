#ifndef MOSAIC_MOSAICCTL_EXPECT_H
#define MOSAIC_MOSAICCTL_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "mosaicctl/compare.h"
#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/target.h"

#define EXPECT_MAX_MASKS 64

/* An expect command: its options, the reference picture, and how many captures it took. */
struct expect {
	const char *reference;
	struct target target;
	struct compare_options options;
	struct compare_rect masks[EXPECT_MAX_MASKS];
	int timeout_ms;
	const char *diff_dir;
	bool verbose; // a line per capture that does not match yet

	bool missing; // there is no reference yet: the capture becomes it
	uint32_t *reference_pixels;
	int reference_width, reference_height;
	int tries;
};

/*
 * What expect says, on stdout (a data line, JSON with -j) and, when it
 * fails, on stderr. A result is NULL when the sizes differ.
 */
void expect_report_match(
	const struct ctl *ctl, const struct expect *e, const struct capture *c, uint64_t compared);
void expect_report_progress(const struct ctl *ctl, const struct expect *e,
	const struct capture *c, const struct compare_result *result);
/* Writes the capture as the reference, for a person to look at. */
void expect_report_missing(const struct ctl *ctl, const struct expect *e, const struct capture *c);
/* Writes the capture and its diff picture into the diff directory. */
void expect_report_mismatch(const struct ctl *ctl, const struct expect *e,
	const struct capture *c, const struct compare_result *result);

#endif
