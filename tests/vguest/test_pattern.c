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
	CHECK(!vguest_pattern_fill(buf, 16, VGUEST_FOURCC('R', 'G', '1', '6'), "x", 0, 4, 4),
		"unsupported format accepted");
	CHECK(!vguest_pattern_fill(buf, 8, VGUEST_FORMAT_XRGB8888, "x", 0, 4, 2),
		"stride smaller than a row accepted");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_XRGB8888) == 4, "XR24 bpp");
	CHECK(vguest_pattern_format_bpp(VGUEST_FORMAT_ARGB8888) == 4, "AR24 bpp");
	CHECK(VGUEST_FORMAT_XRGB8888 == 0x34325258u, "XR24 fourcc");
	CHECK(VGUEST_FORMAT_ARGB8888 == 0x34325241u, "AR24 fourcc");
}

int main(void)
{
	test_name_colours();
	test_bars();
	test_fill_matches_pixel();
	test_stable_regions();
	test_text_visible();
	test_formats();
	if (failures > 0) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("all pattern checks passed\n");
	return 0;
}
