#ifndef MOSAIC_MOSAICCTL_TARGET_H
#define MOSAIC_MOSAICCTL_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mosaicctl/mosaicctl.h"

/* What to capture: an output (NULL: the first), a rectangle of it, or a guest's picture. */
struct target {
	const char *output;
	const char *rect; // "rect=X,Y,W,H" for the request
	const char *guest;
	char rect_word[64], guest_word[160];
};

/* A picture mosaic sent for a target. */
struct capture {
	uint32_t *pixels; // XRGB8888
	int width, height;
	char output[128];  // the output it came from
	unsigned long seq; // the output's frame it shows (or a later one)
};

/*
 * Takes the target's option at argv[*i] (-o, --rect, --surface) and its
 * value, moving *i past them; *taken says whether it was one. false, with a
 * message naming command, for a missing or bad value.
 */
bool target_parse_option(
	struct target *target, const char *command, int argc, char **argv, int *i, bool *taken);

/* The screenshot request for a target: words[] ends with NULL. */
void target_request(const struct target *target, const char *words[5]);

/*
 * 1: captured; 0: mosaic answered an error (in why); -1: mosaic cannot be
 * reached, or its picture is broken (said on stderr).
 */
int target_capture(const struct ctl *ctl, const struct target *target, struct capture *capture,
	char *why, size_t why_size);
void capture_finish(struct capture *capture);

#endif
