#ifndef MOSAIC_COMPOSITOR_SUBBUFFER_H
#define MOSAIC_COMPOSITOR_SUBBUFFER_H

#include <stdint.h>

/*
 * A rectangle of another buffer's pixels, as a buffer of its own (no copy).
 * Not every pixman renderer of wlroots reads the x and y of a scene buffer's
 * source box, so crops that do not start at the buffer's top-left corner
 * are drawn from one of these instead.
 */
struct wlr_buffer;

/*
 * NULL when the parent's pixels cannot be addressed (no data pointer, or a
 * format we do not know the size of) or on allocation failure. The
 * rectangle must lie within the parent; it keeps the parent locked.
 */
struct wlr_buffer *subbuffer_create(struct wlr_buffer *parent, int x, int y, int width,
	int height);

#endif
