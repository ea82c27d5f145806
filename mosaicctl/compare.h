#ifndef MOSAIC_MOSAICCTL_COMPARE_H
#define MOSAIC_MOSAICCTL_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A capture against a reference picture, as screenshot tests compare them:
 * a tolerance per channel, masked regions left out, the differing pixels
 * counted and boxed, and a diff picture for people to look at. Pictures are
 * XRGB8888 words (0xXXRRGGBB, the X byte ignored), stride width * 4.
 */

struct compare_rect {
	int x, y, width, height;
};

struct compare_options {
	int tolerance[3]; // R, G, B: the largest difference that still matches (0..255)
	const struct compare_rect *masks; // left out of the comparison, capture coordinates
	size_t masks_len;
};

struct compare_result {
	uint64_t compared;       // pixels not masked
	uint64_t differing;      // pixels off by more than the tolerance in some channel
	struct compare_rect box; // the differing pixels' bounding box; 0x0 if none
	int max_delta[3];        // the largest difference per channel among the compared pixels
	/* The first differing pixel, row by row, and its colours. */
	int first_x, first_y;
	uint32_t first_reference, first_capture;
};

void compare_pictures(const uint32_t *reference, const uint32_t *capture, int width, int height,
	const struct compare_options *options, struct compare_result *result);

/*
 * The diff picture (malloc'd, NULL if out of memory): matching pixels as
 * the capture's, dimmed to grey; masked ones the same, tinted blue;
 * differing ones bright red.
 */
uint32_t *compare_diff_picture(const uint32_t *reference, const uint32_t *capture, int width,
	int height, const struct compare_options *options);

/* "N" (every channel) or "R,G,B", each 0..255. */
bool compare_parse_tolerance(const char *text, int tolerance[3]);

#endif
