#ifndef MOSAIC_COMPOSITOR_OUTPUT_H
#define MOSAIC_COMPOSITOR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>

#include "compositor/frame_times.h"

/* One real, nested or headless output, its frame clock and its background. */
struct mosaic_server;
struct mosaic_background;
struct render_output;
struct layout_output;

struct mosaic_output {
	struct mosaic_server *server;
	struct wlr_output *wlr_output;
	struct wlr_scene_output *scene_output;
	struct mosaic_background *background;
	const struct layout_output *config; // its [[output]] in the layout file, or NULL
	/* Headless outputs: frames on a fixed grid at the output's rate (a timerfd), or -1. */
	int clock_fd;
	struct wl_event_source *clock;
	struct render_output *render; // its frames
	struct frame_times times;
	/* Being shown for the first time in a host that answers with a size: that size. */
	bool meeting_host;
	int host_width, host_height;

	struct wl_listener frame;
	struct wl_listener present;
	struct wl_listener mode;
	struct wl_listener request_state;
	struct wl_listener destroy;
	struct wl_listener render_done;
	struct wl_list link; // mosaic_server.outputs
};

void output_handle_new(struct wl_listener *listener, void *data);
/* Composes and commits a frame if anything changed; completes the flips it shows. */
void output_render_frame(struct mosaic_output *output);
/*
 * A display plugged in or taken away, for the headless backend (tests, and
 * cockpits whose displays come and go): a new output of width x height
 * (its name in *name), or the output destroyed. false with why otherwise.
 */
bool output_create_headless(struct mosaic_server *server, int width, int height,
	const char **name, char *why, size_t size);
bool output_unplug(struct mosaic_output *output, char *why, size_t size);

/* By wlr_output name (NULL: the first output). */
struct mosaic_output *output_find(struct mosaic_server *server, const char *name);
/* Layout position and size of the output. */
void output_get_box(struct mosaic_output *output, struct wlr_box *box);
/*
 * Applies the layout file in force to every output (matching, mode,
 * position, scale, transform, background): after a reload.
 */
void outputs_configure(struct mosaic_server *server);

#endif
