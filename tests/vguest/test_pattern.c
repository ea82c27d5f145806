/* Unit tests of the test pattern: fill agrees with pixel, stable regions are stable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static uint32_t load_rgb(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
}

static int colour_distance(uint32_t a, uint32_t b)
{
	int d = 0;
	for (int shift = 0; shift < 24; shift += 8) {
		d += abs((int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff));
	}
	return d;
}

static void test_name_colours(void)
{
	const char *names[] = {"cluster", "infotainment", "rear-seat"};
	for (int i = 0; i < 3; i++) {
		uint32_t c = vguest_pattern_name_colour(names[i]);
		CHECK(c == vguest_pattern_name_colour(names[i]), "not deterministic");
		CHECK(c <= 0xffffff, "colour 0x%08x has bits above RGB", c);
		for (uint32_t b = 0; b < VGUEST_PATTERN_BARS; b++) {
			CHECK(colour_distance(c, vguest_pattern_bar_colour(b)) >= 96,
				"%s's colour 0x%06x is close to bar %u", names[i], c, b);
		}
		for (int j = i + 1; j < 3; j++) {
			uint32_t d = vguest_pattern_name_colour(names[j]);
			CHECK(colour_distance(c, d) >= 150, "%s 0x%06x and %s 0x%06x too close",
				names[i], c, names[j], d);
		}
	}
}

static void test_bars(void)
{
	static const uint32_t expected[] = {
		0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000};
	for (uint32_t i = 0; i < VGUEST_PATTERN_BARS; i++) {
		CHECK(vguest_pattern_bar_colour(i) == expected[i], "bar %u", i);
		uint32_t widths[] = {16, 17, 640, 641, 1920, 4095};
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			uint32_t x = vguest_pattern_bar_centre_x(i, widths[w]);
			CHECK(vguest_pattern_bar_index(x, widths[w]) == i, "centre of bar %u at %u",
				i, widths[w]);
		}
	}
	CHECK(vguest_pattern_bar_index(639, 640) == 7, "last column");
	CHECK(vguest_pattern_bar_index(0, 640) == 0, "first column");
	CHECK(vguest_pattern_bar_height(480) == 320, "bar height");
	CHECK(vguest_pattern_text_width(640) == 240, "text width");
}

/* Fills with padding and checks every pixel against vguest_pattern_pixel. */
static void check_fill(
	const char *name, uint32_t frame, uint32_t width, uint32_t height, uint32_t format)
{
	uint32_t stride = width * 4 + 12;
	size_t size = (size_t)stride * height;
	uint8_t *pixels = malloc(size);
	if (pixels == NULL) {
		failures++;
		return;
	}
	memset(pixels, 0xab, size);
	CHECK(vguest_pattern_fill(pixels, stride, format, name, frame, width, height),
		"fill failed");

	int bad = 0;
	for (uint32_t y = 0; y < height && bad < 5; y++) {
		const uint8_t *row = pixels + (size_t)y * stride;
		for (uint32_t x = 0; x < width && bad < 5; x++) {
			uint32_t want = vguest_pattern_pixel(name, frame, width, height, x, y);
			uint32_t got = load_rgb(row + x * 4);
			uint8_t alpha = row[x * 4 + 3];
			uint8_t want_alpha = format == VGUEST_FORMAT_ARGB8888 ? 0xff : 0x00;
			if (got != want || alpha != want_alpha) {
				fprintf(stderr,
					"%s frame %u %ux%u: (%u,%u) is 0x%02x%06x, want "
					"0x%02x%06x\n",
					name, frame, width, height, x, y, alpha, got, want_alpha,
					want);
				bad++;
			}
		}
		for (uint32_t i = width * 4; i < stride; i++) {
			if (row[i] != 0xab) {
				fprintf(stderr, "%ux%u: padding of row %u written\n", width, height,
					y);
				bad++;
				break;
			}
		}
	}
	CHECK(bad == 0, "%s frame %u %ux%u format 0x%08x differs from the pixel function", name,
		frame, width, height, format);
	free(pixels);
}

static void test_fill_matches_pixel(void)
{
	check_fill("cluster", 0, 640, 480, VGUEST_FORMAT_XRGB8888);
	check_fill("infotainment", 12345, 800, 600, VGUEST_FORMAT_ARGB8888);
	check_fill("rear-seat", 4294967295u, 320, 240, VGUEST_FORMAT_XRGB8888);
	check_fill("a-very-long-guest-name-that-clips", 7, 333, 211, VGUEST_FORMAT_ARGB8888);
	check_fill("x", 1, 17, 13, VGUEST_FORMAT_XRGB8888);
	check_fill("x", 1, 1, 1, VGUEST_FORMAT_XRGB8888);
	check_fill("cluster", 99, 1920, 1080, VGUEST_FORMAT_XRGB8888);
}

