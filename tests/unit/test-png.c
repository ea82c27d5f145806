/* PNG encoding of XRGB8888 screenshots round-trips through libpng exactly. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocol/png.h"

int main(void)
{
	enum { W = 37, H = 11, STRIDE = W * 4 + 12 };
	uint8_t *pixels = calloc(H, STRIDE);
	for (int y = 0; y < H; y++) {
		uint32_t *row = (uint32_t *)(pixels + y * STRIDE);
		for (int x = 0; x < W; x++) {
			/* The X byte is garbage on purpose: it must not matter. */
			row[x] = 0xab000000u | (uint32_t)(x * 7) << 16 | (uint32_t)(y * 23) << 8 |
				(uint32_t)((x * y) & 0xff);
		}
	}
	uint8_t *png;
	size_t len;
	if (!png_encode_xrgb8888(pixels, W, H, STRIDE, &png, &len)) {
		fprintf(stderr, "encoding failed\n");
		return 1;
	}
	png_image image = {.version = PNG_IMAGE_VERSION};
	uint8_t rgb[W * H * 3];
	if (!png_image_begin_read_from_memory(&image, png, len) || image.width != W ||
		image.height != H) {
		fprintf(stderr, "not a %dx%d PNG\n", W, H);
		return 1;
	}
	image.format = PNG_FORMAT_RGB;
	if (!png_image_finish_read(&image, NULL, rgb, 0, NULL)) {
		fprintf(stderr, "decoding failed\n");
		return 1;
	}
	int bad = 0;
	for (int y = 0; y < H; y++) {
		const uint32_t *row = (const uint32_t *)(pixels + y * STRIDE);
		for (int x = 0; x < W; x++) {
			const uint8_t *p = &rgb[(y * W + x) * 3];
			uint32_t got = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
			bad += got != (row[x] & 0xffffff);
		}
	}
	free(png);
	free(pixels);
	if (bad != 0) {
		fprintf(stderr, "%d pixels differ\n", bad);
		return 1;
	}
	printf("test-png: ok\n");
	return 0;
}
