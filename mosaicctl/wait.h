#ifndef MOSAIC_MOSAICCTL_WAIT_H
#define MOSAIC_MOSAICCTL_WAIT_H

#include <stdbool.h>
#include <stddef.h>

#include "mosaicctl/mosaicctl.h"

/* Seconds (0 to 3600, fractions allowed) as milliseconds; false if text is not that. */
bool wait_parse_seconds(const char *text, int *ms);

/*
 * Waits for a frame of the output (NULL: the first) after seq (NULL: the
 * last one so far); false on timeout or error (in why).
 */
bool wait_for_frame(const struct ctl *ctl, const char *output, const char *seq, int ms,
	char *why, size_t why_size);

/* Waits for a guest to have presented a flip at all: it is connected and shown. */
bool wait_for_guest(const struct ctl *ctl, const char *guest, int ms);

#endif
