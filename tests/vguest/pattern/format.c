#include "format.h"

#include <string.h>

#include "pattern.h"

/*
 * Tolerances: what a correct compositor may differ from format_expected at
 * the pattern's sample points (bar centres, band centre: both pixels of a
 * YUYV pair have the same colour there). 8-bit channels: 1 for rounding in a
 * scaler. n-bit channels: 2, for a reader that expands by multiplication
 * (v * 255 / 31, rounded) instead of replication, plus a scaler's rounding.
 * YUYV: 2, for a reader that uses the textbook BT.601 floating-point
 * equations with rounding instead of pixman's 16.16 fixed point with
 * truncation (1: test_pattern.c measures it), plus a scaler's rounding. At the
 * sample points both pixels of a pair, and the pairs around, have one colour,
 * so chroma subsampling and chroma filtering add nothing there.
 */
static const struct format_info formats[] = {
	{VGUEST_FORMAT_XRGB8888, "XR24", 4, 1},
	{VGUEST_FORMAT_ARGB8888, "AR24", 4, 1},
	{VGUEST_FORMAT_RGB565, "RG16", 2, 2},
	{VGUEST_FORMAT_RGB888, "RG24", 3, 1},
	{VGUEST_FORMAT_XRGB4444, "XR12", 2, 2},
	{VGUEST_FORMAT_ARGB4444, "AR12", 2, 2},
	{VGUEST_FORMAT_XRGB1555, "XR15", 2, 2},
	{VGUEST_FORMAT_ARGB1555, "AR15", 2, 2},
	{VGUEST_FORMAT_YUYV, "YUYV", 2, 2},
};
#define FORMAT_COUNT (sizeof(formats) / sizeof(formats[0]))

const struct format_info *format_lookup(uint32_t fourcc)
{
	for (size_t i = 0; i < FORMAT_COUNT; i++) {
		if (formats[i].fourcc == fourcc) {
			return &formats[i];
		}
	}
	return NULL;
}

const struct format_info *format_lookup_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < FORMAT_COUNT; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			return &formats[i];
		}
	}
	return NULL;
}

const struct format_info *format_at(size_t i)
{
	return i < FORMAT_COUNT ? &formats[i] : NULL;
}

uint32_t format_row_bytes(const struct format_info *f, uint32_t width)
{
	if (f->fourcc == VGUEST_FORMAT_YUYV) {
		return ((width + 1) / 2) * 4;
	}
	return width * f->bytes;
}

/* Quantises an 8-bit channel to bits, rounding to nearest. */
static uint32_t quantise(uint32_t v, unsigned bits)
{
	uint32_t max = (1u << bits) - 1;
	return (v * max + 127) / 255;
}

/* Expands an n-bit channel to 8 bits by bit replication, as pixman does. */
static uint32_t expand(uint32_t q, unsigned bits)
{
	uint32_t v = q << (8 - bits);
	for (unsigned have = bits; have < 8; have += bits) {
		v |= v >> have;
	}
	return v & 0xff;
}

static uint32_t channel(uint32_t rgb, unsigned shift)
{
	return (rgb >> shift) & 0xff;
}

/* Packs rgb into a 16-bit word with r, g, b bits and `alpha` above them. */
static uint16_t pack16(uint32_t rgb, unsigned rb, unsigned gb, unsigned bb, uint16_t alpha)
{
	uint32_t r = quantise(channel(rgb, 16), rb);
	uint32_t g = quantise(channel(rgb, 8), gb);
	uint32_t b = quantise(channel(rgb, 0), bb);
	return (uint16_t)(alpha | (r << (gb + bb)) | (g << bb) | b);
}

static uint32_t requantise(uint32_t rgb, unsigned rb, unsigned gb, unsigned bb)
{
	uint32_t r = expand(quantise(channel(rgb, 16), rb), rb);
	uint32_t g = expand(quantise(channel(rgb, 8), gb), gb);
	uint32_t b = expand(quantise(channel(rgb, 0), bb), bb);
	return (r << 16) | (g << 8) | b;
}

