#ifndef VGUEST_PATTERN_FORMAT_H
#define VGUEST_PATTERN_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The pixel formats xen-drm-front advertises, as the pattern stores them:
 * encoding a row of 0x00RRGGBB colours, and what a reader that expands
 * n-bit channels by bit replication (pixman) and decodes YUYV with pixman's
 * BT.601 equations gets back. Internal to the pattern library.
 */

struct format_info {
	uint32_t fourcc;
	const char *name; /* the DRM fourcc as text, "XR24" */
	uint32_t bytes;   /* bytes per pixel; YUYV: 2 (4 per pair of pixels) */
	int tolerance;    /* see vguest_pattern_tolerance */
};

/* NULL for a format the pattern does not know. */
const struct format_info *format_lookup(uint32_t fourcc);
const struct format_info *format_lookup_name(const char *name);
/* The i-th known format, NULL past the last. */
const struct format_info *format_at(size_t i);

/* Bytes one row of width pixels takes (YUYV: whole pairs). */
uint32_t format_row_bytes(const struct format_info *f, uint32_t width);

/*
 * Encodes width colours into a row. YUYV pairs pixels (2i, 2i + 1); with an
 * odd width the last pixel is paired with itself.
 */
void format_encode_row(
	const struct format_info *f, const uint32_t *rgb, uint32_t width, uint8_t *out);

/*
 * What a reader sees at a pixel whose colour is rgb; for YUYV, partner is the
 * colour of the other pixel of its pair and second whether the pixel is the
 * pair's second one.
 */
uint32_t format_expected(const struct format_info *f, uint32_t rgb, uint32_t partner, bool second);

/* YUYV: pixman's fetch_scanline_yuy2 arithmetic, 0x00RRGGBB. */
uint32_t format_yuv_to_rgb(uint8_t y, uint8_t u, uint8_t v);

#endif