static void test_stable_regions(void)
{
	const uint32_t sizes[][2] = {{640, 480}, {800, 600}, {1920, 1080}, {1024, 576}};
	const uint32_t frames[] = {0, 1, 9, 10, 999999, 4294967295u};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t w = sizes[s][0], h = sizes[s][1];
		uint32_t bar_h = vguest_pattern_bar_height(h);
		uint32_t text_w = vguest_pattern_text_width(w);
		uint32_t colour = vguest_pattern_name_colour("infotainment");
		for (size_t f = 0; f < sizeof(frames) / sizeof(frames[0]); f++) {
			int bad = 0;
			for (uint32_t y = 0; y < h; y += 3) {
				for (uint32_t x = 0; x < w; x += 3) {
					uint32_t want;
					if (y < bar_h) {
						want = vguest_pattern_bar_colour(
							vguest_pattern_bar_index(x, w));
					} else if (x >= text_w) {
						want = colour;
					} else {
						continue;
					}
					uint32_t got = vguest_pattern_pixel(
						"infotainment", frames[f], w, h, x, y);
					bad += got != want;
				}
			}
			CHECK(bad == 0, "%ux%u frame %u: %d pixels differ in stable regions", w, h,
				frames[f], bad);
			uint32_t cx = (text_w + w) / 2, cy = (bar_h + h) / 2;
			CHECK(vguest_pattern_pixel("infotainment", frames[f], w, h, cx, cy) ==
					colour,
				"band centre");
		}
	}
}

static void test_text_visible(void)
{
	uint32_t w = 640, h = 480;
	uint32_t bar_h = vguest_pattern_bar_height(h);
	uint32_t text_w = vguest_pattern_text_width(w);
	int white = 0, black = 0, changed = 0;
	for (uint32_t y = bar_h; y < h; y++) {
		for (uint32_t x = 0; x < text_w; x++) {
			uint32_t p = vguest_pattern_pixel("cluster", 1, w, h, x, y);
			white += p == 0xffffff;
			black += p == 0x000000;
			changed += p != vguest_pattern_pixel("cluster", 2, w, h, x, y);
		}
	}
	CHECK(white > 500, "only %d white text pixels", white);
	CHECK(black > 300, "only %d shadow pixels", black);
	CHECK(changed > 0, "frame counter does not change the text");
}

static void test_formats(void)
{
	uint8_t buf[64];
	CHECK(!vguest_pattern_fill(buf, 16, VGUEST_FOURCC('N', 'V', '1', '2'), "x", 0, 4, 4),
		"unsupported format accepted");
	CHECK(!vguest_pattern_fill(buf, 8, VGUEST_FORMAT_XRGB8888, "x", 0, 4, 2),
		"stride smaller than a row accepted");
	CHECK(!vguest_pattern_fill(buf, 4, VGUEST_FORMAT_YUYV, "x", 0, 3, 2),
		"YUYV stride without room for the last pair accepted");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_XRGB8888) == 4, "XR24 bpp");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_ARGB8888) == 4, "AR24 bpp");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_RGB888) == 3, "RG24 bpp");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_RGB565) == 2, "RG16 bpp");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_YUYV) == 2, "YUYV bpp");
	CHECK(vguest_pattern_format_bpp(VGUEST_FOURCC('N', 'V', '1', '2')) == 0, "NV12 bpp");
	CHECK(vguest_pattern_row_bytes(VGUEST_FORMAT_YUYV, 5) == 12, "YUYV odd row");
	CHECK(vguest_pattern_row_bytes(VGUEST_FORMAT_RGB888, 5) == 15, "RG24 row");
	CHECK(VGUEST_FORMAT_XRGB8888 == 0x34325258u, "XR24 fourcc");
	CHECK(VGUEST_FORMAT_ARGB8888 == 0x34325241u, "AR24 fourcc");
	CHECK(VGUEST_FORMAT_RGB565 == 0x36314752u, "RG16 fourcc");
	CHECK(VGUEST_FORMAT_YUYV == 0x56595559u, "YUYV fourcc");

	const char *names[] = {
		"RG16", "RG24", "XR24", "AR24", "XR12", "AR12", "XR15", "AR15", "YUYV"};
	for (unsigned i = 0; i < 9; i++) {
		uint32_t f = vguest_pattern_format_from_name(names[i]);
		CHECK(f != 0 && strcmp(vguest_pattern_format_name(f), names[i]) == 0, "%s",
			names[i]);
		CHECK(vguest_pattern_tolerance(f) >= 0 && vguest_pattern_tolerance(f) <= 2,
			"%s tolerance", names[i]);
		CHECK(vguest_pattern_format_at(i) != 0, "format %u", i);
	}
	CHECK(vguest_pattern_format_at(9) == 0, "only nine formats");
	CHECK(vguest_pattern_format_from_name("xr24") == 0, "names are case-sensitive");
	CHECK(vguest_pattern_format_from_name("NV12") == 0, "NV12 is not offered");
}

