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
 * Pixel formats: the nine xen-drm-front advertises, laid out as DRM defines
 * them (little-endian words). XRGB8888 stores 0x00RRGGBB (the X byte is 0 and
 * must be ignored by a reader); the formats with alpha store it full
 * (ARGB8888 0xff, ARGB4444 0xf, ARGB1555 1); the others keep the top bits of
 * each channel, rounded to nearest. YUYV (Y0 Cb Y1 Cr per pair of pixels) is
 * BT.601 limited range; its chroma is that of the pair's average colour.
 * What a correct compositor shows, after the format's quantisation, is
 * vguest_pattern_expected().
 */

#define VGUEST_FOURCC(a, b, c, d)                                                                  \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define VGUEST_FORMAT_XRGB8888 VGUEST_FOURCC('X', 'R', '2', '4')
#define VGUEST_FORMAT_ARGB8888 VGUEST_FOURCC('A', 'R', '2', '4')
#define VGUEST_FORMAT_RGB565 VGUEST_FOURCC('R', 'G', '1', '6')
#define VGUEST_FORMAT_RGB888 VGUEST_FOURCC('R', 'G', '2', '4')
#define VGUEST_FORMAT_XRGB4444 VGUEST_FOURCC('X', 'R', '1', '2')
#define VGUEST_FORMAT_ARGB4444 VGUEST_FOURCC('A', 'R', '1', '2')
#define VGUEST_FORMAT_XRGB1555 VGUEST_FOURCC('X', 'R', '1', '5')
#define VGUEST_FORMAT_ARGB1555 VGUEST_FOURCC('A', 'R', '1', '5')
#define VGUEST_FORMAT_YUYV VGUEST_FOURCC('Y', 'U', 'Y', 'V')

#define VGUEST_PATTERN_BARS 8

/* 0x00RRGGBB of pixel (x, y) of frame `frame` of guest `name` at width x height. */
uint32_t vguest_pattern_pixel(
	const char *name, uint32_t frame, uint32_t width, uint32_t height, uint32_t x, uint32_t y);

/*
 * Draws frame `frame` into pixels (stride bytes per row) in DRM fourcc `format`.
 * Returns false, drawing nothing, if the format is not supported, the stride
 * is smaller than vguest_pattern_row_bytes, or memory runs out.
 */
bool vguest_pattern_fill(void *pixels, uint32_t stride, uint32_t format, const char *name,
	uint32_t frame, uint32_t width, uint32_t height);

/*
 * A deliberate defect, for tests that must see a comparison fail: inverts
 * every bit of pixel (x, y) of a frame drawn by vguest_pattern_fill (for
 * YUYV only the pixel's own Y byte, so that its pair's other pixel keeps
 * its colour). false, changing nothing, outside width x height or for an
 * unsupported format.
 */
bool vguest_pattern_perturb(void *pixels, uint32_t stride, uint32_t format, uint32_t width,
	uint32_t height, uint32_t x, uint32_t y);

/*
 * The XRGB colour (0x00RRGGBB) a correct compositor shows for pixel (x, y)
 * of that frame drawn in `format`: the pattern's colour after the format's
 * quantisation, n-bit channels expanded by bit replication as pixman does;
 * for YUYV, pixman's decoding (fetch_scanline_yuy2) of the values stored for
 * the pixel's pair. Unsupported formats give the unquantised colour.
 */
uint32_t vguest_pattern_expected(const char *name, uint32_t frame, uint32_t width, uint32_t height,
	uint32_t x, uint32_t y, uint32_t format);

/*
 * The largest per-channel difference from vguest_pattern_expected that a
 * correct compositor may show at the stable regions' sample points: 1 for
 * 8-bit channels, 2 for 4/5/6-bit ones and for YUYV (whose pairs have one colour
 * there, so chroma subsampling does not show); -1 for an unsupported format.
 */
int vguest_pattern_tolerance(uint32_t format);

/* Bytes per pixel of a supported format (2, 3 or 4; YUYV 2), 0 for an unsupported one. */
uint32_t vguest_pattern_format_bpp(uint32_t format);

/*
 * Bytes a row of width pixels needs: width * bytes per pixel; YUYV rounds
 * an odd width up to a whole pair. 0 for an unsupported format.
 */
uint32_t vguest_pattern_row_bytes(uint32_t format, uint32_t width);

/* The fourcc of a DRM fourcc name ("RG16", "YUYV", ...), 0 if not one of the nine. */
uint32_t vguest_pattern_format_from_name(const char *name);
/* The DRM fourcc name of a supported format, NULL otherwise. */
const char *vguest_pattern_format_name(uint32_t format);
/* The i-th supported format (0..8), 0 past the last. */
uint32_t vguest_pattern_format_at(unsigned i);

/* The guest's own colour, 0x00RRGGBB, derived from its name only. */
uint32_t vguest_pattern_name_colour(const char *name);

uint32_t vguest_pattern_bar_height(uint32_t height);
uint32_t vguest_pattern_text_width(uint32_t width);
uint32_t vguest_pattern_bar_index(uint32_t x, uint32_t width);
uint32_t vguest_pattern_bar_colour(uint32_t index);
uint32_t vguest_pattern_bar_centre_x(uint32_t index, uint32_t width);

#endif
