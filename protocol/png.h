#ifndef MOSAIC_PROTOCOL_PNG_H
#define MOSAIC_PROTOCOL_PNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Pictures as the control protocol carries them (screenshots) and as files
 * (background images, reference pictures): PNG through libpng.
 */

/* Encodes XRGB8888 pixels (native-endian 0xXXRRGGBB words) as an RGB PNG in memory. */
bool png_encode_xrgb8888(
	const void *pixels, int width, int height, size_t stride, uint8_t **out, size_t *out_len);

/*
 * Reads a PNG file as premultiplied ARGB8888 (native-endian 0xAARRGGBB
 * words, stride width * 4); free() them. On failure, why says why.
 */
bool png_load_argb8888(
	const char *path, uint32_t **pixels, int *width, int *height, char *why, size_t why_size);
/* The same from PNG data in memory. */
bool png_decode_argb8888(const uint8_t *data, size_t len, uint32_t **pixels, int *width,
	int *height, char *why, size_t why_size);

/* Writes XRGB8888 pixels (stride width * 4) as an RGB PNG file. */
bool png_save_xrgb8888(const char *path, const uint32_t *pixels, int width, int height, char *why,
	size_t why_size);

#endif
