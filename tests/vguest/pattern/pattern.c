#include "pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "format.h"

/* Internal: host-order 32-bit words 0x00RRGGBB, the scratch the other formats are encoded from. */
#define FORMAT_NATIVE 0u

/* Longest name drawn; longer names are cut (the text box clips anyway). */
#define TEXT_MAX_CHARS 64
/* The scale is chosen so that this many characters fit in the text box. */
#define TEXT_MIN_FIT_CHARS 12
#define TEXT_LINES 2

static const uint32_t bar_colours[VGUEST_PATTERN_BARS] = {
	0xffffff, /* white */
	0xffff00, /* yellow */
	0x00ffff, /* cyan */
	0x00ff00, /* green */
	0xff00ff, /* magenta */
	0xff0000, /* red */
	0x0000ff, /* blue */
	0x000000, /* black */
};

#define TEXT_WHITE 0xffffff
#define TEXT_SHADOW 0x000000

/*
 * Where the text goes. Glyph pixels are scale x scale squares; characters
 * advance by 6 glyph pixels (5 + 1 gap), lines by 10 (7 + shadow + gap).
 * The shadow is the glyph shifted by one glyph pixel right and down.
 */
struct text_layout {
	uint32_t box_width; /* text box: x < box_width ... */
	uint32_t box_top;   /* ... and y >= box_top */
	uint32_t scale;
	uint32_t x0, y0;     /* top-left of line 0 */
	uint32_t char_pitch; /* 6 * scale */
	uint32_t line_pitch; /* 10 * scale */
	char lines[TEXT_LINES][TEXT_MAX_CHARS + 1];
	size_t lens[TEXT_LINES];
};

uint32_t vguest_pattern_bar_height(uint32_t height)
{
	return (uint32_t)(((uint64_t)height * 2) / 3);
}

uint32_t vguest_pattern_text_width(uint32_t width)
{
	return (uint32_t)(((uint64_t)width * 3) / 8);
}

uint32_t vguest_pattern_bar_index(uint32_t x, uint32_t width)
{
	if (width == 0) {
		return 0;
	}
	uint64_t i = ((uint64_t)x * VGUEST_PATTERN_BARS) / width;
	return i < VGUEST_PATTERN_BARS ? (uint32_t)i : VGUEST_PATTERN_BARS - 1;
}

uint32_t vguest_pattern_bar_colour(uint32_t index)
{
	return index < VGUEST_PATTERN_BARS ? bar_colours[index] : 0;
}

uint32_t vguest_pattern_bar_centre_x(uint32_t index, uint32_t width)
{
	return (uint32_t)(((uint64_t)(2 * index + 1) * width) / (2 * VGUEST_PATTERN_BARS));
}

static uint32_t fnv1a32(const char *s)
{
	uint32_t h = 0x811c9dc5u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x01000193u;
	}
	return h;
}

uint32_t vguest_pattern_name_colour(const char *name)
{
	/*
	 * A hue from the name's hash at saturation 0.7, value 0.8: never one of
	 * the bar colours, never too dark or too light for white text with a
	 * black shadow. The shift spreads "cluster", "infotainment" and
	 * "rear-seat" at least 89 degrees apart.
	 */
	uint32_t hue = (fnv1a32(name ? name : "") >> 4) % 360;
	const uint32_t v = 204, m = 61;
	uint32_t f = hue % 60;
	uint32_t rise = m + (v - m) * f / 60;
	uint32_t fall = v - (v - m) * f / 60;
	uint32_t r, g, b;
	switch (hue / 60) {
	case 0:
		r = v, g = rise, b = m;
		break;
	case 1:
		r = fall, g = v, b = m;
		break;
	case 2:
		r = m, g = v, b = rise;
		break;
	case 3:
		r = m, g = fall, b = v;
		break;
	case 4:
		r = rise, g = m, b = v;
		break;
	default:
		r = v, g = m, b = fall;
		break;
	}
	return (r << 16) | (g << 8) | b;
}

