#ifndef MOSAIC_COMPOSITOR_PNG_H
#define MOSAIC_COMPOSITOR_PNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encodes XRGB8888 pixels (native-endian 0xXXRRGGBB words) as an RGB PNG in memory. */
bool png_encode_xrgb8888(const void *pixels, int width, int height, size_t stride,
	uint8_t **out, size_t *out_len);

#endif
