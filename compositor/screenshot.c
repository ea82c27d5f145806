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
#include "vm-surfaces/buffer.h"

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
	struct vm_buffer *buffer = vm_buffer_create_memory(w, h, DRM_FORMAT_XRGB8888);
	if (buffer == NULL) {
		return false;
	}
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
		wlr_buffer_drop(&buffer->base);
		return false;
	}
	/* Keep the pixels, drop the buffer around them. */
	*pixels = buffer->data;
	buffer->data = NULL;
	wlr_buffer_drop(&buffer->base);
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