static void text_layout_init(
	struct text_layout *t, const char *name, uint32_t frame, uint32_t width, uint32_t height)
{
	memset(t, 0, sizeof(*t));
	t->box_width = vguest_pattern_text_width(width);
	t->box_top = vguest_pattern_bar_height(height);

	snprintf(t->lines[0], sizeof(t->lines[0]), "%s", name ? name : "");
	snprintf(t->lines[1], sizeof(t->lines[1]), "frame %u", frame);
	for (int i = 0; i < TEXT_LINES; i++) {
		t->lens[i] = strlen(t->lines[i]);
	}

	/*
	 * Readable at 640x480 and above (scale 3 there), and independent of the
	 * frame counter so the text does not jump as the counter grows.
	 */
	size_t chars = t->lens[0] > TEXT_MIN_FIT_CHARS ? t->lens[0] : TEXT_MIN_FIT_CHARS;
	uint32_t by_height = height / 160;
	uint32_t by_width = (uint32_t)(t->box_width / (6 * chars + 4));
	uint32_t scale = by_height < by_width ? by_height : by_width;
	t->scale = scale > 0 ? scale : 1;

	t->char_pitch = 6 * t->scale;
	t->line_pitch = 10 * t->scale;
	t->x0 = 2 * t->scale;
	t->y0 = t->box_top + 2 * t->scale;
}

/* Whether an unclipped glyph (not shadow) pixel covers (x, y). */
static bool text_glyph_at(const struct text_layout *t, uint32_t x, uint32_t y)
{
	if (x < t->x0 || y < t->y0) {
		return false;
	}
	uint32_t line = (y - t->y0) / t->line_pitch;
	if (line >= TEXT_LINES) {
		return false;
	}
	uint32_t row = ((y - t->y0) % t->line_pitch) / t->scale;
	uint32_t index = (x - t->x0) / t->char_pitch;
	if (index >= t->lens[line]) {
		return false;
	}
	uint32_t col = ((x - t->x0) % t->char_pitch) / t->scale;
	return font_glyph_pixel(t->lines[line][index], col, row);
}

/* 0: no text at (x, y); 1: glyph; 2: shadow. Clipped to the text box. */
static int text_at(const struct text_layout *t, uint32_t x, uint32_t y)
{
	if (x >= t->box_width || y < t->box_top) {
		return 0;
	}
	if (text_glyph_at(t, x, y)) {
		return 1;
	}
	if (x >= t->scale && y >= t->scale && text_glyph_at(t, x - t->scale, y - t->scale)) {
		return 2;
	}
	return 0;
}

uint32_t vguest_pattern_pixel(
	const char *name, uint32_t frame, uint32_t width, uint32_t height, uint32_t x, uint32_t y)
{
	if (y < vguest_pattern_bar_height(height)) {
		return bar_colours[vguest_pattern_bar_index(x, width)];
	}
	if (x < vguest_pattern_text_width(width)) {
		struct text_layout t;
		text_layout_init(&t, name, frame, width, height);
		switch (text_at(&t, x, y)) {
		case 1:
			return TEXT_WHITE;
		case 2:
			return TEXT_SHADOW;
		default:
			break;
		}
	}
	return vguest_pattern_name_colour(name);
}

uint32_t vguest_pattern_format_bpp(uint32_t format)
{
	const struct format_info *f = format_lookup(format);
	return f != NULL ? f->bytes : 0;
}

uint32_t vguest_pattern_row_bytes(uint32_t format, uint32_t width)
{
	const struct format_info *f = format_lookup(format);
	return f != NULL ? format_row_bytes(f, width) : 0;
}

uint32_t vguest_pattern_format_from_name(const char *name)
{
	const struct format_info *f = format_lookup_name(name);
	return f != NULL ? f->fourcc : 0;
}

const char *vguest_pattern_format_name(uint32_t format)
{
	const struct format_info *f = format_lookup(format);
	return f != NULL ? f->name : NULL;
}

uint32_t vguest_pattern_format_at(unsigned i)
{
	const struct format_info *f = format_at(i);
	return f != NULL ? f->fourcc : 0;
}

