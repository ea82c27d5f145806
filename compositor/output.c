#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/arrange.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"

static const float background_colour[4] = {0.08f, 0.08f, 0.1f, 1.0f};

static void output_handle_frame(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, frame);
	struct wlr_output *wlr_output = output->wlr_output;
	uint32_t seq = wlr_output->commit_seq + 1;

	struct mosaic_surface *surface;
	wl_list_for_each(surface, &output->server->surfaces, link) {
		if (surface->output == output) {
			surface_stage(surface, seq);
		}
	}
	if (!wlr_scene_output_commit(output->scene_output)) {
		wlr_log(WLR_ERROR, "Output %s: commit failed", wlr_output->name);
	}
	if (wlr_output->commit_seq + 1 == seq) {
		/*
		 * Nothing was committed (content fully covered, or the commit
		 * failed): what was staged is as visible as it will get, and the
		 * guest must not wait for it.
		 */
		wl_list_for_each(surface, &output->server->surfaces, link) {
			if (surface->output == output) {
				surface_present(surface, seq);
			}
		}
	}
}

static void output_handle_present(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, present);
	struct wlr_output_event_present *event = data;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &output->server->surfaces, link) {
		if (surface->output == output) {
			surface_present(surface, event->commit_seq);
		}
	}
}

static void output_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_output *output = wl_container_of(listener, output, destroy);
	struct mosaic_server *server = output->server;
	wl_list_remove(&output->frame.link);
	wl_list_remove(&output->present.link);
	wl_list_remove(&output->destroy.link);
	wl_list_remove(&output->link);
	/*
	 * The output's damage tracker is already gone (it listens to the same
	 * signal): take the output out of the scene before anything damages it.
	 */
	wlr_scene_output_destroy(output->scene_output);
	wlr_scene_node_destroy(&output->background->node);
	free(output);
	arrange_surfaces(server);
}

static bool output_configure(struct mosaic_server *server, struct wlr_output *wlr_output)
{
	wlr_output_enable(wlr_output, true);
	struct wlr_output_mode *mode = wlr_output_preferred_mode(wlr_output);
	if (mode != NULL && server->config.output_width == 0) {
		wlr_output_set_mode(wlr_output, mode);
	} else if (mode == NULL || server->config.output_width > 0) {
		/* Headless and nested outputs take whatever size we ask for. */
		int w = server->config.output_width > 0 ? server->config.output_width : 1920;
		int h = server->config.output_height > 0 ? server->config.output_height : 1080;
		if (mode != NULL) {
			struct wlr_output_mode *m;
			wl_list_for_each(m, &wlr_output->modes, link) {
				if (m->width == w && m->height == h) {
					mode = m;
					break;
				}
			}
			wlr_output_set_mode(wlr_output, mode);
		} else {
			wlr_output_set_custom_mode(wlr_output, w, h, 0);
		}
	}
	return wlr_output_commit(wlr_output);
}

void output_handle_new(struct wl_listener *listener, void *data)
{
	struct mosaic_server *server = wl_container_of(listener, server, new_output);
	struct wlr_output *wlr_output = data;

	if (!wlr_output_init_render(wlr_output, server->allocator, server->renderer)) {
		wlr_log(WLR_ERROR, "Output %s: cannot initialise rendering", wlr_output->name);
		return;
	}
	if (!output_configure(server, wlr_output)) {
		wlr_log(WLR_ERROR, "Output %s: cannot enable it", wlr_output->name);
		return;
	}
	struct mosaic_output *output = calloc(1, sizeof(*output));
	if (output == NULL) {
		return;
	}
	output->server = server;
	output->wlr_output = wlr_output;
	wlr_output->data = output;
	wlr_output_layout_add_auto(server->output_layout, wlr_output);
	output->scene_output = wlr_scene_output_create(server->scene, wlr_output);
	output->background = wlr_scene_rect_create(&server->layer_background->node,
		wlr_output->width, wlr_output->height, background_colour);
	if (output->scene_output == NULL || output->background == NULL) {
		wlr_log(WLR_ERROR, "Output %s: out of memory", wlr_output->name);
		if (output->scene_output != NULL) {
			wlr_scene_output_destroy(output->scene_output);
		}
		free(output);
		return;
	}
	struct wlr_box box;
	output_get_box(output, &box);
	wlr_scene_node_set_position(&output->background->node, box.x, box.y);
	wlr_scene_output_set_position(output->scene_output, box.x, box.y);

	output->frame.notify = output_handle_frame;
	wl_signal_add(&wlr_output->events.frame, &output->frame);
	output->present.notify = output_handle_present;
	wl_signal_add(&wlr_output->events.present, &output->present);
	output->destroy.notify = output_handle_destroy;
	wl_signal_add(&wlr_output->events.destroy, &output->destroy);
	wl_list_insert(server->outputs.prev, &output->link);

	wlr_log(WLR_INFO, "Output %s: %dx%d at %d,%d", wlr_output->name, wlr_output->width,
		wlr_output->height, box.x, box.y);
	arrange_surfaces(server);
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
	struct wlr_box *b =
		wlr_output_layout_get_box(output->server->output_layout, output->wlr_output);
	*box = b != NULL ? *b : (struct wlr_box){0};
}