/*
 * An independent reader: the DRM layouts written out again, n-bit channels
 * expanded by bit replication, YUYV through pixman's yuy2 fetcher equations.
 * Sets *alpha_ok to whether the X/A bits hold what the format requires.
 */
static uint32_t replicate(uint32_t v, unsigned bits)
{
	switch (bits) {
	case 4:
		return (v << 4) | v;
	case 5:
		return (v << 3) | (v >> 2);
	case 6:
		return (v << 2) | (v >> 4);
	default:
		return v;
	}
}

static int32_t pixman_channel(int32_t v)
{
	if (v < 0) {
		return 0;
	}
	if (v >= (1 << 24)) {
		return 255;
	}
	return v / 65536;
}

static uint32_t decode_yuv(int32_t y, int32_t u, int32_t v)
{
	y -= 16;
	u -= 128;
	v -= 128;
	int32_t r = pixman_channel(76583 * y + 105006 * v);
	int32_t g = pixman_channel(76583 * y - 53490 * v - 25726 * u);
	int32_t b = pixman_channel(76583 * y + 132770 * u);
	return ((uint32_t)r << 16) | ((uint32_t)g << 8) | (uint32_t)b;
}

static uint32_t decode(uint32_t format, const uint8_t *row, uint32_t x, bool *alpha_ok)
{
	uint32_t w16 = 0, w32 = 0;
	if (vguest_pattern_format_bpp(format) == 2 && format != VGUEST_FORMAT_YUYV) {
		w16 = (uint32_t)row[2 * x] | ((uint32_t)row[2 * x + 1] << 8);
	}
	if (vguest_pattern_format_bpp(format) == 4) {
		const uint8_t *p = row + 4 * x;
		w32 = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
		      ((uint32_t)p[3] << 24);
	}
	*alpha_ok = true;
	switch (format) {
	case VGUEST_FORMAT_XRGB8888:
	case VGUEST_FORMAT_ARGB8888:
		*alpha_ok = (w32 >> 24) == (format == VGUEST_FORMAT_ARGB8888 ? 0xffu : 0u);
		return w32 & 0xffffff;
	case VGUEST_FORMAT_RGB888: {
		const uint8_t *p = row + 3 * x;
		return ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
	}
	case VGUEST_FORMAT_RGB565:
		return (replicate(w16 >> 11, 5) << 16) | (replicate((w16 >> 5) & 0x3f, 6) << 8) |
		       replicate(w16 & 0x1f, 5);
	case VGUEST_FORMAT_XRGB4444:
	case VGUEST_FORMAT_ARGB4444:
		*alpha_ok = (w16 >> 12) == (format == VGUEST_FORMAT_ARGB4444 ? 0xfu : 0u);
		return (replicate((w16 >> 8) & 0xf, 4) << 16) |
		       (replicate((w16 >> 4) & 0xf, 4) << 8) | replicate(w16 & 0xf, 4);
	case VGUEST_FORMAT_XRGB1555:
	case VGUEST_FORMAT_ARGB1555:
		*alpha_ok = (w16 >> 15) == (format == VGUEST_FORMAT_ARGB1555 ? 1u : 0u);
		return (replicate((w16 >> 10) & 0x1f, 5) << 16) |
		       (replicate((w16 >> 5) & 0x1f, 5) << 8) | replicate(w16 & 0x1f, 5);
	case VGUEST_FORMAT_YUYV: {
		const uint8_t *pair = row + (x / 2) * 4;
		return decode_yuv(pair[(x & 1) ? 2 : 0], pair[1], pair[3]);
	}
	default:
		*alpha_ok = false;
		return 0xff000000u;
	}
}

/* How far a format's quantisation may move a colour (per channel). */
static int quantisation_bound(uint32_t format)
{
	switch (format) {
	case VGUEST_FORMAT_XRGB4444:
	case VGUEST_FORMAT_ARGB4444:
		return 8;
	case VGUEST_FORMAT_RGB565:
	case VGUEST_FORMAT_XRGB1555:
	case VGUEST_FORMAT_ARGB1555:
		return 4;
	case VGUEST_FORMAT_YUYV:
		return 2;
	default:
		return 0;
	}
}

