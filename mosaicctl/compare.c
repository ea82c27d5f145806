#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaicctl/compare.h"

static bool masked(const struct compare_options *options, int x, int y)
{
	for (size_t i = 0; i < options->masks_len; i++) {
		const struct compare_rect *m = &options->masks[i];
		if (x >= m->x && y >= m->y && x - m->x < m->width && y - m->y < m->height) {
			return true;
		}
	}
	return false;
}

static int channel(uint32_t pixel, int c)
{
	return (int)((pixel >> (16 - 8 * c)) & 0xff);
}

/* Whether a compared pixel is off by more than the tolerance; the deltas go to max. */
static bool differs(uint32_t a, uint32_t b, const int tolerance[3], int max[3])
{
	bool off = false;
	for (int c = 0; c < 3; c++) {
		int d = abs(channel(a, c) - channel(b, c));
		if (d > max[c]) {
			max[c] = d;
		}
		off = off || d > tolerance[c];
	}
	return off;
}

void compare_pictures(const uint32_t *reference, const uint32_t *capture, int width, int height,
	const struct compare_options *options, struct compare_result *result)
{
	memset(result, 0, sizeof(*result));
	int x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;
	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++) {
			if (masked(options, x, y)) {
				continue;
			}
			result->compared++;
			size_t i = (size_t)y * width + x;
			if (!differs(reference[i], capture[i], options->tolerance,
				    result->max_delta)) {
				continue;
			}
			if (result->differing++ == 0) {
				result->first_x = x;
				result->first_y = y;
				result->first_reference = reference[i] & 0xffffff;
				result->first_capture = capture[i] & 0xffffff;
			}
			x0 = x < x0 ? x : x0;
			y0 = y < y0 ? y : y0;
			x1 = x > x1 ? x : x1;
			y1 = y > y1 ? y : y1;
		}
	}
	if (result->differing > 0) {
		result->box = (struct compare_rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
	}
}

uint32_t *compare_diff_picture(const uint32_t *reference, const uint32_t *capture, int width,
	int height, const struct compare_options *options)
{
	uint32_t *diff = malloc((size_t)width * height * 4);
	if (diff == NULL) {
		return NULL;
	}
	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++) {
			size_t i = (size_t)y * width + x;
			uint32_t p = capture[i];
			/* A dark grey keeps the picture recognisable behind the red. */
			uint32_t grey =
				24 + (uint32_t)(channel(p, 0) + channel(p, 1) + channel(p, 2)) / 6;
			int max[3] = {0};
			if (masked(options, x, y)) {
				diff[i] = grey / 2 << 16 | grey / 2 << 8 | (grey + 96);
			} else if (differs(reference[i], p, options->tolerance, max)) {
				diff[i] = 0xff0000;
			} else {
				diff[i] = grey << 16 | grey << 8 | grey;
			}
		}
	}
	return diff;
}

static bool parse_int(const char **p, long min, long max, long *out)
{
	char *end;
	if (**p < '0' || **p > '9') {
		return false;
	}
	long v = strtol(*p, &end, 10);
	if (end == *p || v < min || v > max) {
		return false;
	}
	*p = end;
	*out = v;
	return true;
}

bool compare_parse_tolerance(const char *text, int tolerance[3])
{
	const char *p = text;
	long v[3];
	if (!parse_int(&p, 0, 255, &v[0])) {
		return false;
	}
	if (*p == '\0') {
		tolerance[0] = tolerance[1] = tolerance[2] = (int)v[0];
		return true;
	}
	if (*p++ != ',' || !parse_int(&p, 0, 255, &v[1]) || *p++ != ',' ||
		!parse_int(&p, 0, 255, &v[2]) || *p != '\0') {
		return false;
	}
	for (int c = 0; c < 3; c++) {
		tolerance[c] = (int)v[c];
	}
	return true;
}
