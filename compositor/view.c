#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/label.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/stale.h"
#include "compositor/subbuffer.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wlr_compat.h"
#include "layouts/transform.h"
#include "vm-surfaces/connector.h"

static void colour_to_float(uint32_t colour, float out[4])
{
	out[0] = ((colour >> 16) & 0xff) / 255.0f;
	out[1] = ((colour >> 8) & 0xff) / 255.0f;
	out[2] = (colour & 0xff) / 255.0f;
	out[3] = 1.0f;
}

/*
 * Where the connector's picture lands in the view and which part of it is
 * shown: the guest's shown area, cropped, transformed, fitted into rect,
 * clipped to the output. false when nothing of it is visible.
 */
static bool compute_geometry(struct mosaic_view *view, struct wlr_buffer *buffer,
	struct wlr_box pic, struct wlr_box *box, struct wlr_fbox *src)
{
	const struct view_params *p = &view->params;
	if (pic.width <= 0 || pic.height <= 0 || pic.x + pic.width > buffer->width ||
		pic.y + pic.height > buffer->height) {
		return false;
	}
	if (p->has_crop) {
		if (p->crop.x >= pic.width || p->crop.y >= pic.height) {
			return false;
		}
		pic.x += p->crop.x;
		pic.y += p->crop.y;
		pic.width = p->crop.width < pic.width - p->crop.x ? p->crop.width :
								    pic.width - p->crop.x;
		pic.height = p->crop.height < pic.height - p->crop.y ? p->crop.height :
								       pic.height - p->crop.y;
	}
	struct layout_rect dest = {p->rect.x, p->rect.y, p->rect.width, p->rect.height};
	struct layout_rect od;
	struct layout_fbox os;
	if (!layout_fit_rect(p->fit, &dest, pic.width, pic.height, p->transform, &od, &os)) {
		return false;
	}
	*src = (struct wlr_fbox){pic.x + os.x, pic.y + os.y, os.width, os.height};

	/* Clip to the output, taking the same share off the source. */
	struct wlr_box out;
	output_get_box(p->output, &out);
	int x0 = od.x > 0 ? od.x : 0, y0 = od.y > 0 ? od.y : 0;
	int x1 = od.x + od.width < out.width ? od.x + od.width : out.width;
	int y1 = od.y + od.height < out.height ? od.y + od.height : out.height;
	if (x1 <= x0 || y1 <= y0) {
		return false;
	}
	if (x0 != od.x || y0 != od.y || x1 != od.x + od.width || y1 != od.y + od.height) {
		struct layout_fbox unit = {
			(double)(x0 - od.x) / od.width,
			(double)(y0 - od.y) / od.height,
			(double)(x1 - x0) / od.width,
			(double)(y1 - y0) / od.height,
		};
		struct layout_fbox s = transform_box(&unit, transform_invert(p->transform), 1, 1);
		*src = (struct wlr_fbox){
			src->x + s.x * src->width,
			src->y + s.y * src->height,
			s.width * src->width,
			s.height * src->height,
		};
	}
	*box = (struct wlr_box){x0, y0, x1 - x0, y1 - y0};
	return true;
}

static void destroy_content(struct mosaic_view *view)
{
	if (view->content != NULL) {
		wlr_scene_node_destroy(&view->content->node);
		view->content = NULL;
	}
	if (view->extras != NULL) {
		wlr_scene_node_destroy(&view->extras->node);
		view->extras = NULL;
	}
	view->box = (struct wlr_box){0};
	view->src = (struct wlr_fbox){0};
}

static void set_placeholder(struct mosaic_view *view, bool shown)
{
	if (view->placeholder != NULL) {
		wlr_scene_node_set_enabled(&view->placeholder->node, shown);
	}
	if (view->label_node != NULL) {
		wlr_scene_node_set_enabled(&view->label_node->node, shown);
	}
}

/*
 * What the view shows: the guest's framebuffer and its part of it (vm-surfaces
 * checked it fits), or the app's buffer and its window geometry. false: nothing.
 */
static bool view_picture(struct mosaic_view *view, struct wlr_buffer **buffer, struct wlr_box *pic)
{
	struct mosaic_surface *surface = view->params.surface;
	if (surface != NULL && surface->connector != NULL && surface->connector->buffer != NULL) {
		*buffer = surface->connector->buffer;
		*pic = surface->connector->src;
		return true;
	}
	return view->params.app != NULL && app_get_picture(view->params.app, buffer, pic);
}

/*
 * A scene node showing src (buffer pixels) of buffer in box (output-local),
 * turned by the view's transform; NULL if out of memory.
 */
