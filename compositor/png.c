#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "compositor/png.h"

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

bool png_encode_xrgb8888(const void *pixels, int width, int height, size_t stride,
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
	/* Screenshots are taken often by tests: favour speed over size. */
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
		PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < height; y++) {
		const uint32_t *src = (const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);
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
