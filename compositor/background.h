#ifndef MOSAIC_COMPOSITOR_BACKGROUND_H
#define MOSAIC_COMPOSITOR_BACKGROUND_H

#include <stdint.h>
#include <wlr/util/box.h>

/*
 * What an output shows where no guest does: a colour, and optionally a PNG
 * image scaled to cover the output (cropped evenly, aspect ratio kept).
 */
struct wlr_scene_tree;
struct wlr_scene_rect;
struct wlr_scene_buffer;

struct mosaic_background {
	struct wlr_scene_tree *tree;
	struct wlr_scene_rect *rect;
	struct wlr_scene_buffer *image; // NULL without an image
};

struct mosaic_background *background_create(struct wlr_scene_tree *parent);
void background_destroy(struct mosaic_background *background);

/*
 * Covers box (layout coordinates) in colour (0xRRGGBB), with image_path on
 * top unless NULL. The image is drawn at pixel_width x pixel_height (the
 * output's resolution). false, with why filled, when the image cannot be
 * shown; the colour is shown then.
 */
bool background_set(struct mosaic_background *background, const struct wlr_box *box,
	uint32_t colour, const char *image_path, int pixel_width, int pixel_height, char *why,
	size_t why_size);

#endif
