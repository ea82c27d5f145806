#include <drm_fourcc.h>
#include <pixman.h>
#include <stdio.h>
#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>

#include "compositor/background.h"
#include "compositor/wlr_compat.h"
#include "protocol/png.h"
#include "vm-surfaces/buffer.h"

struct mosaic_background *background_create(struct wlr_scene_tree *parent)
{
	struct mosaic_background *background = calloc(1, sizeof(*background));
	if (background == NULL) {
		return NULL;
	}
	static const float black[4] = {0, 0, 0, 1};
	background->tree = wlr_scene_tree_create(parent);
	if (background->tree == NULL) {
		free(background);
		return NULL;
	}
	background->rect = wlr_scene_rect_create(background->tree, 1, 1, black);
	if (background->rect == NULL) {
		wlr_scene_node_destroy(&background->tree->node);
		free(background);
		return NULL;
	}
	return background;
}

void background_destroy(struct mosaic_background *background)
{
	if (background == NULL) {
		return;
	}
	wlr_scene_node_destroy(&background->tree->node);
	free(background);
}

/* The image scaled to cover width x height, over colour: one opaque buffer. */
static struct vm_buffer *render_cover(const uint32_t *pixels, int iw, int ih, uint32_t colour,
	int width, int height)
{
	struct vm_buffer *buffer = vm_buffer_create_memory(width, height, DRM_FORMAT_XRGB8888);
	if (buffer == NULL) {
		return NULL;
	}
	pixman_image_t *dst = pixman_image_create_bits(
		PIXMAN_x8r8g8b8, width, height, buffer->data, (int)buffer->stride);
	pixman_image_t *src = pixman_image_create_bits(
		PIXMAN_a8r8g8b8, iw, ih, (uint32_t *)pixels, iw * 4);
	if (dst == NULL || src == NULL) {
		goto out;
	}
	pixman_color_t fill = {
		.red = (uint16_t)(((colour >> 16) & 0xff) * 0x101),
		.green = (uint16_t)(((colour >> 8) & 0xff) * 0x101),
		.blue = (uint16_t)((colour & 0xff) * 0x101),
		.alpha = 0xffff,
	};
	pixman_box32_t all = {0, 0, width, height};
	pixman_image_fill_boxes(PIXMAN_OP_SRC, dst, &fill, 1, &all);
	/* Cover: the larger of the two scales, centred; dest -> source mapping for pixman. */
	double sx = (double)width / iw, sy = (double)height / ih;
	double s = sx > sy ? sx : sy;
	struct pixman_f_transform ft;
	pixman_f_transform_init_scale(&ft, 1.0 / s, 1.0 / s);
	pixman_f_transform_translate(
		&ft, NULL, (iw - width / s) / 2.0, (ih - height / s) / 2.0);
	struct pixman_transform t;
	pixman_transform_from_pixman_f_transform(&t, &ft);
	pixman_image_set_transform(src, &t);
	pixman_image_set_filter(src, PIXMAN_FILTER_BILINEAR, NULL, 0);
	pixman_image_set_repeat(src, PIXMAN_REPEAT_PAD);
	pixman_image_composite32(
		PIXMAN_OP_OVER, src, NULL, dst, 0, 0, 0, 0, 0, 0, width, height);
out:
	if (src != NULL) {
		pixman_image_unref(src);
	}
	if (dst != NULL) {
		pixman_image_unref(dst);
	}
	return buffer;
}

bool background_set(struct mosaic_background *background, const struct wlr_box *box,
	uint32_t colour, const char *image_path, int pixel_width, int pixel_height, char *why,
	size_t why_size)
{
	float c[4] = {
		((colour >> 16) & 0xff) / 255.0f,
		((colour >> 8) & 0xff) / 255.0f,
		(colour & 0xff) / 255.0f,
		1.0f,
	};
	wlr_scene_node_set_position(&background->tree->node, box->x, box->y);
	wlr_scene_rect_set_color(background->rect, c);
	wlr_scene_rect_set_size(background->rect, box->width, box->height);
	if (background->image != NULL) {
		wlr_scene_node_destroy(&background->image->node);
		background->image = NULL;
	}
	if (image_path == NULL || box->width <= 0 || box->height <= 0 || pixel_width <= 0 ||
		pixel_height <= 0) {
		return true;
	}
	uint32_t *pixels;
	int iw, ih;
	if (!png_load_argb8888(image_path, &pixels, &iw, &ih, why, why_size)) {
		return false;
	}
	struct vm_buffer *buffer = render_cover(pixels, iw, ih, colour, pixel_width, pixel_height);
	free(pixels);
	if (buffer == NULL) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	background->image = wlr_scene_buffer_create(background->tree, &buffer->base);
	wlr_buffer_drop(&buffer->base);
	if (background->image == NULL) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	/* Scaled as mosaic draws: each output pixel takes its nearest pixel. */
	wlr_scene_buffer_set_filter_mode(background->image, WLR_SCALE_FILTER_NEAREST);
	/* Setting only the destination size does not scale everywhere: always set both. */
	struct wlr_fbox src = {0, 0, pixel_width, pixel_height};
	wlr_scene_buffer_set_source_box(background->image, &src);
	wlr_scene_buffer_set_dest_size(background->image, box->width, box->height);
	return true;
}
