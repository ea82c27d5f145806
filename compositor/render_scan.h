#ifndef MOSAIC_COMPOSITOR_RENDER_SCAN_H
#define MOSAIC_COMPOSITOR_RENDER_SCAN_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>
#include <wlr/util/box.h>

/*
 * The scene's nodes that show something on an output, bottom to top, as
 * wlroots would draw them, in the output's buffer coordinates: what a frame
 * is made of (render_frame.h).
 */
struct wlr_scene_node;

struct render_draw {
	struct wlr_scene_node *node;
	struct wlr_box box;
	bool opaque;
	pixman_region32_t visible; // damaged, on the output, and not under an opaque node
};

struct render_scan {
	struct render_draw *draws; // free() them
	size_t len, cap;
	struct wlr_box area; // the output in layout coordinates
	float scale;
	bool drawable; // every node is one mosaic can draw (rectangles, buffers pixman reads)
};

/* Adds node and its children at layout position (lx, ly) of its parent. */
void render_scan_node(struct render_scan *scan, struct wlr_scene_node *node, int lx, int ly);

/* The formats wlroots' pixman renderer reads, as pixman names them; 0 if none. */
pixman_format_code_t render_pixman_format(uint32_t drm_format, bool *opaque);

#endif
