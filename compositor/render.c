#include <drm_fourcc.h>
#include <math.h>
#include <pixman.h>
#include <stdlib.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>
#include <wlr/util/region.h>

#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/server.h"

/* A node that shows something on this output, in output buffer coordinates. */
struct draw {
	struct wlr_scene_node *node;
	struct wlr_box box;
	bool opaque;
	pixman_region32_t visible; // damaged, on the output, and not under an opaque node
};

struct scan {
	struct draw *draws;
	size_t len, cap;
	struct wlr_box area; // the output in layout coordinates
	float scale;
	bool drawable; // every node is one this file can draw
};

/* The formats wlroots 0.15's pixman renderer reads, as pixman names them. */
static pixman_format_code_t pixman_format(uint32_t drm_format, bool *opaque)
{
	*opaque = true;
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
		return PIXMAN_x8r8g8b8;
	case DRM_FORMAT_XBGR8888:
		return PIXMAN_x8b8g8r8;
	case DRM_FORMAT_RGBX8888:
		return PIXMAN_r8g8b8x8;
	case DRM_FORMAT_BGRX8888:
		return PIXMAN_b8g8r8x8;
	case DRM_FORMAT_RGB565:
		return PIXMAN_r5g6b5;
	case DRM_FORMAT_BGR565:
		return PIXMAN_b5g6r5;
	case DRM_FORMAT_XRGB2101010:
		return PIXMAN_x2r10g10b10;
	case DRM_FORMAT_XBGR2101010:
		return PIXMAN_x2b10g10r10;
	}
	*opaque = false;
	switch (drm_format) {
	case DRM_FORMAT_ARGB8888:
		return PIXMAN_a8r8g8b8;
	case DRM_FORMAT_ABGR8888:
		return PIXMAN_a8b8g8r8;
	case DRM_FORMAT_RGBA8888:
		return PIXMAN_r8g8b8a8;
	case DRM_FORMAT_BGRA8888:
		return PIXMAN_b8g8r8a8;
	case DRM_FORMAT_ARGB2101010:
		return PIXMAN_a2r10g10b10;
	case DRM_FORMAT_ABGR2101010:
		return PIXMAN_a2b10g10r10;
	}
	return 0;
}

/* As wlroots' scene sizes a node. */
static void node_size(struct wlr_scene_node *node, int *width, int *height)
{
	*width = *height = 0;
	if (node->type == WLR_SCENE_NODE_RECT) {
		struct wlr_scene_rect *rect = (struct wlr_scene_rect *)node;
		*width = rect->width;
		*height = rect->height;
	} else if (node->type == WLR_SCENE_NODE_BUFFER) {
		struct wlr_scene_buffer *buffer = (struct wlr_scene_buffer *)node;
		if (buffer->dst_width > 0 && buffer->dst_height > 0) {
			*width = buffer->dst_width;
			*height = buffer->dst_height;
		} else if (buffer->transform & WL_OUTPUT_TRANSFORM_90) {
			*width = buffer->buffer->height;
			*height = buffer->buffer->width;
		} else {
			*width = buffer->buffer->width;
			*height = buffer->buffer->height;
		}
	}
}

/* As wlroots' scene scales a box to the output's pixels. */
static void scale_box(struct wlr_box *box, float scale)
{
	int x1 = (int)round((box->x + box->width) * scale);
	int y1 = (int)round((box->y + box->height) * scale);
	box->x = (int)round(box->x * scale);
	box->y = (int)round(box->y * scale);
	box->width = x1 - box->x;
	box->height = y1 - box->y;
}

static bool buffer_opaque(struct wlr_buffer *buffer, bool *opaque)
{
	void *data;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
		    &format, &stride)) {
		return false;
	}
	wlr_buffer_end_data_ptr_access(buffer);
	return pixman_format(format, opaque) != 0;
}

static void add_draw(struct scan *scan, struct wlr_scene_node *node, int lx, int ly)
{
	struct wlr_box box = {.x = lx, .y = ly};
	node_size(node, &box.width, &box.height);
	struct wlr_box on_output;
	if (!wlr_box_intersection(&on_output, &box, &scan->area)) {
		return;
	}
	bool opaque;
	if (node->type == WLR_SCENE_NODE_RECT) {
		opaque = ((struct wlr_scene_rect *)node)->color[3] >= 1.0f;
	} else if (!buffer_opaque(((struct wlr_scene_buffer *)node)->buffer, &opaque)) {
		scan->drawable = false;
		return;
	}
	if (scan->len == scan->cap) {
		size_t cap = scan->cap ? scan->cap * 2 : 32;
		struct draw *draws = realloc(scan->draws, cap * sizeof(*draws));
		if (draws == NULL) {
			scan->drawable = false;
			return;
		}
		scan->draws = draws;
		scan->cap = cap;
	}
	box.x -= scan->area.x;
	box.y -= scan->area.y;
	scale_box(&box, scan->scale);
	scan->draws[scan->len++] = (struct draw){.node = node, .box = box, .opaque = opaque};
}

