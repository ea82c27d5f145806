#include <drm_fourcc.h>
#include <math.h>
#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>

#include "compositor/render_scan.h"
#include "compositor/wlr_compat.h"

pixman_format_code_t render_pixman_format(uint32_t drm_format, bool *opaque)
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
	return render_pixman_format(format, opaque) != 0;
}

static void add_draw(struct render_scan *scan, struct wlr_scene_node *node, int lx, int ly)
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
		struct render_draw *draws = realloc(scan->draws, cap * sizeof(*draws));
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
	scan->draws[scan->len++] = (struct render_draw){.node = node, .box = box, .opaque = opaque};
}

void render_scan_node(struct render_scan *scan, struct wlr_scene_node *node, int lx, int ly)
{
	if (!compat_scene_node_enabled(node) || !scan->drawable) {
		return;
	}
	int x, y;
	compat_scene_node_position(node, &x, &y);
	lx += x;
	ly += y;
	if (node->type == WLR_SCENE_NODE_RECT || node->type == WLR_SCENE_NODE_BUFFER) {
		add_draw(scan, node, lx, ly);
		return;
	}
	struct wl_list *children = compat_scene_node_children(node);
	if (children == NULL) {
		/* Wayland clients' surfaces: mosaic shows none; wlroots draws them. */
		scan->drawable = false;
		return;
	}
	struct wlr_scene_node *child;
	wl_list_for_each(child, children, COMPAT_SCENE_NODE_LINK)
	{
		render_scan_node(scan, child, lx, ly);
	}
}