int vguest_pattern_tolerance(uint32_t format)
{
	const struct format_info *f = format_lookup(format);
	return f != NULL ? f->tolerance : -1;
}

uint32_t vguest_pattern_expected(const char *name, uint32_t frame, uint32_t width, uint32_t height,
	uint32_t x, uint32_t y, uint32_t format)
{
	uint32_t rgb = vguest_pattern_pixel(name, frame, width, height, x, y);
	const struct format_info *f = format_lookup(format);
	if (f == NULL) {
		return rgb;
	}
	uint32_t partner = rgb;
	bool second = (x & 1) != 0;
	if (f->fourcc == VGUEST_FORMAT_YUYV) {
		/* The other pixel of the pair; an odd width's last pixel pairs with itself. */
		uint32_t px = second ? x - 1 : x + 1;
		if (px < width) {
			partner = vguest_pattern_pixel(name, frame, width, height, px, y);
		}
	}
	return format_expected(f, rgb, partner, second);
}

/* Stores 0x00RRGGBB at p: XRGB8888, ARGB8888 or FORMAT_NATIVE. */
static void store_pixel(uint8_t *p, uint32_t format, uint32_t rgb)
{
	switch (format) {
	case VGUEST_FORMAT_XRGB8888:
	case VGUEST_FORMAT_ARGB8888:
		/* Little-endian 32-bit word whatever the host's byte order. */
		p[0] = (uint8_t)rgb;
		p[1] = (uint8_t)(rgb >> 8);
		p[2] = (uint8_t)(rgb >> 16);
		p[3] = format == VGUEST_FORMAT_ARGB8888 ? 0xff : 0x00;
		break;
	case FORMAT_NATIVE:
		memcpy(p, &rgb, sizeof(rgb));
		break;
	default:
		break;
	}
}

/* Fills rows [y0, y1) with copies of the first row, which the caller drew. */
static void replicate_row(
	uint8_t *base, uint32_t stride, uint32_t row_bytes, uint32_t y0, uint32_t y1)
{
	const uint8_t *src = base + (size_t)y0 * stride;
	for (uint32_t y = y0 + 1; y < y1; y++) {
		memcpy(base + (size_t)y * stride, src, row_bytes);
	}
}

static void fill_rect(uint8_t *base, uint32_t stride, uint32_t format, uint32_t bpp, uint32_t x0,
	uint32_t y0, uint32_t x1, uint32_t y1, uint32_t rgb)
{
	for (uint32_t y = y0; y < y1; y++) {
		uint8_t *row = base + (size_t)y * stride;
		for (uint32_t x = x0; x < x1; x++) {
			store_pixel(row + (size_t)x * bpp, format, rgb);
		}
	}
}

/* Draws glyphs (or their shadows, shifted by `shift`) clipped to the text box. */
static void draw_text(uint8_t *base, uint32_t stride, uint32_t format, uint32_t bpp,
	const struct text_layout *t, uint32_t height, uint32_t shift, uint32_t rgb)
{
	uint32_t s = t->scale;
	for (int line = 0; line < TEXT_LINES; line++) {
		for (size_t i = 0; i < t->lens[line]; i++) {
			for (uint32_t row = 0; row < FONT_GLYPH_HEIGHT; row++) {
				for (uint32_t col = 0; col < FONT_GLYPH_WIDTH; col++) {
					if (!font_glyph_pixel(t->lines[line][i], col, row)) {
						continue;
					}
					uint64_t x0 = t->x0 + (uint64_t)i * t->char_pitch +
						      (uint64_t)col * s + shift;
					uint64_t y0 = t->y0 + (uint64_t)line * t->line_pitch +
						      (uint64_t)row * s + shift;
					uint64_t x1 = x0 + s, y1 = y0 + s;
					if (x1 > t->box_width) {
						x1 = t->box_width;
					}
					if (y1 > height) {
						y1 = height;
					}
					if (x0 >= x1 || y0 >= y1) {
						continue;
					}
					fill_rect(base, stride, format, bpp, (uint32_t)x0,
						(uint32_t)y0, (uint32_t)x1, (uint32_t)y1, rgb);
				}
			}
		}
	}
}

