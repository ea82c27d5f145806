#ifndef MOSAIC_TESTS_GUESTS_H
#define MOSAIC_TESTS_GUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

/* Where mosaic says a guest connector is, from `surfaces`. */
struct surface_info {
	char label[64];
	char state[16];
	long domid, dev, conn;
	long x, y, width, height;
	long res_width, res_height;
};

bool guests_find_surface(struct harness *h, long domid, long dev, long conn,
	struct surface_info *out);

/*
 * Compares the stable regions of the guest's pattern (bar centres, the band)
 * with the screenshot where the surface is shown. Returns the number of
 * samples off by more than tolerance in any channel; describes the first.
 */
int guests_check_pattern(const uint32_t *pixels, int width, int height,
	const struct surface_info *surface, const char *name, int tolerance);

/* The same for a guest drawing in DRM fourcc format, with the format's own tolerance. */
int guests_check_pattern_format(const uint32_t *pixels, int width, int height,
	const struct surface_info *surface, const char *name, uint32_t format);

/* The colour at the surface's centre. */
uint32_t guests_centre_colour(const uint32_t *pixels, int width, int height,
	const struct surface_info *surface);

bool colour_close(uint32_t a, uint32_t b, int tolerance);

#endif