static struct wlr_scene_buffer *add_buffer_node(struct mosaic_view *view,
	struct wlr_scene_tree *parent, struct wlr_buffer *buffer, const struct wlr_fbox *src,
	const struct wlr_box *box)
{
	/* Whole pixels of the source: the pixman renderer samples from there anyway. */
	int sx0 = (int)lround(src->x), sy0 = (int)lround(src->y);
	int sx1 = (int)lround(src->x + src->width), sy1 = (int)lround(src->y + src->height);
	sx0 = sx0 < 0 ? 0 : (sx0 >= buffer->width ? buffer->width - 1 : sx0);
	sy0 = sy0 < 0 ? 0 : (sy0 >= buffer->height ? buffer->height - 1 : sy0);
	sx1 = sx1 <= sx0 ? sx0 + 1 : (sx1 > buffer->width ? buffer->width : sx1);
	sy1 = sy1 <= sy0 ? sy0 + 1 : (sy1 > buffer->height ? buffer->height : sy1);
	struct wlr_fbox src_box = {sx0, sy0, sx1 - sx0, sy1 - sy0};
	/*
	 * A flip is a new node in the old one's place (not every wlroots mosaic
	 * builds with can swap a scene buffer's wlr_buffer), which also damages
	 * its area. Not every pixman renderer of wlroots reads a source box's x
	 * and y: a source that does not start at the corner is a buffer of its
	 * own, over the same pixels.
	 */
	struct wlr_buffer *sub = NULL;
	if (sx0 != 0 || sy0 != 0) {
		sub = subbuffer_create(buffer, sx0, sy0, sx1 - sx0, sy1 - sy0);
		if (sub != NULL) {
			src_box.x = 0;
			src_box.y = 0;
		}
	}
	struct wlr_scene_buffer *node = wlr_scene_buffer_create(parent, sub != NULL ? sub : buffer);
	if (sub != NULL) {
		wlr_buffer_drop(sub);
	}
	if (node == NULL) {
		wlr_log(WLR_ERROR, "Out of memory showing %s",
			view->label != NULL ? view->label : "a view");
		return NULL;
	}
	wlr_scene_node_set_position(&node->node, box->x, box->y);
	/* Each output pixel takes the buffer's nearest pixel, as mosaic draws it (render_frame.c). */
	wlr_scene_buffer_set_filter_mode(node, WLR_SCALE_FILTER_NEAREST);
	/* Setting only the destination size does not scale everywhere: always set both. */
	wlr_scene_buffer_set_source_box(node, &src_box);
	wlr_scene_buffer_set_dest_size(node, box->width, box->height);
	/* As wlr_box_transform maps boxes, and layout_fit_rect with it: 90 turns clockwise. */
	wlr_scene_buffer_set_transform(node, (enum wl_output_transform)view->params.transform);
	return node;
}

/*
 * An app's subsurface or popup, over its window: the box it covers in the
 * window's buffer pixels goes where the view puts those pixels, cut to the
 * part of the window the view shows.
 */
static void add_extra(struct wlr_buffer *buffer, const struct wlr_fbox *box, void *data)
{
	struct mosaic_view *view = data;
	const struct wlr_fbox *src = &view->src;
	if (view->extras == NULL || src->width <= 0 || src->height <= 0) {
		return;
	}
	/* In the unit square of what the view shows, cut to it. */
	struct layout_fbox unit = {(box->x - src->x) / src->width, (box->y - src->y) / src->height,
		box->width / src->width, box->height / src->height};
	double x0 = fmax(unit.x, 0), y0 = fmax(unit.y, 0);
	double x1 = fmin(unit.x + unit.width, 1), y1 = fmin(unit.y + unit.height, 1);
	if (x1 <= x0 || y1 <= y0) {
		return;
	}
	struct wlr_fbox part = {
		(x0 - unit.x) / unit.width * buffer->width,
		(y0 - unit.y) / unit.height * buffer->height,
		(x1 - x0) / unit.width * buffer->width,
		(y1 - y0) / unit.height * buffer->height,
	};
	struct layout_fbox cut = {x0, y0, x1 - x0, y1 - y0};
	struct layout_fbox out = transform_box(&cut, view->params.transform, 1, 1);
	int ox0 = view->box.x + (int)lround(out.x * view->box.width);
	int oy0 = view->box.y + (int)lround(out.y * view->box.height);
	int ox1 = view->box.x + (int)lround((out.x + out.width) * view->box.width);
	int oy1 = view->box.y + (int)lround((out.y + out.height) * view->box.height);
	if (ox1 <= ox0 || oy1 <= oy0) {
		return;
	}
	struct wlr_box dest = {ox0, oy0, ox1 - ox0, oy1 - oy0};
	add_buffer_node(view, view->extras, buffer, &part, &dest);
}

static void view_update_content(struct mosaic_view *view)
{
	destroy_content(view);
	if (view->tree == NULL) {
		return;
	}
	struct wlr_buffer *buffer;
	struct wlr_box pic;
	if (!view_picture(view, &buffer, &pic)) {
		set_placeholder(view, true);
		return;
	}
	set_placeholder(view, false);
	struct wlr_box box;
	struct wlr_fbox src;
	if (!compute_geometry(view, buffer, pic, &box, &src)) {
		return;
	}
	view->content = add_buffer_node(view, view->tree, buffer, &src, &box);
	if (view->content == NULL) {
		return;
	}
	view->box = box;
	view->src = src;
	/* An app's subsurfaces and popups, over its window. */
	if (view->params.app != NULL) {
		view->extras = wlr_scene_tree_create(view->tree);
		if (view->extras != NULL) {
			app_for_each_extra(view->params.app, add_extra, view);
		}
	}
}