/* The nodes on the output, bottom to top, as wlroots would draw them. */
static void scan_node(struct scan *scan, struct wlr_scene_node *node, int lx, int ly)
{
	if (!node->state.enabled || !scan->drawable) {
		return;
	}
	lx += node->state.x;
	ly += node->state.y;
	switch (node->type) {
	case WLR_SCENE_NODE_ROOT:
	case WLR_SCENE_NODE_TREE:
		break;
	case WLR_SCENE_NODE_RECT:
	case WLR_SCENE_NODE_BUFFER:
		add_draw(scan, node, lx, ly);
		break;
	case WLR_SCENE_NODE_SURFACE:
		/* Wayland clients' surfaces: mosaic shows none; wlroots draws them. */
		scan->drawable = false;
		return;
	}
	struct wlr_scene_node *child;
	wl_list_for_each(child, &node->state.children, state.link) {
		scan_node(scan, child, lx, ly);
	}
}

static void fill_region(pixman_image_t *dest, pixman_op_t op, const float colour[4],
	pixman_region32_t *region)
{
	int n;
	pixman_box32_t *boxes = pixman_region32_rectangles(region, &n);
	if (n == 0) {
		return;
	}
	/* As wlroots' pixman renderer turns a colour into pixman's. */
	pixman_color_t c = {
		.red = (uint16_t)(colour[0] * 0xffff),
		.green = (uint16_t)(colour[1] * 0xffff),
		.blue = (uint16_t)(colour[2] * 0xffff),
		.alpha = (uint16_t)(colour[3] * 0xffff),
	};
	pixman_image_fill_boxes(op, dest, &c, n, boxes);
}

static void matrix_to_pixman(const float m[9], pixman_transform_t *t)
{
	struct pixman_f_transform f;
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			f.m[i][j] = m[i * 3 + j];
		}
	}
	pixman_transform_from_pixman_f_transform(t, &f);
}

/*
 * A buffer node's pixels where it is visible. The transform from output
 * pixels to the buffer's is the one wlroots' pixman renderer builds, so the
 * same output pixel samples the same buffer pixel.
 */
static void draw_buffer(struct wlr_output *wlr_output, pixman_image_t *dest,
	const struct draw *draw)
{
	struct wlr_scene_buffer *node = (struct wlr_scene_buffer *)draw->node;
	void *data;
	uint32_t drm_format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(node->buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
		    &drm_format, &stride)) {
		return;
	}
	bool opaque;
	pixman_format_code_t format = pixman_format(drm_format, &opaque);
	pixman_image_t *image = format == 0 ? NULL :
		pixman_image_create_bits_no_clear(format, node->buffer->width,
			node->buffer->height, data, (int)stride);
	if (image == NULL) {
		wlr_buffer_end_data_ptr_access(node->buffer);
		return;
	}
	struct wlr_fbox src = node->src_box;
	if (wlr_fbox_empty(&src)) {
		src = (struct wlr_fbox){0, 0, draw->box.width, draw->box.height};
	}
	float matrix[9];
	wlr_matrix_project_box(matrix, &draw->box, wlr_output_transform_invert(node->transform),
		0.0, wlr_output->transform_matrix);
	wlr_matrix_scale(matrix, 1.0f / (float)src.width, 1.0f / (float)src.height);
	pixman_transform_t transform;
	matrix_to_pixman(matrix, &transform);
	pixman_transform_invert(&transform, &transform);
	pixman_image_set_transform(image, &transform);
	/*
	 * Output pixels at the edge of the box whose sample rounds to just
	 * outside the buffer take the edge's colour: nothing is drawn under
	 * an opaque node, so there must be no hole.
	 */
	pixman_image_set_repeat(image, PIXMAN_REPEAT_PAD);
	pixman_op_t op = opaque ? PIXMAN_OP_SRC : PIXMAN_OP_OVER;
	int n;
	pixman_box32_t *rects = pixman_region32_rectangles((pixman_region32_t *)&draw->visible, &n);
	for (int i = 0; i < n; i++) {
		pixman_box32_t *r = &rects[i];
		pixman_image_composite32(op, image, NULL, dest, r->x1, r->y1, 0, 0, r->x1, r->y1,
			r->x2 - r->x1, r->y2 - r->y1);
	}
	pixman_image_unref(image);
	wlr_buffer_end_data_ptr_access(node->buffer);
}

