#ifndef MOSAIC_COMPOSITOR_SURFACE_H
#define MOSAIC_COMPOSITOR_SURFACE_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>

/*
 * A guest connector's place on screen. It outlives the guest's connection:
 * while the guest is away the place shows a placeholder, and the guest gets
 * it back when it reconnects.
 */
struct mosaic_server;
struct mosaic_output;
struct vm_connector;

struct mosaic_surface {
	struct mosaic_server *server;
	uint32_t domid, devid, index;
	char *label;
	uint32_t width, height; // the connector's resolution

	struct vm_connector *connector; // NULL while the guest is away
	struct mosaic_output *output;   // where it is placed, NULL if nowhere
	struct wlr_box box;             // layout coordinates

	struct wlr_scene_tree *tree;
	struct wlr_scene_buffer *content;
	struct wlr_scene_rect *placeholder;

	/* Flip bookkeeping: content waiting for a frame, and content in a commit. */
	uint64_t dirty_seq;
	uint64_t staged_seq;
	uint32_t staged_commit;
	bool staged;

	struct wl_listener frame;
	struct wl_listener destroy;
	struct wl_list link; // mosaic_server.surfaces
};

void surface_handle_new_connector(struct wl_listener *listener, void *data);
void surface_destroy(struct mosaic_surface *surface);
/* Places the surface at box on output (NULL: not shown). */
void surface_place(struct mosaic_surface *surface, struct mosaic_output *output,
	const struct wlr_box *box);

/* Output frame: note which content this commit carries; present: it is on screen. */
void surface_stage(struct mosaic_surface *surface, uint32_t commit_seq);
void surface_present(struct mosaic_surface *surface, uint32_t commit_seq);

#endif
