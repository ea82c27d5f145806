#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/wayland.h>
#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/background.h"
#include "compositor/output.h"
#include "compositor/output_config.h"
#include "compositor/render.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/wlr_compat.h"

/* Without a layout file: the colour mosaic always had; outputs a file does not describe: black. */
#define BUILTIN_BACKGROUND 0x141419u

static void output_frame_done(struct mosaic_output *output, bool committed);

void output_render_frame(struct mosaic_output *output)
{
	struct wlr_output *wlr_output = output->wlr_output;
	if (render_output_busy(output->render)) {
		/* Its damage waits for the next frame, as on a display that missed a vblank. */
		frame_times_start(&output->times, frame_times_now(), true);
		return;
	}
	frame_times_start(&output->times, frame_times_now(), false);
	if (output->clock != NULL) {
		/*
		 * A headless output scans nothing out: wlroots' "frame pending"
		 * only paces its own timer, and the pacing is ours.
		 */
		wlr_output->frame_pending = false;
	}
	uint32_t seq = wlr_output->commit_seq + 1;

	struct mosaic_surface *surface;
	wl_list_for_each(surface, &output->server->surfaces, link) {
		if (surface->presenter == output->wlr_output) {
			surface_stage(surface, seq);
		}
	}
	switch (render_output_start(output->render)) {
	case RENDER_LATER:
		return;
	case RENDER_FAILED:
		wlr_log(WLR_ERROR, "Output %s: commit failed", wlr_output->name);
		break;
	case RENDER_NOTHING:
	case RENDER_COMMITTED:
		break;
	}
	output_frame_done(output, wlr_output->commit_seq + 1 != seq);
}

static void output_frame_done(struct mosaic_output *output, bool committed)
{
	struct wlr_output *wlr_output = output->wlr_output;
	frame_times_done(&output->times, frame_times_now(), committed);
	if (!committed) {
		/*
		 * Nothing was committed (content fully covered, or the commit
		 * failed): what was staged is as visible as it will get, and the
		 * guest must not wait for it.
		 */
		struct mosaic_surface *surface;
		wl_list_for_each(surface, &output->server->surfaces, link) {
			if (surface->presenter == output->wlr_output) {
				surface_present(surface, wlr_output->commit_seq + 1);
			}
		}
		return;
	}
	wl_signal_emit(&output->server->events.frame, wlr_output);
}

static void output_handle_render_done(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, render_done);
	output_frame_done(output, *(bool *)data);
}

static void output_handle_frame(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, frame);
	if (output->clock == NULL) {
		output_render_frame(output);
	}
}

static int clock_handle_tick(int fd, uint32_t mask, void *data)
{
	struct mosaic_output *output = data;
	uint64_t ticks;
	/* Ticks missed while the loop was busy are gone, as vblanks are. */
	if (read(fd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks)) {
		output_render_frame(output);
	}
	return 0;
}

/*
 * wlroots' headless outputs send a frame 16 ms after the last frame's
 * handler returned: the frame period grows by the time spent composing
 * (21 ms with 16 guests), and flip events with it. A display's vblanks
 * keep their grid: so do mosaic's headless outputs.
 */
static void clock_start(struct mosaic_output *output)
{
	output->clock_fd = -1;
	if (!wlr_output_is_headless(output->wlr_output)) {
		return;
	}
	int mhz = output->wlr_output->refresh > 0 ? output->wlr_output->refresh : 60000;
	int64_t period = 1000000000000LL / mhz;
	struct itimerspec spec = {
		.it_interval = {period / 1000000000, period % 1000000000},
		.it_value = {period / 1000000000, period % 1000000000},
	};
	output->clock_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (output->clock_fd < 0 || timerfd_settime(output->clock_fd, 0, &spec, NULL) < 0) {
		wlr_log_errno(WLR_ERROR, "Output %s: no frame clock of our own",
			output->wlr_output->name);
		goto error;
	}
	output->clock = wl_event_loop_add_fd(output->server->loop, output->clock_fd,
		WL_EVENT_READABLE, clock_handle_tick, output);
	if (output->clock != NULL) {
		return;
	}
error:
	/* wlroots' frames will do. */
	if (output->clock_fd >= 0) {
		close(output->clock_fd);
	}
	output->clock_fd = -1;
}

