#ifndef MOSAIC_COMPOSITOR_LABEL_H
#define MOSAIC_COMPOSITOR_LABEL_H

#include <stdint.h>

/* Text drawn into a buffer of our own, for placeholders. */
struct wlr_buffer;
struct wlr_scene_buffer;
struct wlr_scene_tree;

/*
 * text (UTF-8, from the layout file) in a light colour on background
 * (0xRRGGBB), as large as fits in max_width x max_height; the buffer is
 * just large enough for it. NULL if nothing fits or on failure.
 */
struct wlr_buffer *label_create(const char *text, uint32_t background, int max_width,
	int max_height);

/*
 * A scene node showing a label at its size in layout units (scaled with
 * the output, each pixel taking its nearest), the same wherever it is
 * drawn. NULL if out of memory.
 */
struct wlr_scene_buffer *label_node_create(struct wlr_scene_tree *parent, struct wlr_buffer *label);

/* Releases what drawing text keeps for the process (font caches); at exit. */
void label_finish(void);

#endif
