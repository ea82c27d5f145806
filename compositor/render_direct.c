#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/box.h>

#include "compositor/render_direct.h"
#include "compositor/render_scan.h"
#include "compositor/wlr_compat.h"

const struct wlr_scene_node *render_direct_candidate(
	struct wlr_output *wlr_output, const struct render_scan *scan)
{
	if (scan->len == 0) {
		return NULL;
	}
	/* The topmost node: what is under it is covered, if it fills the output. */
	const struct render_draw *top = &scan->draws[scan->len - 1];
	if (top->node->type != WLR_SCENE_NODE_BUFFER || !top->opaque || top->box.x != 0 ||
		top->box.y != 0 || top->box.width != wlr_output->width ||
		top->box.height != wlr_output->height) {
		return NULL;
	}
	const struct wlr_scene_buffer *node = (const struct wlr_scene_buffer *)top->node;
	const struct wlr_buffer *buffer = node->buffer;
	if (buffer == NULL || node->transform != WL_OUTPUT_TRANSFORM_NORMAL ||
		buffer->width != wlr_output->width || buffer->height != wlr_output->height) {
		return NULL;
	}
	/* The whole buffer, pixel for pixel. */
	const struct wlr_fbox *src = &node->src_box;
	if (!wlr_fbox_empty(src) && (src->x != 0 || src->y != 0 || src->width != buffer->width ||
					    src->height != buffer->height)) {
		return NULL;
	}
	return top->node;
}

bool render_direct_commit(struct wlr_output *wlr_output, const struct wlr_scene_node *node,
	struct render_direct_refusal *refusal, bool *committed)
{
	struct wlr_buffer *buffer = ((struct wlr_scene_buffer *)node)->buffer;
	struct render_direct_refusal kind = {buffer->impl, buffer->width, buffer->height};
	if (kind.impl == refusal->impl && kind.width == refusal->width &&
		kind.height == refusal->height) {
		return false;
	}
	struct wlr_output_state state;
	wlr_output_state_init(&state);
	wlr_output_state_set_buffer(&state, buffer);
	bool taken = wlr_output_test_state(wlr_output, &state);
	if (taken) {
		*committed = wlr_output_commit_state(wlr_output, &state);
	} else {
		*refusal = kind;
	}
	wlr_output_state_finish(&state);
	return taken;
}