static void clock_stop(struct mosaic_output *output)
{
	if (output->clock != NULL) {
		wl_event_source_remove(output->clock);
		output->clock = NULL;
	}
	if (output->clock_fd >= 0) {
		close(output->clock_fd);
		output->clock_fd = -1;
	}
}

static void output_handle_present(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, present);
	struct wlr_output_event_present *event = data;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &output->server->surfaces, link) {
		if (surface->presenter == output->wlr_output) {
			surface_present(surface, event->commit_seq);
		}
	}
}

/* Scene viewports and backgrounds follow the outputs' places in the layout. */
static void update_places(struct mosaic_server *server)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		struct wlr_box box;
		output_get_box(output, &box);
		wlr_scene_output_set_position(output->scene_output, box.x, box.y);
		const struct layout_output *c = output->config;
		uint32_t colour = server->layout == NULL ? BUILTIN_BACKGROUND : 0;
		if (c != NULL) {
			/* A translucent background shows what is behind every output: black. */
			colour = (uint32_t)(c->background.r * c->background.a / 255) << 16 |
				(uint32_t)(c->background.g * c->background.a / 255) << 8 |
				(uint32_t)(c->background.b * c->background.a / 255);
		}
		int pw, ph;
		wlr_output_transformed_resolution(output->wlr_output, &pw, &ph);
		char why[256];
		if (!background_set(output->background, &box, colour,
			    c != NULL ? c->background_image : NULL, pw, ph, why, sizeof(why))) {
			struct layout_error err;
			layout_error_at(&err, &c->at.background_image,
				"output '%s': cannot show background image '%s': %s", c->name,
				c->background_image, why);
			char line[1024];
			layout_error_format(&err, line, sizeof(line));
			wlr_log(WLR_ERROR, "%s", line);
		}
	}
}

/* A nested window resized, or a mode set: backgrounds, places and views follow the new size. */
static void output_handle_mode(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, mode);
	if (!compat_output_mode_changed(data)) {
		return;
	}
	update_places(output->server);
	wl_signal_emit(&output->server->events.outputs_changed, NULL);
}

/* A nested output's window was resized by its host: the output takes the size. */
static void output_handle_request_state(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, request_state);
	const struct wlr_output_state *state = compat_output_requested_state(data);
	if (output->meeting_host) {
		/* Asked in the middle of the commit that shows the window: answered after it. */
		if ((state->committed & WLR_OUTPUT_STATE_MODE) && state->mode == NULL) {
			output->host_width = state->custom_mode.width;
			output->host_height = state->custom_mode.height;
		}
		return;
	}
	/* A frame drawn at the old size is not committed after the new one. */
	if (output->render != NULL) {
		render_output_wait(output->render);
	}
	if (!wlr_output_commit_state(output->wlr_output, state)) {
		wlr_log(WLR_ERROR, "Output %s: cannot take the size its window was given",
			output->wlr_output->name);
	}
}

/* Takes every output out of the layout and puts it back: fixed places first, then left to right. */
static void place_outputs(struct mosaic_server *server)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		wlr_output_layout_remove(server->output_layout, output->wlr_output);
	}
	wl_list_for_each(output, &server->outputs, link) {
		if (output->config != NULL && output->config->has_position) {
			wlr_output_layout_add(server->output_layout, output->wlr_output,
				output->config->x, output->config->y);
		}
	}
	wl_list_for_each(output, &server->outputs, link) {
		if (output->config == NULL || !output->config->has_position) {
			wlr_output_layout_add_auto(server->output_layout, output->wlr_output);
		}
	}
	update_places(server);
}

