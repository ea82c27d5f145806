#ifndef MOSAIC_COMPOSITOR_SERVER_H
#define MOSAIC_COMPOSITOR_SERVER_H

#include <stdbool.h>
#include <wayland-server-core.h>

/*
 * The whole compositor: backends, outputs, the scene, guests' surfaces,
 * control, and the events they tell each other. Data only: server_setup.c
 * makes and unmakes it.
 */
struct layout_config;
struct layout_layout;

struct mosaic_config {
	bool headless;
	int output_width, output_height;
	int headless_outputs; // may be 0
	const char *control_path;
	uint64_t guest_memory; // bytes of buffers per guest device, 0: default
	const char *layout_path; // NULL: the built-in grid
	bool allow_screencopy; // dom0 clients may capture outputs (wlr-screencopy)
	/* How long the place of a guest that is gone is kept (unless the layout file names it); <0: for ever. */
	int forget_after_ms;
	struct layout_config *layout; // loaded from layout_path; the server takes it
};

struct mosaic_server {
	struct mosaic_config config;
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct wlr_backend *backend;
	struct wlr_renderer *renderer;
	struct wlr_allocator *allocator;
	struct wlr_output_layout *output_layout;

	struct wlr_scene *scene;
	/* Stacking, bottom to top: output backgrounds, guests, what only mosaic draws. */
	struct wlr_scene_tree *layer_background;
	struct wlr_scene_tree *layer_guests;
	struct wlr_scene_tree *layer_overlay;

	struct wl_list outputs;  // mosaic_output.link
	struct wl_list surfaces; // mosaic_surface.link, by (domain, device, connector)
	struct wl_list views;    // mosaic_view.link, bottom to top

	/* The layout file in force (NULL: the built-in grid) and its active layout. */
	struct layout_config *layout;
	const struct layout_layout *active_layout;

	struct xenstore *store;
	struct vm_surfaces *vm;
	struct vkbd_manager *inputs; // guests' PV input devices
	struct mosaic_control *control;
	struct mosaic_seat *seat;
	struct wlr_seat *wl_seat; // the seat's, for what talks to apps below it (the cursor)
	struct input_router *router;
	struct mosaic_cursor *cursor;
	struct mosaic_focus *focus;
	struct mosaic_inject *inject;
	struct mosaic_apps *apps; // dom0's Wayland clients' windows
	const char *socket; // the Wayland socket's name, NULL without one
	/* Compose with wlroots' scene renderer, not mosaic's (MOSAIC_RENDER=wlroots): for comparison. */
	bool wlroots_render;
	struct wl_list encode_jobs;   // encode_job.link: screenshots being encoded

	struct mosaic_arrange *arrange;

	/*
	 * What happens in the compositor, told to whoever listens (the control
	 * server's followers, the arrangement, input): the modules that make it
	 * happen call nobody above them.
	 */
	struct {
		struct wl_signal guest_connected; // struct mosaic_surface *
		struct wl_signal guest_gone;      // struct mosaic_surface *, its connector gone
		struct wl_signal guest_forgotten; // struct mosaic_surface *, gone too long: out of the list
		struct wl_signal surface_destroy; // struct mosaic_surface *: drop every pointer to it
		struct wl_signal outputs_changed; // NULL: an output came or went
		struct wl_signal views_changed;   // NULL: the views were remade
		struct wl_signal frame;           // struct wlr_output *: a frame was committed
		struct wl_signal focus;           // struct mosaic_focus *: it went elsewhere
		struct wl_signal layout_changed;  // const struct layout_layout *
		struct wl_signal reloaded;        // NULL: server->layout is the new file
		struct wl_signal reload_failed;   // const struct layout_error *
		struct wl_signal binding;         // const char *: a key binding's command
		struct wl_signal app_mapped;      // struct mosaic_app *: it has something to show
		struct wl_signal app_unmapped;    // struct mosaic_app *: it has not, or is gone
		struct wl_signal app_renamed;     // struct mosaic_app *: a new app_id or title
	} events;

	struct wl_listener new_output;
	struct wl_listener new_connector;
};

#endif