static uint8_t clamp_u8(int32_t v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static uint32_t clamp_fixed(int32_t v)
{
	/* pixman: the integer part of a 16.16 value, saturated. */
	return v < 0 ? 0 : v >= 0x1000000 ? 0xff : (uint32_t)(v >> 16) & 0xff;
}

uint32_t format_yuv_to_rgb(uint8_t y8, uint8_t u8, uint8_t v8)
{
	int32_t y = (int32_t)y8 - 16, u = (int32_t)u8 - 128, v = (int32_t)v8 - 128;
	int32_t r = 0x012b27 * y + 0x019a2e * v;
	int32_t g = 0x012b27 * y - 0x00d0f2 * v - 0x00647e * u;
	int32_t b = 0x012b27 * y + 0x0206a2 * u;
	return (clamp_fixed(r) << 16) | (clamp_fixed(g) << 8) | clamp_fixed(b);
}

/* BT.601 limited range, integer (offsets keep the shifted values positive). */
static uint8_t rgb_to_y(uint32_t rgb)
{
	int32_t r = (int32_t)channel(rgb, 16), g = (int32_t)channel(rgb, 8),
		b = (int32_t)channel(rgb, 0);
	return clamp_u8(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
}

static uint8_t rgb_to_u(int32_t r, int32_t g, int32_t b)
{
	return clamp_u8(((-38 * r - 74 * g + 112 * b + 128 + (128 << 8)) >> 8));
}

static uint8_t rgb_to_v(int32_t r, int32_t g, int32_t b)
{
	return clamp_u8(((112 * r - 94 * g - 18 * b + 128 + (128 << 8)) >> 8));
}

struct yuv_pair {
	uint8_t y0, y1, u, v;
};

/* Largest channel difference, and the sum of all three. */
static void rgb_error(uint32_t a, uint32_t b, int *max, int *sum)
{
	*max = 0;
	*sum = 0;
	for (unsigned shift = 0; shift < 24; shift += 8) {
		int d = (int)channel(a, shift) - (int)channel(b, shift);
		d = d < 0 ? -d : d;
		*max = d > *max ? d : *max;
		*sum += d;
	}
}

/* The luma within +-1 of y that pixman decodes closest to rgb with this chroma. */
static uint8_t best_y(uint8_t y, uint8_t u, uint8_t v, uint32_t rgb, int *cost)
{
	uint8_t best = y;
	*cost = -1;
	for (int dy = -1; dy <= 1; dy++) {
		int cand = (int)y + dy;
		if (cand < 0 || cand > 255) {
			continue;
		}
		int max, sum;
		rgb_error(format_yuv_to_rgb((uint8_t)cand, u, v), rgb, &max, &sum);
		int c = max * 1024 + sum;
		if (*cost < 0 || c < *cost) {
			*cost = c;
			best = (uint8_t)cand;
		}
	}
	return best;
}

/*
 * YUYV for two pixels: luma each, chroma of their average, then the values
 * within +-1 that pixman's decoder brings closest to the colours.
 */
static struct yuv_pair encode_pair(uint32_t a, uint32_t b)
{
	int32_t r = ((int32_t)channel(a, 16) + (int32_t)channel(b, 16) + 1) / 2;
	int32_t g = ((int32_t)channel(a, 8) + (int32_t)channel(b, 8) + 1) / 2;
	int32_t bl = ((int32_t)channel(a, 0) + (int32_t)channel(b, 0) + 1) / 2;
	uint8_t y0 = rgb_to_y(a), y1 = rgb_to_y(b);
	uint8_t u0 = rgb_to_u(r, g, bl), v0 = rgb_to_v(r, g, bl);

	struct yuv_pair best = {y0, y1, u0, v0};
	int best_cost = -1;
	for (int du = -1; du <= 1; du++) {
		for (int dv = -1; dv <= 1; dv++) {
			int u = (int)u0 + du, v = (int)v0 + dv;
			if (u < 0 || u > 255 || v < 0 || v > 255) {
				continue;
			}
			int c0, c1;
			uint8_t by0 = best_y(y0, (uint8_t)u, (uint8_t)v, a, &c0);
			uint8_t by1 = best_y(y1, (uint8_t)u, (uint8_t)v, b, &c1);
			int cost = (c0 > c1 ? c0 : c1) * 4 + (c0 < c1 ? c0 : c1);
			if (best_cost < 0 || cost < best_cost) {
				best_cost = cost;
				best = (struct yuv_pair){by0, by1, (uint8_t)u, (uint8_t)v};
			}
		}
	}
	return best;
}

static void encode_yuyv_row(const uint32_t *rgb, uint32_t width, uint8_t *out)
{
	/* Rows are long runs of one colour: remember the last pair. */
	uint32_t last_a = 0, last_b = 0;
	struct yuv_pair last = {0};
	bool have_last = false;
	for (uint32_t x = 0; x < width; x += 2) {
		uint32_t a = rgb[x], b = x + 1 < width ? rgb[x + 1] : rgb[x];
		if (!have_last || a != last_a || b != last_b) {
			last = encode_pair(a, b);
			last_a = a;
			last_b = b;
			have_last = true;
		}
		uint8_t *p = out + (size_t)(x / 2) * 4;
		p[0] = last.y0;
		p[1] = last.u;
		p[2] = last.y1;
		p[3] = last.v;
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void format_encode_row(
	const struct format_info *f, const uint32_t *rgb, uint32_t width, uint8_t *out)
{
	if (f->fourcc == VGUEST_FORMAT_YUYV) {
		encode_yuyv_row(rgb, width, out);
		return;
	}
	for (uint32_t x = 0; x < width; x++) {
		uint32_t c = rgb[x];
		uint8_t *p = out + (size_t)x * f->bytes;
		/* DRM formats are little-endian words whatever the host's byte order. */
		switch (f->fourcc) {
		case VGUEST_FORMAT_XRGB8888:
		case VGUEST_FORMAT_ARGB8888:
			p[0] = (uint8_t)c;
			p[1] = (uint8_t)(c >> 8);
			p[2] = (uint8_t)(c >> 16);
			p[3] = f->fourcc == VGUEST_FORMAT_ARGB8888 ? 0xff : 0x00;
			break;
		case VGUEST_FORMAT_RGB888:
			p[0] = (uint8_t)c;
			p[1] = (uint8_t)(c >> 8);
			p[2] = (uint8_t)(c >> 16);
			break;
		case VGUEST_FORMAT_RGB565:
			put16(p, pack16(c, 5, 6, 5, 0));
			break;
		case VGUEST_FORMAT_XRGB4444:
			put16(p, pack16(c, 4, 4, 4, 0));
			break;
		case VGUEST_FORMAT_ARGB4444:
			put16(p, pack16(c, 4, 4, 4, 0xf000));
			break;
		case VGUEST_FORMAT_XRGB1555:
			put16(p, pack16(c, 5, 5, 5, 0));
			break;
		case VGUEST_FORMAT_ARGB1555:
			put16(p, pack16(c, 5, 5, 5, 0x8000));
			break;
		default:
			break;
		}
	}
}

uint32_t format_expected(const struct format_info *f, uint32_t rgb, uint32_t partner, bool second)
{
	rgb &= 0xffffff;
	switch (f->fourcc) {
	case VGUEST_FORMAT_RGB565:
		return requantise(rgb, 5, 6, 5);
	case VGUEST_FORMAT_XRGB4444:
	case VGUEST_FORMAT_ARGB4444:
		return requantise(rgb, 4, 4, 4);
	case VGUEST_FORMAT_XRGB1555:
	case VGUEST_FORMAT_ARGB1555:
		return requantise(rgb, 5, 5, 5);
	case VGUEST_FORMAT_YUYV: {
		struct yuv_pair p = second ? encode_pair(partner & 0xffffff, rgb)
					   : encode_pair(rgb, partner & 0xffffff);
		return format_yuv_to_rgb(second ? p.y1 : p.y0, p.u, p.v);
	}
	default:
		return rgb;
	}
}