static bool configure(struct mosaic_server *server, struct mosaic_output *output,
	struct wlr_output *wlr_output)
{
	output->config = output_config_match(server->layout, wlr_output);
	struct layout_error err;
	bool has_error;
	bool ok = output_config_apply(wlr_output, output->config, &server->config, &err, &has_error);
	if (has_error) {
		char line[1024];
		layout_error_format(&err, line, sizeof(line));
		wlr_log(WLR_ERROR, "%s", line);
	}
	return ok;
}

static void output_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, destroy);
	struct mosaic_server *server = output->server;
	wl_list_remove(&output->frame.link);
	wl_list_remove(&output->present.link);
	wl_list_remove(&output->mode.link);
	wl_list_remove(&output->request_state.link);
	/* A frame being drawn is dropped first: its buffer goes with the output. */
	wl_list_remove(&output->render_done.link);
	render_output_destroy(output->render);
	wl_list_remove(&output->destroy.link);
	wl_list_remove(&output->link);
	clock_stop(output);
	/*
	 * The output's damage tracker is already gone (it listens to the same
	 * signal): take the output out of the scene before anything damages it.
	 */
	wlr_scene_output_destroy(output->scene_output);
	background_destroy(output->background);
	wlr_output_layout_remove(server->output_layout, output->wlr_output);
	free(output);
	update_places(server);
	wl_signal_emit(&server->events.outputs_changed, NULL);
}

/*
 * A window in a Wayland compositor whose host gives its size when it is
 * first shown, in the middle of that commit: shown at the backend's own
 * size first (a window larger than its host allows is a protocol error),
 * then at the host's, which configure() keeps as a host-given size.
 */
static void meet_host(struct mosaic_output *output)
{
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_output_state state;
	wlr_output_state_init(&state);
	wlr_output_state_set_enabled(&state, true);
	output->meeting_host = true;
	bool shown = wlr_output_commit_state(wlr_output, &state);
	output->meeting_host = false;
	wlr_output_state_finish(&state);
	if (shown && output->host_width > 0 && output->host_height > 0 &&
		(output->host_width != wlr_output->width || output->host_height != wlr_output->height)) {
		wlr_output_state_init(&state);
		wlr_output_state_set_custom_mode(&state, output->host_width, output->host_height, 0);
		wlr_output_commit_state(wlr_output, &state);
		wlr_output_state_finish(&state);
	}
}

