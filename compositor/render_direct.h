#ifndef MOSAIC_COMPOSITOR_RENDER_DIRECT_H
#define MOSAIC_COMPOSITOR_RENDER_DIRECT_H

#include <stdbool.h>

/*
 * Direct scan-out: when the topmost thing on an output is one opaque
 * buffer that fills it exactly (1:1, not turned, nothing of mosaic's over
 * it) and the output takes that buffer as it is (wlr_output_test), the
 * buffer is committed and nothing is composed: a guest that owns a display
 * costs no drawing. Anything else is composed.
 */
struct render_scan;
struct wlr_output;
struct wlr_scene_node;

/*
 * The kind of buffer an output refused last (an output that cannot take a
 * guest's memory, a DRM plane without a dma-buf, refuses every buffer of
 * that kind): not asked again until something else is offered.
 */
struct render_direct_refusal {
	const void *impl; // the buffer's implementation: its kind
	int width, height;
};

/* The scene node a frame can show as it is, or NULL. */
const struct wlr_scene_node *render_direct_candidate(
	struct wlr_output *wlr_output, const struct render_scan *scan);
/*
 * Commits node's buffer as the output's frame; false if the output does
 * not take it (or refused one of its kind before).
 */
bool render_direct_commit(struct wlr_output *wlr_output, const struct wlr_scene_node *node,
	struct render_direct_refusal *refusal, bool *committed);

#endif
