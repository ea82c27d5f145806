#ifndef MOSAIC_COMPOSITOR_RENDER_H
#define MOSAIC_COMPOSITOR_RENDER_H

#include <pixman.h>
#include <stdbool.h>

/*
 * Composes an output's frame and commits it. With the pixman renderer,
 * mosaic draws its scene itself: every damaged pixel is written once, by the
 * topmost opaque node there (guests, placeholders and backgrounds are
 * opaque), with bare pixman calls. wlroots 0.15's scene renderer clears the
 * damage, then draws every node bottom to top, covered or not, each through
 * a mask, and fills rectangles through an image of the output's size: two
 * to three times the work. Other renderers, outputs turned by a transform
 * and nodes mosaic does not make go through wlr_scene_output_commit.
 */
struct mosaic_output;

/* Like wlr_scene_output_commit: true when nothing needed drawing, or the commit worked. */
bool render_output_commit(struct mosaic_output *output);
/*
 * Draws the whole output into dest (the output's size in its pixels) as
 * render_output_commit would; false if this output is one wlroots draws.
 */
bool render_scene(struct mosaic_output *output, pixman_image_t *dest);

#endif