void output_handle_new(struct wl_listener *listener, void *data)
{
	struct mosaic_server *server = wl_container_of(listener, server, new_output);
	struct wlr_output *wlr_output = data;

	if (!wlr_output_init_render(wlr_output, server->allocator, server->renderer)) {
		wlr_log(WLR_ERROR, "Output %s: cannot initialise rendering", wlr_output->name);
		return;
	}
	struct mosaic_output *output = calloc(1, sizeof(*output));
	if (output == NULL) {
		return;
	}
	output->server = server;
	output->wlr_output = wlr_output;
	struct wl_signal *request_state = compat_output_request_state_signal(wlr_output);
	wl_list_init(&output->request_state.link);
	if (request_state != NULL) {
		output->request_state.notify = output_handle_request_state;
		wl_signal_add(request_state, &output->request_state);
		if (wlr_output_is_wl(wlr_output)) {
			meet_host(output);
		}
	}
	if (!configure(server, output, wlr_output)) {
		wlr_log(WLR_ERROR, "Output %s: cannot enable it", wlr_output->name);
		wl_list_remove(&output->request_state.link);
		free(output);
		return;
	}
	wlr_output->data = output;
	output->scene_output = wlr_scene_output_create(server->scene, wlr_output);
	output->background = background_create(server->layer_background);
	output->render = output->scene_output == NULL ? NULL :
		render_output_create(server, output->scene_output);
	if (output->render == NULL || output->background == NULL) {
		wlr_log(WLR_ERROR, "Output %s: out of memory", wlr_output->name);
		wlr_output->data = NULL;
		render_output_destroy(output->render);
		if (output->scene_output != NULL) {
			wlr_scene_output_destroy(output->scene_output);
		}
		background_destroy(output->background);
		wl_list_remove(&output->request_state.link);
		free(output);
		return;
	}
	output->render_done.notify = output_handle_render_done;
	wl_signal_add(&output->render->events.done, &output->render_done);
	output->frame.notify = output_handle_frame;
	wl_signal_add(&wlr_output->events.frame, &output->frame);
	output->present.notify = output_handle_present;
	wl_signal_add(&wlr_output->events.present, &output->present);
	output->mode.notify = output_handle_mode;
	wl_signal_add(compat_output_mode_signal(wlr_output), &output->mode);
	output->destroy.notify = output_handle_destroy;
	wl_signal_add(&wlr_output->events.destroy, &output->destroy);
	clock_start(output);
	/*
	 * By name: backends announce outputs in no particular order, and the
	 * first output (the grid's, the default screenshot's) and automatic
	 * placement from left to right should not depend on it.
	 */
	struct wl_list *before = &server->outputs;
	struct mosaic_output *other;
	wl_list_for_each(other, &server->outputs, link) {
		if (strcmp(wlr_output->name, other->wlr_output->name) < 0) {
			before = &other->link;
			break;
		}
	}
	wl_list_insert(before->prev, &output->link);
	place_outputs(server);

	struct wlr_box box;
	output_get_box(output, &box);
	wlr_log(WLR_INFO, "Output %s: %dx%d at %d,%d%s%s", wlr_output->name, wlr_output->width,
		wlr_output->height, box.x, box.y, output->config != NULL ? ", layout output " : "",
		output->config != NULL ? output->config->name : "");
	wl_signal_emit(&server->events.outputs_changed, NULL);
}

void outputs_configure(struct mosaic_server *server)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		/* A mode change replaces the buffers a frame may be drawn into. */
		render_output_wait(output->render);
		if (!configure(server, output, output->wlr_output)) {
			wlr_log(WLR_ERROR, "Output %s: cannot apply its settings",
				output->wlr_output->name);
		}
		/* The mode's rate may have changed. */
		clock_stop(output);
		clock_start(output);
	}
	place_outputs(server);
}

struct mosaic_output *output_find(struct mosaic_server *server, const char *name)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		if (name == NULL || strcmp(output->wlr_output->name, name) == 0) {
			return output;
		}
	}
	return NULL;
}

void output_get_box(struct mosaic_output *output, struct wlr_box *box)
{
	wlr_output_layout_get_box(output->server->output_layout, output->wlr_output, box);
}

bool output_create_headless(struct mosaic_server *server, int width, int height,
	const char **name, char *why, size_t size)
{
	if (!wlr_backend_is_headless(server->backend)) {
		snprintf(why, size, "outputs can be created with the headless backend only (--headless)");
		return false;
	}
	struct wlr_output *wlr_output =
		wlr_headless_add_output(server->backend, (unsigned)width, (unsigned)height);
	if (wlr_output == NULL || wlr_output->data == NULL) {
		/* output_handle_new() logged why it could not take it. */
		if (wlr_output != NULL) {
			wlr_output_destroy(wlr_output);
		}
		snprintf(why, size, "cannot create a %dx%d output", width, height);
		return false;
	}
	*name = wlr_output->name;
	return true;
}

bool output_unplug(struct mosaic_output *output, char *why, size_t size)
{
	if (!wlr_output_is_headless(output->wlr_output)) {
		snprintf(why, size, "only headless outputs can be unplugged");
		return false;
	}
	/* As a display taken away: output_handle_destroy() re-arranges what is left. */
	wlr_output_destroy(output->wlr_output);
	return true;
}
