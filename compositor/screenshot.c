#include <drm_fourcc.h>
#include <stdlib.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/output.h"
#include "compositor/png.h"
#include "compositor/screenshot.h"
#include "compositor/server.h"

/* A render target in plain memory that the pixman renderer draws into. */
struct memory_buffer {
	struct wlr_buffer base;
	void *data;
	size_t stride;
};

static void memory_buffer_destroy(struct wlr_buffer *wlr_buffer)
{
	struct memory_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	free(buffer);
}

static bool memory_buffer_begin(struct wlr_buffer *wlr_buffer, uint32_t flags, void **data,
	uint32_t *format, size_t *stride)
{
	struct memory_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	*data = buffer->data;
	*format = DRM_FORMAT_XRGB8888;
	*stride = buffer->stride;
	return true;
}

static void memory_buffer_end(struct wlr_buffer *wlr_buffer)
{
}

static const struct wlr_buffer_impl memory_buffer_impl = {
	.destroy = memory_buffer_destroy,
	.begin_data_ptr_access = memory_buffer_begin,
	.end_data_ptr_access = memory_buffer_end,
};

/*
 * wlroots 0.15 creates a buffer node's texture in wlr_scene_output_commit,
 * before rendering; a node created since the last frame has none yet, and
 * creating it while rendering is not allowed. Do what the commit does.
 */
static void import_pending_textures(struct wlr_scene *scene, struct wlr_renderer *renderer)
{
	struct wlr_scene_buffer *buffer, *tmp;
	wl_list_for_each_safe(buffer, tmp, &scene->pending_buffers, pending_link) {
		if (buffer->texture == NULL) {
			buffer->texture = wlr_texture_from_buffer(renderer, buffer->buffer);
		}
		wl_list_remove(&buffer->pending_link);
		wl_list_init(&buffer->pending_link);
	}
}

bool screenshot_capture(struct mosaic_output *output, uint32_t **pixels, int *width,
	int *height)
{
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_renderer *renderer = output->server->renderer;
	int w = wlr_output->width, h = wlr_output->height;
	if (w <= 0 || h <= 0) {
		return false;
	}
	uint32_t *data = calloc((size_t)w * (size_t)h, sizeof(uint32_t));
	struct memory_buffer *buffer = calloc(1, sizeof(*buffer));
	if (data == NULL || buffer == NULL) {
		free(data);
		free(buffer);
		return false;
	}
	wlr_buffer_init(&buffer->base, &memory_buffer_impl, w, h);
	buffer->data = data;
	buffer->stride = (size_t)w * 4;

	import_pending_textures(output->server->scene, renderer);
	bool ok = wlr_renderer_begin_with_buffer(renderer, &buffer->base);
	if (ok) {
		struct wlr_box box;
		output_get_box(output, &box);
		static const float black[4] = {0, 0, 0, 1};
		wlr_renderer_clear(renderer, black);
		wlr_scene_render_output(output->server->scene, wlr_output, box.x, box.y, NULL);
		wlr_renderer_end(renderer);
	} else {
		wlr_log(WLR_ERROR, "Screenshots need a renderer that draws into memory (pixman)");
	}
	wlr_buffer_drop(&buffer->base);
	if (!ok) {
		free(data);
		return false;
	}
	*pixels = data;
	*width = w;
	*height = h;
	return true;
}

bool screenshot_png(struct mosaic_output *output, uint8_t **png, size_t *len)
{
	uint32_t *pixels;
	int w, h;
	if (!screenshot_capture(output, &pixels, &w, &h)) {
		return false;
	}
	bool ok = png_encode_xrgb8888(pixels, w, h, (size_t)w * 4, png, len);
	free(pixels);
	return ok;
}
