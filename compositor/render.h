#ifndef MOSAIC_COMPOSITOR_RENDER_H
#define MOSAIC_COMPOSITOR_RENDER_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "compositor/render_direct.h"

/*
 * Composes an output's frame and commits it. With the pixman renderer,
 * mosaic draws its scene itself: every damaged pixel is written once, by the
 * topmost opaque node there (guests, placeholders and backgrounds are
 * opaque), with bare pixman calls. wlroots' scene renderer clears the
 * damage, then draws every node bottom to top, covered or not, each through
 * a mask, and fills rectangles through an image of the output's size: two
 * to three times the work. Other renderers, outputs turned by a transform
 * and nodes mosaic does not make go through wlr_scene_output_commit.
 *
 * A frame with more than a little damage is drawn by the output's thread
 * and committed when it is done: the event loop goes on serving guests
 * (their requests, hidden connectors' clocks) and other outputs meanwhile.
 */
struct compat_output_frame;
struct render_scan;
struct wlr_scene_node;
struct mosaic_render;
struct mosaic_server;
struct render_frame;
struct wlr_scene_output;

/* How an output's frames were made. */
enum render_made {
	RENDER_MADE_NONE,     // no frame yet
	RENDER_MADE_COMPOSED, // by mosaic, with pixman
	RENDER_MADE_DIRECT,   // a guest's buffer shown as it is: nothing composed
	RENDER_MADE_WLROOTS,  // by wlroots' scene renderer
};

struct render_stats {
	enum render_made last;
	/*
	 * The tree of the buffer node the last frame made directly showed (a
	 * view's, which stays when a flip replaces the node); compare only.
	 */
	const struct wlr_scene_node *direct_tree;
	uint64_t direct_frames, composed_frames, wlroots_frames;
	uint64_t composed_pixels; // written by mosaic's composition, since start
};

/* An output's frames, as this file makes them. */
struct render_output {
	struct mosaic_server *server;
	struct wlr_scene_output *scene_output;
	struct render_frame *drawing;    // a frame being drawn, NULL if none
	struct mosaic_render *render;    // its composition thread, once a frame needed it
	struct compat_output_frame *out; // the buffer and damage of the frame being made
	struct render_stats stats;
	struct render_direct_refusal refused; // what the output would not show as it is
	struct {
		/* bool *committed: a frame drawn apart (RENDER_LATER) was committed, or not. */
		struct wl_signal done;
	} events;
	struct wl_listener mode;
};

struct render_output *render_output_create(struct mosaic_server *server,
	struct wlr_scene_output *scene_output);
/* Drops a frame being drawn: the output is going away. */
void render_output_destroy(struct render_output *target);

enum render_start {
	RENDER_NOTHING,   // nothing changed: no commit
	RENDER_COMMITTED, // drawn and committed
	RENDER_FAILED,    // not committed
	RENDER_LATER,     // being drawn: events.done follows the commit
};

/* Starts the output's frame; not while render_output_busy(). */
enum render_start render_output_start(struct render_output *target);
/* A frame of this output is being drawn. */
bool render_output_busy(struct render_output *target);
/* Finishes the output's frame in flight now, and commits it (before its mode changes). */
void render_output_wait(struct render_output *target);
/*
 * Draws the whole output into dest (the output's size in its pixels) as its
 * frames are drawn; false if this output is one wlroots draws.
 */
bool render_scene(struct render_output *target, pixman_image_t *dest);
/* The same into new memory: XRGB8888, stride width * 4, free() it; NULL as render_scene. */
uint32_t *render_scene_pixels(struct render_output *target);

#endif