static bool in_stable_region(uint32_t w, uint32_t h, uint32_t x, uint32_t y)
{
	return y < vguest_pattern_bar_height(h) || x >= vguest_pattern_text_width(w);
}

/*
 * Fills in every format and reads every pixel back through decode(): all
 * must be vguest_pattern_expected (every pixel, so the text too), and in
 * the stable regions within the format's quantisation of the pattern.
 */
static void check_format_fill(
	const char *name, uint32_t frame, uint32_t w, uint32_t h, uint32_t step)
{
	for (unsigned i = 0; vguest_pattern_format_at(i) != 0; i++) {
		uint32_t format = vguest_pattern_format_at(i);
		const char *fname = vguest_pattern_format_name(format);
		uint32_t stride = vguest_pattern_row_bytes(format, w) + 6;
		size_t size = (size_t)stride * h;
		uint8_t *pixels = malloc(size);
		if (pixels == NULL) {
			failures++;
			return;
		}
		memset(pixels, 0xab, size);
		CHECK(vguest_pattern_fill(pixels, stride, format, name, frame, w, h), "%s fill",
			fname);
		int bad = 0;
		for (uint32_t y = 0; y < h && bad < 3;
			y += (y + step < h || y + 1 == h) ? step : 1) {
			const uint8_t *row = pixels + (size_t)y * stride;
			for (uint32_t x = 0; x < w && bad < 3; x += (x + step < w) ? step : 1) {
				bool alpha_ok;
				uint32_t got = decode(format, row, x, &alpha_ok);
				uint32_t want =
					vguest_pattern_expected(name, frame, w, h, x, y, format);
				if (got != want || !alpha_ok) {
					fprintf(stderr,
						"%s %s %ux%u: (%u,%u) reads %06x%s, expected "
						"%06x\n",
						fname, name, w, h, x, y, got,
						alpha_ok ? "" : " (bad alpha)", want);
					bad++;
				}
				uint32_t orig = vguest_pattern_pixel(name, frame, w, h, x, y);
				/* YUYV pairs across a bar edge share chroma: only whole pairs
				 * compare. */
				uint32_t px = (x & 1) ? x - 1 : (x + 1 < w ? x + 1 : x);
				bool whole = format != VGUEST_FORMAT_YUYV ||
					     vguest_pattern_pixel(name, frame, w, h, px, y) == orig;
				if (whole && in_stable_region(w, h, x, y) &&
					colour_distance(want, orig) >
						3 * quantisation_bound(format) &&
					bad < 3) {
					fprintf(stderr, "%s: (%u,%u) expected %06x far from %06x\n",
						fname, x, y, want, orig);
					bad++;
				}
			}
			for (uint32_t b = vguest_pattern_row_bytes(format, w); b < stride; b++) {
				if (row[b] != 0xab) {
					fprintf(stderr, "%s %ux%u: padding of row %u written\n",
						fname, w, h, y);
					bad++;
					break;
				}
			}
		}
		CHECK(bad == 0, "%s frame %u %ux%u in %s differs from vguest_pattern_expected",
			name, frame, w, h, fname);
		free(pixels);
	}
}

static void test_format_fills(void)
{
	check_format_fill("cluster", 3, 320, 240, 1);
	check_format_fill("rear-seat", 42, 333, 211, 1);
	check_format_fill("x", 1, 17, 13, 1);
	check_format_fill("x", 1, 1, 1, 1);
	check_format_fill("x", 0, 2, 1, 1);
	check_format_fill("infotainment", 7, 1280, 720, 7);
}

/* A reader with the textbook floating-point BT.601 equations, rounded. */
static uint32_t decode_yuv_float(const uint8_t *pair, bool second)
{
	double y = 1.164 * ((double)pair[second ? 2 : 0] - 16);
	double u = (double)pair[1] - 128, v = (double)pair[3] - 128;
	double c[3] = {y + 1.596 * v, y - 0.813 * v - 0.391 * u, y + 2.018 * u};
	uint32_t rgb = 0;
	for (int i = 0; i < 3; i++) {
		double r = c[i] < 0 ? 0 : c[i] > 255 ? 255 : c[i];
		rgb = (rgb << 8) | (uint32_t)(r + 0.5);
	}
	return rgb;
}

static int max_channel_diff(uint32_t a, uint32_t b)
{
	int m = 0;
	for (int shift = 0; shift < 24; shift += 8) {
		int d = abs((int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff));
		m = d > m ? d : m;
	}
	return m;
}

