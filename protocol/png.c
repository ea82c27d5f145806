#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/png.h"

struct sink {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};

static void sink_write(png_structp png, png_bytep bytes, png_size_t len)
{
	struct sink *sink = png_get_io_ptr(png);
	if (sink->failed) {
		return;
	}
	if (sink->len + len > sink->cap) {
		size_t cap = sink->cap ? sink->cap * 2 : 65536;
		while (cap < sink->len + len) {
			cap *= 2;
		}
		uint8_t *data = realloc(sink->data, cap);
		if (data == NULL) {
			sink->failed = true;
			return;
		}
		sink->data = data;
		sink->cap = cap;
	}
	memcpy(sink->data + sink->len, bytes, len);
	sink->len += len;
}

static void sink_flush(png_structp png)
{
}

static bool encode(const void *pixels, int width, int height, size_t stride, int level,
	uint8_t **out, size_t *out_len)
{
	struct sink sink = {0};
	png_bytep row = malloc((size_t)width * 3);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
	if (row == NULL || info == NULL) {
		goto error;
	}
	if (setjmp(png_jmpbuf(png))) {
		goto error;
	}
	png_set_write_fn(png, &sink, sink_write, sink_flush);
	png_set_compression_level(png, level);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
		PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < height; y++) {
		const uint32_t *src =
			(const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);
		for (int x = 0; x < width; x++) {
			row[3 * x + 0] = (uint8_t)(src[x] >> 16);
			row[3 * x + 1] = (uint8_t)(src[x] >> 8);
			row[3 * x + 2] = (uint8_t)src[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	if (sink.failed) {
		goto error;
	}
	png_destroy_write_struct(&png, &info);
	free(row);
	*out = sink.data;
	*out_len = sink.len;
	return true;

error:
	png_destroy_write_struct(&png, info != NULL ? &info : NULL);
	free(row);
	free(sink.data);
	return false;
}

bool png_encode_xrgb8888(
	const void *pixels, int width, int height, size_t stride, uint8_t **out, size_t *out_len)
{
	/* Screenshots are taken often by tests: favour speed over size. */
	return encode(pixels, width, height, stride, 1, out, out_len);
}

/* Images larger than any display are a mistake; keep the memory bounded. */
#define PNG_MAX_SIDE 16384
#define PNG_MAX_PIXELS (64u << 20)

/* Finishes reading an image begun from a file or from memory. */
static bool finish_read(
	png_image *image, uint32_t **pixels, int *width, int *height, char *why, size_t why_size)
{
	if (image->width == 0 || image->height == 0 || image->width > PNG_MAX_SIDE ||
		image->height > PNG_MAX_SIDE ||
		(uint64_t)image->width * image->height > PNG_MAX_PIXELS) {
		snprintf(why, why_size, "image of %ux%u pixels is too large", image->width,
			image->height);
		png_image_free(image);
		return false;
	}
	/* BGRA bytes are 0xAARRGGBB words on little-endian machines. */
	image->format = PNG_FORMAT_BGRA;
	uint32_t *data = malloc(PNG_IMAGE_SIZE(*image));
	if (data == NULL) {
		snprintf(why, why_size, "out of memory");
		png_image_free(image);
		return false;
	}
	if (!png_image_finish_read(image, NULL, data, 0, NULL)) {
		snprintf(why, why_size, "%s", image->message);
		free(data);
		return false;
	}
	size_t n = (size_t)image->width * image->height;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = data[i], a = p >> 24;
		if (a == 255) {
			continue;
		}
		uint32_t r = ((p >> 16) & 0xff) * a / 255, g = ((p >> 8) & 0xff) * a / 255,
			 b = (p & 0xff) * a / 255;
		data[i] = (a << 24) | (r << 16) | (g << 8) | b;
	}
	*pixels = data;
	*width = (int)image->width;
	*height = (int)image->height;
	return true;
}

bool png_load_argb8888(
	const char *path, uint32_t **pixels, int *width, int *height, char *why, size_t why_size)
{
	png_image image = {.version = PNG_IMAGE_VERSION};
	if (!png_image_begin_read_from_file(&image, path)) {
		snprintf(why, why_size, "%s", image.message);
		return false;
	}
	return finish_read(&image, pixels, width, height, why, why_size);
}

bool png_decode_argb8888(const uint8_t *data, size_t len, uint32_t **pixels, int *width,
	int *height, char *why, size_t why_size)
{
	png_image image = {.version = PNG_IMAGE_VERSION};
	if (!png_image_begin_read_from_memory(&image, data, len)) {
		snprintf(why, why_size, "%s", image.message);
		return false;
	}
	return finish_read(&image, pixels, width, height, why, why_size);
}

bool png_save_xrgb8888(
	const char *path, const uint32_t *pixels, int width, int height, char *why, size_t why_size)
{
	uint8_t *png;
	size_t len;
	/* Files may be kept (reference pictures): favour size. */
	if (!encode(pixels, width, height, (size_t)width * 4, 9, &png, &len)) {
		snprintf(why, why_size, "cannot encode the picture");
		return false;
	}
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL && fwrite(png, 1, len, f) == len;
	if (f != NULL) {
		ok = fclose(f) == 0 && ok;
	}
	if (!ok) {
		snprintf(why, why_size, "%s", strerror(errno));
	}
	free(png);
	return ok;
}