/*
 * Top to bottom, each node gets the damage that no opaque node above it
 * covers; what no opaque node covers is cleared to black, as wlroots does.
 */
static void compose(struct mosaic_output *output, struct scan *scan, pixman_region32_t *damage,
	pixman_image_t *dest)
{
	pixman_region32_t covered, clear;
	pixman_region32_init(&covered);
	for (size_t i = scan->len; i-- > 0;) {
		struct draw *d = &scan->draws[i];
		pixman_region32_init_rect(&d->visible, d->box.x, d->box.y, (unsigned)d->box.width,
			(unsigned)d->box.height);
		pixman_region32_intersect(&d->visible, &d->visible, damage);
		pixman_region32_subtract(&d->visible, &d->visible, &covered);
		if (d->opaque) {
			pixman_region32_union_rect(&covered, &covered, d->box.x, d->box.y,
				(unsigned)d->box.width, (unsigned)d->box.height);
		}
	}
	pixman_region32_init(&clear);
	pixman_region32_subtract(&clear, damage, &covered);
	static const float black[4] = {0, 0, 0, 1};
	pixman_image_set_clip_region32(dest, NULL);
	fill_region(dest, PIXMAN_OP_SRC, black, &clear);
	pixman_region32_fini(&clear);
	pixman_region32_fini(&covered);

	for (size_t i = 0; i < scan->len; i++) {
		struct draw *d = &scan->draws[i];
		if (pixman_region32_not_empty(&d->visible)) {
			if (d->node->type == WLR_SCENE_NODE_RECT) {
				struct wlr_scene_rect *rect = (struct wlr_scene_rect *)d->node;
				fill_region(dest, d->opaque ? PIXMAN_OP_SRC : PIXMAN_OP_OVER,
					rect->color, &d->visible);
			} else {
				draw_buffer(output->wlr_output, dest, d);
			}
		}
		pixman_region32_fini(&d->visible);
	}
}

/* false (and the scan freed) if wlroots must draw this output. */
static bool scan_output(struct mosaic_output *output, struct scan *scan)
{
	struct mosaic_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	*scan = (struct scan){.scale = wlr_output->scale, .drawable = true};
	if (!wlr_renderer_is_pixman(server->renderer) ||
		wlr_output->transform != WL_OUTPUT_TRANSFORM_NORMAL) {
		return false;
	}
	scan->area.x = output->scene_output->x;
	scan->area.y = output->scene_output->y;
	wlr_output_effective_resolution(wlr_output, &scan->area.width, &scan->area.height);
	scan_node(scan, &server->scene->node, 0, 0);
	if (!scan->drawable) {
		free(scan->draws);
		scan->draws = NULL;
		return false;
	}
	return true;
}

bool render_output_commit(struct mosaic_output *output)
{
	struct mosaic_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_scene_output *scene_output = output->scene_output;
	struct scan scan;
	if (server->wlroots_render || !scan_output(output, &scan)) {
		return wlr_scene_output_commit(scene_output);
	}

	bool needs_frame;
	pixman_region32_t damage;
	pixman_region32_init(&damage);
	if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &damage)) {
		pixman_region32_fini(&damage);
		free(scan.draws);
		return false;
	}
	if (!needs_frame) {
		pixman_region32_fini(&damage);
		free(scan.draws);
		wlr_output_rollback(wlr_output);
		return true;
	}
	wlr_renderer_begin(server->renderer, wlr_output->width, wlr_output->height);
	pixman_image_t *dest = wlr_pixman_renderer_get_current_image(server->renderer);
	compose(output, &scan, &damage, dest);
	wlr_output_render_software_cursors(wlr_output, &damage);
	wlr_renderer_end(server->renderer);
	pixman_region32_fini(&damage);
	free(scan.draws);

	/* The damage of this frame, for the backend (the same as wlroots sets). */
	wlr_output_set_damage(wlr_output, &scene_output->damage->current);
	return wlr_output_commit(wlr_output);
}

bool render_scene(struct mosaic_output *output, pixman_image_t *dest)
{
	struct scan scan;
	if (!scan_output(output, &scan)) {
		return false;
	}
	pixman_region32_t all;
	pixman_region32_init_rect(&all, 0, 0, (unsigned)output->wlr_output->width,
		(unsigned)output->wlr_output->height);
	compose(output, &scan, &all, dest);
	pixman_region32_fini(&all);
	free(scan.draws);
	return true;
}
