#ifndef MOSAIC_COMPOSITOR_PNG_H
#define MOSAIC_COMPOSITOR_PNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encodes XRGB8888 pixels (native-endian 0xXXRRGGBB words) as an RGB PNG in memory. */
bool png_encode_xrgb8888(const void *pixels, int width, int height, size_t stride,
	uint8_t **out, size_t *out_len);

/*
 * Reads a PNG file as premultiplied ARGB8888 (native-endian 0xAARRGGBB
 * words, stride width * 4); free() them. On failure, why says why.
 */
bool png_load_argb8888(const char *path, uint32_t **pixels, int *width, int *height,
	char *why, size_t why_size);

#endif