static bool create_placeholder(struct mosaic_view *view)
{
	const struct view_params *p = &view->params;
	if (!p->placeholder) {
		return true;
	}
	struct wlr_box area = view->area;
	if (wlr_box_empty(&area)) {
		return true;
	}
	uint32_t colour = p->placeholder_colour;
	float c[4];
	colour_to_float(colour, c);
	view->placeholder = wlr_scene_rect_create(view->tree, area.width, area.height, c);
	if (view->placeholder == NULL) {
		return false;
	}
	wlr_scene_node_set_position(&view->placeholder->node, area.x, area.y);
	if (view->label == NULL) {
		return true;
	}
	struct wlr_buffer *text = label_create(view->label, colour, area.width, area.height);
	if (text == NULL) {
		return true;
	}
	view->label_node = label_node_create(view->tree, text);
	int w = text->width, h = text->height;
	wlr_buffer_drop(text);
	if (view->label_node == NULL) {
		return false;
	}
	wlr_scene_node_set_position(&view->label_node->node, area.x + (area.width - w) / 2,
		area.y + (area.height - h) / 2);
	return true;
}

bool view_shows_guest(const struct mosaic_view *view)
{
	return view->tree != NULL && view->params.surface != NULL &&
		view->params.surface->connector != NULL;
}

bool view_shows_app(const struct mosaic_view *view)
{
	return view->tree != NULL && view->params.app != NULL;
}

static void view_handle_app_content(struct wl_listener *listener, void *data)
{
	struct mosaic_view *view = wl_container_of(listener, view, app_content);
	view_update_content(view);
}

static void view_handle_surface_content(struct wl_listener *listener, void *data)
{
	struct mosaic_view *view = wl_container_of(listener, view, surface_content);
	view_update_content(view);
	if (view->stale != NULL) {
		stale_watch_content(view->stale);
	}
}

/* A live view (stale-after) of a connected guest is watched for frames that stop coming. */
static bool watch_staleness(struct mosaic_view *view, const struct wlr_box *output_box)
{
	const struct view_params *p = &view->params;
	if (p->spec == NULL || p->spec->stale_after_ms <= 0 || p->surface == NULL ||
		p->surface->connector == NULL || view->tree == NULL || wlr_box_empty(&view->area)) {
		return true;
	}
	struct wlr_box area = view->area;
	area.x += output_box->x;
	area.y += output_box->y;
	view->stale = stale_watch_create(
		view->server, &area, p->spec->stale_after_ms, p->surface->content_ms);
	return view->stale != NULL;
}

struct mosaic_view *view_create(struct mosaic_server *server, const struct view_params *params)
{
	struct mosaic_view *view = calloc(1, sizeof(*view));
	if (view == NULL) {
		return NULL;
	}
	view->server = server;
	view->params = *params;
	if (params->label != NULL) {
		view->label = strdup(params->label);
		if (view->label == NULL) {
			goto error;
		}
	}
	view->params.label = view->label;
	if (params->output != NULL && params->visible && params->rect.width > 0 &&
		params->rect.height > 0) {
		struct wlr_box out;
		output_get_box(params->output, &out);
		/* Children are output-local: the tree sits at the output's corner. */
		view->tree = wlr_scene_tree_create(server->layer_guests);
		if (view->tree == NULL) {
			goto error;
		}
		view->tree->node.data = view;
		wlr_scene_node_set_position(&view->tree->node, out.x, out.y);
		out.x = out.y = 0;
		if (!wlr_box_intersection(&view->area, &params->rect, &out)) {
			view->area = (struct wlr_box){0};
		}
		if (!create_placeholder(view)) {
			goto error;
		}
		struct wlr_box at;
		output_get_box(params->output, &at);
		if (!watch_staleness(view, &at)) {
			goto error;
		}
	}
	wl_list_insert(server->views.prev, &view->link);
	wl_list_init(&view->surface_content.link);
	if (params->surface != NULL) {
		view->surface_content.notify = view_handle_surface_content;
		wl_signal_add(&params->surface->events.content, &view->surface_content);
	}
	wl_list_init(&view->app_content.link);
	if (params->app != NULL) {
		view->app_content.notify = view_handle_app_content;
		wl_signal_add(&params->app->events.content, &view->app_content);
	}
	view_update_content(view);
	return view;

error:
	stale_watch_destroy(view->stale);
	if (view->tree != NULL) {
		wlr_scene_node_destroy(&view->tree->node);
	}
	free(view->label);
	free(view);
	return NULL;
}

void view_destroy(struct mosaic_view *view)
{
	if (view == NULL) {
		return;
	}
	wl_list_remove(&view->link);
	wl_list_remove(&view->surface_content.link);
	wl_list_remove(&view->app_content.link);
	stale_watch_destroy(view->stale);
	if (view->tree != NULL) {
		/* Also releases the scene's locks on guest memory. */
		wlr_scene_node_destroy(&view->tree->node);
	}
	free(view->label);
	free(view);
}
