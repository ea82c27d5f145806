#include <drm_fourcc.h>
#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>

#include "compositor/subbuffer.h"
#include "compositor/wlr_compat.h"

struct subbuffer {
	struct wlr_buffer base;
	struct wlr_buffer *parent;
	int x, y;
	uint32_t bytes_per_pixel;
};

/* The formats wlroots' pixman renderer reads. */
static uint32_t format_bytes_per_pixel(uint32_t format)
{
	switch (format) {
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ABGR8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_RGBA8888:
	case DRM_FORMAT_RGBX8888:
	case DRM_FORMAT_BGRA8888:
	case DRM_FORMAT_BGRX8888:
	case DRM_FORMAT_ARGB2101010:
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ABGR2101010:
	case DRM_FORMAT_XBGR2101010:
		return 4;
	case DRM_FORMAT_RGB565:
	case DRM_FORMAT_BGR565:
		return 2;
	default:
		return 0;
	}
}

static void subbuffer_destroy(struct wlr_buffer *wlr_buffer)
{
	struct subbuffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	wlr_buffer_unlock(buffer->parent);
	free(buffer);
}

static bool subbuffer_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
	void **data, uint32_t *format, size_t *stride)
{
	struct subbuffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	void *parent_data;
	if (!wlr_buffer_begin_data_ptr_access(buffer->parent, flags, &parent_data, format,
		    stride)) {
		return false;
	}
	*data = (uint8_t *)parent_data + (size_t)buffer->y * *stride +
		(size_t)buffer->x * buffer->bytes_per_pixel;
	return true;
}

static void subbuffer_end_data_ptr_access(struct wlr_buffer *wlr_buffer)
{
	struct subbuffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	wlr_buffer_end_data_ptr_access(buffer->parent);
}

static const struct wlr_buffer_impl subbuffer_impl = {
	.destroy = subbuffer_destroy,
	.begin_data_ptr_access = subbuffer_begin_data_ptr_access,
	.end_data_ptr_access = subbuffer_end_data_ptr_access,
};

struct wlr_buffer *subbuffer_create(struct wlr_buffer *parent, int x, int y, int width,
	int height)
{
	if (x < 0 || y < 0 || width <= 0 || height <= 0 || x > parent->width - width ||
		y > parent->height - height) {
		return NULL;
	}
	void *data;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(parent, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
		    &format, &stride)) {
		return NULL;
	}
	wlr_buffer_end_data_ptr_access(parent);
	uint32_t bpp = format_bytes_per_pixel(format);
	if (bpp == 0) {
		return NULL;
	}
	struct subbuffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		return NULL;
	}
	wlr_buffer_init(&buffer->base, &subbuffer_impl, width, height);
	buffer->parent = wlr_buffer_lock(parent);
	buffer->x = x;
	buffer->y = y;
	buffer->bytes_per_pixel = bpp;
	return &buffer->base;
}