/*
 * The stable regions' colours (bars, and the band for many names) in YUYV:
 * pixman's reading is within 2 of the pattern, and a floating-point reader
 * within vguest_pattern_tolerance of pixman's: the tolerance is honest.
 */
static void test_yuyv_tolerance(void)
{
	uint32_t colours[VGUEST_PATTERN_BARS + 200];
	size_t n = 0;
	for (uint32_t i = 0; i < VGUEST_PATTERN_BARS; i++) {
		colours[n++] = vguest_pattern_bar_colour(i);
	}
	for (int i = 0; i < 200; i++) {
		char name[16];
		snprintf(name, sizeof(name), "guest-%d", i);
		colours[n++] = vguest_pattern_name_colour(name);
	}
	int worst_pixman = 0, worst_float = 0;
	for (size_t i = 0; i < n; i++) {
		/* A 16x3 frame: bars in rows 0-1, the band right of x = 6 in row 2. */
		uint8_t pair[4];
		uint32_t w = 16, h = 3;
		uint8_t pixels[16 * 2 * 3];
		const char *name = NULL;
		char buf[16];
		if (i >= VGUEST_PATTERN_BARS) {
			snprintf(buf, sizeof(buf), "guest-%zu", i - VGUEST_PATTERN_BARS);
			name = buf;
		} else {
			name = "x";
		}
		CHECK(vguest_pattern_fill(pixels, w * 2, VGUEST_FORMAT_YUYV, name, 0, w, h),
			"fill");
		uint32_t x = i < VGUEST_PATTERN_BARS ? vguest_pattern_bar_centre_x((uint32_t)i, w)
						     : w - 2;
		uint32_t y = i < VGUEST_PATTERN_BARS ? 0 : 2;
		x &= ~1u;
		memcpy(pair, pixels + y * w * 2 + x * 2, 4);
		uint32_t orig = vguest_pattern_pixel(name, 0, w, h, x, y);
		CHECK(orig == colours[i], "colour %zu sampled at the wrong place", i);
		uint32_t want = vguest_pattern_expected(name, 0, w, h, x, y, VGUEST_FORMAT_YUYV);
		CHECK(decode_yuv(pair[0], pair[1], pair[3]) == want, "pixman reading %zu", i);
		int dp = max_channel_diff(want, orig);
		int df = max_channel_diff(decode_yuv_float(pair, false), want);
		worst_pixman = dp > worst_pixman ? dp : worst_pixman;
		worst_float = df > worst_float ? df : worst_float;
	}
	CHECK(worst_pixman <= 2, "pixman reads YUYV %d away from the pattern", worst_pixman);
	CHECK(worst_float <= vguest_pattern_tolerance(VGUEST_FORMAT_YUYV),
		"a float reader is %d away from pixman's, tolerance %d", worst_float,
		vguest_pattern_tolerance(VGUEST_FORMAT_YUYV));
	printf("YUYV: pixman within %d of the pattern, a float reader within %d of pixman\n",
		worst_pixman, worst_float);
}

/* A perturbed frame differs from the drawn one in exactly that pixel's bytes, in every format. */
static void test_perturb(void)
{
	enum { W = 20, H = 10, STRIDE = W * 4 };
	static uint8_t a[STRIDE * H], b[STRIDE * H];
	for (unsigned i = 0; vguest_pattern_format_at(i) != 0; i++) {
		uint32_t format = vguest_pattern_format_at(i);
		uint32_t bpp = vguest_pattern_format_bpp(format);
		CHECK(vguest_pattern_fill(a, STRIDE, format, "alpha", 3, W, H), "fill");
		memcpy(b, a, sizeof(a));
		CHECK(vguest_pattern_perturb(b, STRIDE, format, W, H, 5, 7), "perturb");
		CHECK(!vguest_pattern_perturb(b, STRIDE, format, W, H, W, 0) &&
				!vguest_pattern_perturb(b, STRIDE, format, W, H, 0, H),
			"perturbed outside the picture");
		size_t first = 7 * STRIDE + 5 * bpp;
		size_t changed = format == VGUEST_FORMAT_YUYV ? 1 : bpp;
		for (size_t k = 0; k < sizeof(a); k++) {
			bool in = k >= first && k < first + changed;
			CHECK(in ? (a[k] ^ b[k]) == 0xff : a[k] == b[k], "%s: byte %zu",
				vguest_pattern_format_name(format), k);
		}
	}
}

int main(void)
{
	test_name_colours();
	test_bars();
	test_fill_matches_pixel();
	test_stable_regions();
	test_text_visible();
	test_formats();
	test_format_fills();
	test_yuyv_tolerance();
	test_perturb();
	if (failures > 0) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("all pattern checks passed\n");
	return 0;
}
