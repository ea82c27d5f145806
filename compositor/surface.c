#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/arrange.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"

static const float placeholder_colour[4] = {0.22f, 0.22f, 0.25f, 1.0f};

static void update_content(struct mosaic_surface *surface)
{
	if (surface->content != NULL) {
		wlr_scene_node_destroy(&surface->content->node);
		surface->content = NULL;
	}
	struct vm_connector *connector = surface->connector;
	bool absent = connector == NULL;
	wlr_scene_node_set_enabled(&surface->placeholder->node, absent);
	if (absent || connector->buffer == NULL || surface->box.width <= 0) {
		return;
	}
	/*
	 * wlroots 0.15 cannot swap a scene buffer's wlr_buffer: a flip is a
	 * new node in the old one's place, which also damages its area.
	 */
	surface->content = wlr_scene_buffer_create(&surface->tree->node, connector->buffer);
	if (surface->content == NULL) {
		wlr_log(WLR_ERROR, "Out of memory showing %s", surface->label);
		return;
	}
	struct wlr_fbox src = {
		.x = connector->src.x,
		.y = connector->src.y,
		.width = connector->src.width,
		.height = connector->src.height,
	};
	/* The shown part of the fb covers the connector's area in proportion. */
	int dw = (int)((int64_t)surface->box.width * connector->src.width / (int)surface->width);
	int dh = (int)((int64_t)surface->box.height * connector->src.height / (int)surface->height);
	/* Setting only the destination size does not scale in 0.15: always set both. */
	wlr_scene_buffer_set_source_box(surface->content, &src);
	wlr_scene_buffer_set_dest_size(surface->content, dw > 0 ? dw : 1, dh > 0 ? dh : 1);
}

static void surface_handle_frame(struct wl_listener *listener, void *data)
{
	struct mosaic_surface *surface = wl_container_of(listener, surface, frame);
	update_content(surface);
	surface->dirty_seq = surface->connector->content_seq;
}

static void surface_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_surface *surface = wl_container_of(listener, surface, destroy);
	wl_list_remove(&surface->frame.link);
	wl_list_remove(&surface->destroy.link);
	surface->connector->data = NULL;
	surface->connector = NULL;
	surface->staged = false;
	/* Releases the scene's lock on guest memory. */
	update_content(surface);
	wlr_log(WLR_INFO, "%s is gone: showing a placeholder", surface->label);
}

static struct mosaic_surface *find_slot(struct mosaic_server *server, uint32_t domid,
	uint32_t devid, uint32_t index)
{
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->domid == domid && surface->devid == devid && surface->index == index) {
			return surface;
		}
	}
	return NULL;
}

static int slot_cmp(const struct mosaic_surface *a, uint32_t domid, uint32_t devid,
	uint32_t index)
{
	if (a->domid != domid) {
		return a->domid < domid ? -1 : 1;
	}
	if (a->devid != devid) {
		return a->devid < devid ? -1 : 1;
	}
	return a->index < index ? -1 : (a->index > index ? 1 : 0);
}

static struct mosaic_surface *surface_create(struct mosaic_server *server, uint32_t domid,
	uint32_t devid, uint32_t index, const char *name)
{
	struct mosaic_surface *surface = calloc(1, sizeof(*surface));
	if (surface == NULL) {
		return NULL;
	}
	char label[128];
	snprintf(label, sizeof(label), "%s:%u.%u", name, devid, index);
	surface->label = strdup(label);
	surface->server = server;
	surface->domid = domid;
	surface->devid = devid;
	surface->index = index;
	surface->tree = wlr_scene_tree_create(&server->layer_guests->node);
	if (surface->label == NULL || surface->tree == NULL) {
		goto error;
	}
	surface->tree->node.data = surface;
	surface->placeholder =
		wlr_scene_rect_create(&surface->tree->node, 1, 1, placeholder_colour);
	if (surface->placeholder == NULL) {
		goto error;
	}
	/* Keep the list sorted by (domain, device, connector): a stable arrangement. */
	struct mosaic_surface *pos;
	struct wl_list *before = &server->surfaces;
	wl_list_for_each(pos, &server->surfaces, link) {
		if (slot_cmp(pos, domid, devid, index) > 0) {
			before = &pos->link;
			break;
		}
	}
	wl_list_insert(before->prev, &surface->link);
	return surface;

error:
	if (surface->tree != NULL) {
		wlr_scene_node_destroy(&surface->tree->node);
	}
	free(surface->label);
	free(surface);
	return NULL;
}

void surface_handle_new_connector(struct wl_listener *listener, void *data)
{
	struct mosaic_server *server = wl_container_of(listener, server, new_connector);
	struct vm_connector *connector = data;
	struct vm_display *display = connector->display;

	struct mosaic_surface *surface =
		find_slot(server, display->domid, display->devid, connector->index);
	if (surface == NULL) {
		surface = surface_create(server, display->domid, display->devid, connector->index,
			display->name);
		if (surface == NULL) {
			wlr_log(WLR_ERROR, "Out of memory: guest %s connector %u not shown",
				display->name, connector->index);
			vm_connector_set_shown(connector, false);
			return;
		}
	}
	surface->connector = connector;
	surface->width = connector->width;
	surface->height = connector->height;
	surface->dirty_seq = connector->content_seq;
	surface->staged = false;
	connector->data = surface;
	surface->frame.notify = surface_handle_frame;
	wl_signal_add(&connector->events.frame, &surface->frame);
	surface->destroy.notify = surface_handle_destroy;
	wl_signal_add(&connector->events.destroy, &surface->destroy);
	wlr_log(WLR_INFO, "%s: connector %ux%u", surface->label, connector->width,
		connector->height);
	arrange_surfaces(server);
}

void surface_place(struct mosaic_surface *surface, struct mosaic_output *output,
	const struct wlr_box *box)
{
	surface->output = output;
	if (output == NULL || box == NULL) {
		surface->box = (struct wlr_box){0};
		wlr_scene_node_set_enabled(&surface->tree->node, false);
	} else {
		surface->box = *box;
		wlr_scene_node_set_enabled(&surface->tree->node, true);
		wlr_scene_node_set_position(&surface->tree->node, box->x, box->y);
		wlr_scene_rect_set_size(surface->placeholder, box->width, box->height);
	}
	update_content(surface);
	if (surface->connector != NULL) {
		vm_connector_set_shown(surface->connector, surface->output != NULL);
	}
}

void surface_stage(struct mosaic_surface *surface, uint32_t commit_seq)
{
	if (surface->connector == NULL || surface->staged ||
		surface->dirty_seq <= surface->connector->presented_seq) {
		return;
	}
	surface->staged = true;
	surface->staged_seq = surface->dirty_seq;
	surface->staged_commit = commit_seq;
}

void surface_present(struct mosaic_surface *surface, uint32_t commit_seq)
{
	if (!surface->staged || surface->connector == NULL ||
		(int32_t)(commit_seq - surface->staged_commit) < 0) {
		return;
	}
	surface->staged = false;
	vm_connector_present(surface->connector, surface->staged_seq);
}

void surface_destroy(struct mosaic_surface *surface)
{
	if (surface->connector != NULL) {
		wl_list_remove(&surface->frame.link);
		wl_list_remove(&surface->destroy.link);
		surface->connector->data = NULL;
	}
	wl_list_remove(&surface->link);
	wlr_scene_node_destroy(&surface->tree->node);
	free(surface->label);
	free(surface);
}
