#ifndef VGUEST_PATTERN_H
#define VGUEST_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The virtual guest's deterministic test pattern. A frame depends only on
 * (name, frame, width, height), so a test can compute the expected colour of
 * any pixel with vguest_pattern_pixel().
 *
 * Layout, with W = width and H = height, all divisions integer (rounding down):
 *
 *   bar_height = vguest_pattern_bar_height(H) = (2 * H) / 3
 *   text_width = vguest_pattern_text_width(W) = (3 * W) / 8
 *
 *   - Bars: rows y < bar_height. Pixel (x, y) has the colour of bar
 *     i = (8 * x) / W (vguest_pattern_bar_index), in this order:
 *     white, yellow, cyan, green, magenta, red, blue, black
 *     (vguest_pattern_bar_colour). Bar i spans x in [ceil(i * W / 8), ceil((i + 1) * W / 8)).
 *   - Band: rows y >= bar_height, filled with the guest's colour
 *     (vguest_pattern_name_colour(name)), except in the text box.
 *   - Text box: x < text_width and y >= bar_height. It shows the guest's name and
 *     "frame N" in white glyphs with a black shadow, on the guest's colour.
 *     This is the only part of a frame that changes from frame to frame.
 *
 * Stable regions (the same in every frame of a guest, whatever its name length):
 *   - every bar: x in [ceil(i * W / 8), ceil((i + 1) * W / 8)), y in [0, bar_height);
 *     its centre (vguest_pattern_bar_centre_x(i, W), bar_height / 2) is a safe sample;
 *   - the band right of the text box: x in [text_width, W), y in [bar_height, H);
 *     its centre ((text_width + W) / 2, (bar_height + H) / 2) is a safe sample.
 *
 * Pixel formats: XRGB8888 stores 0x00RRGGBB (the X byte is 0 and must be
 * ignored by a reader); ARGB8888 stores 0xffRRGGBB: alpha is 0xff everywhere.
 * Both are little-endian 32-bit words, as DRM defines them.
 */

#define VGUEST_FOURCC(a, b, c, d)                                                                  \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define VGUEST_FORMAT_XRGB8888 VGUEST_FOURCC('X', 'R', '2', '4')
#define VGUEST_FORMAT_ARGB8888 VGUEST_FOURCC('A', 'R', '2', '4')

#define VGUEST_PATTERN_BARS 8

/* 0x00RRGGBB of pixel (x, y) of frame `frame` of guest `name` at width x height. */
uint32_t vguest_pattern_pixel(
	const char *name, uint32_t frame, uint32_t width, uint32_t height, uint32_t x, uint32_t y);

/*
 * Draws frame `frame` into pixels (stride bytes per row) in DRM fourcc `format`.
 * Returns false, drawing nothing, if the format is not supported.
 */
bool vguest_pattern_fill(void *pixels, uint32_t stride, uint32_t format, const char *name,
	uint32_t frame, uint32_t width, uint32_t height);

/* Bytes per pixel of a supported format, 0 for an unsupported one. */
uint32_t vguest_pattern_format_bpp(uint32_t format);

/* The guest's own colour, 0x00RRGGBB, derived from its name only. */
uint32_t vguest_pattern_name_colour(const char *name);

uint32_t vguest_pattern_bar_height(uint32_t height);
uint32_t vguest_pattern_text_width(uint32_t width);
uint32_t vguest_pattern_bar_index(uint32_t x, uint32_t width);
uint32_t vguest_pattern_bar_colour(uint32_t index);
uint32_t vguest_pattern_bar_centre_x(uint32_t index, uint32_t width);

#endif
