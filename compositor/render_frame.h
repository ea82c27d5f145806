#ifndef MOSAIC_COMPOSITOR_RENDER_FRAME_H
#define MOSAIC_COMPOSITOR_RENDER_FRAME_H

#include <pixman.h>
#include <stdbool.h>
#include <wayland-server-core.h>

/*
 * One output frame as pixman draws it: for each node of a scan, the part of
 * the damage that no opaque node above it covers, with the buffer's pixels
 * (locked while the frame lives) or the rectangle's colour. What no opaque
 * node covers is cleared to black, as wlroots does. Made on the loop's
 * thread (the scene is read there only), drawn on either.
 */
struct piece;
struct render_scan;
struct wlr_output;

struct render_frame {
	void *owner; // the render target the frame is for
	pixman_image_t *dest;
	struct piece *pieces;
	size_t len;
	pixman_region32_t damage; // what this frame draws
	bool done;                // drawn (under the render thread's lock)
	struct wl_list link;      // the render thread's queue or done list
};

/* NULL when out of memory; the scan's visible regions are used up. */
struct render_frame *render_frame_create(struct wlr_output *wlr_output, struct render_scan *scan,
	pixman_region32_t *damage, pixman_image_t *dest);
void render_frame_destroy(struct render_frame *frame);
/* Pixman only: it runs on the composition thread too. */
void render_frame_draw(struct render_frame *frame);

#endif