/* Draws a frame with 4-byte pixels: XRGB8888, ARGB8888 or FORMAT_NATIVE. */
static void draw32(uint8_t *base, uint32_t stride, uint32_t format, const char *name,
	uint32_t frame, uint32_t width, uint32_t height)
{
	const uint32_t bpp = 4;
	uint32_t row_bytes = width * bpp;
	uint32_t bar_height = vguest_pattern_bar_height(height);

	if (bar_height > 0) {
		for (uint32_t x = 0; x < width; x++) {
			uint32_t rgb = bar_colours[vguest_pattern_bar_index(x, width)];
			store_pixel(base + (size_t)x * bpp, format, rgb);
		}
		replicate_row(base, stride, row_bytes, 0, bar_height);
	}

	if (bar_height < height) {
		fill_rect(base, stride, format, bpp, 0, bar_height, width, bar_height + 1,
			vguest_pattern_name_colour(name));
		replicate_row(base, stride, row_bytes, bar_height, height);

		struct text_layout t;
		text_layout_init(&t, name, frame, width, height);
		draw_text(base, stride, format, bpp, &t, height, t.scale, TEXT_SHADOW);
		draw_text(base, stride, format, bpp, &t, height, 0, TEXT_WHITE);
	}
}

/* Other formats: draw in host-order words, then encode row by row. */
static bool draw_encoded(uint8_t *base, uint32_t stride, const struct format_info *f,
	const char *name, uint32_t frame, uint32_t width, uint32_t height)
{
	uint32_t *rgb = malloc((size_t)width * height * sizeof(*rgb));
	if (rgb == NULL) {
		return false;
	}
	draw32((uint8_t *)rgb, width * 4, FORMAT_NATIVE, name, frame, width, height);
	uint32_t row_bytes = format_row_bytes(f, width);
	for (uint32_t y = 0; y < height; y++) {
		const uint32_t *src = rgb + (size_t)y * width;
		uint8_t *dst = base + (size_t)y * stride;
		/* Most rows repeat the one above: copy its encoding. */
		if (y > 0 && memcmp(src, src - width, (size_t)width * sizeof(*src)) == 0) {
			memcpy(dst, dst - stride, row_bytes);
		} else {
			format_encode_row(f, src, width, dst);
		}
	}
	free(rgb);
	return true;
}

bool vguest_pattern_fill(void *pixels, uint32_t stride, uint32_t format, const char *name,
	uint32_t frame, uint32_t width, uint32_t height)
{
	const struct format_info *f = format_lookup(format);
	/* width * 4 bounds every format's row, so the row size cannot overflow. */
	if (f == NULL || (uint64_t)width * 4 > UINT32_MAX || format_row_bytes(f, width) > stride) {
		return false;
	}
	if (width == 0 || height == 0) {
		return true;
	}
	if (format == VGUEST_FORMAT_XRGB8888 || format == VGUEST_FORMAT_ARGB8888) {
		draw32(pixels, stride, format, name, frame, width, height);
		return true;
	}
	return draw_encoded(pixels, stride, f, name, frame, width, height);
}

bool vguest_pattern_perturb(void *pixels, uint32_t stride, uint32_t format, uint32_t width,
	uint32_t height, uint32_t x, uint32_t y)
{
	const struct format_info *f = format_lookup(format);
	if (f == NULL || x >= width || y >= height) {
		return false;
	}
	uint8_t *p = (uint8_t *)pixels + (size_t)y * stride + (size_t)x * f->bytes;
	if (format == VGUEST_FORMAT_YUYV) {
		/* Y0 U Y1 V: the pixel's Y is the first byte of its two. */
		p[0] = (uint8_t)~p[0];
		return true;
	}
	for (uint32_t i = 0; i < f->bytes; i++) {
		p[i] = (uint8_t)~p[i];
	}
	return true;
}
