#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/arrange.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "layouts/layout.h"
#include "vm-surfaces/connector.h"

#define CELL_MARGIN 8
/* The built-in grid's placeholder: a flat grey where the guest was. */
#define GRID_PLACEHOLDER 0x38383fu

void arrange_grid_cell(const struct wlr_box *area, int n, int i, int width, int height,
	struct wlr_box *out)
{
	int cols = 1;
	while (cols * cols < n) {
		cols++;
	}
	int rows = (n + cols - 1) / cols;
	int cell_w = area->width / cols, cell_h = area->height / rows;
	int avail_w = cell_w - 2 * CELL_MARGIN, avail_h = cell_h - 2 * CELL_MARGIN;
	if (avail_w < 1 || avail_h < 1 || width <= 0 || height <= 0) {
		*out = (struct wlr_box){area->x, area->y, 0, 0};
		return;
	}
	/* Fit (never crop), keep the aspect ratio, never enlarge past 1:1. */
	double scale = fmin((double)avail_w / width, (double)avail_h / height);
	if (scale > 1.0) {
		scale = 1.0;
	}
	int w = (int)floor(width * scale + 0.5), h = (int)floor(height * scale + 0.5);
	int cx = area->x + (i % cols) * cell_w, cy = area->y + (i / cols) * cell_h;
	*out = (struct wlr_box){
		.x = cx + (cell_w - w) / 2,
		.y = cy + (cell_h - h) / 2,
		.width = w,
		.height = h,
	};
}

/* Dom0's apps' windows, oldest first (none before the globals exist). */
static struct wl_list *apps_list(struct mosaic_server *server)
{
	static struct wl_list none = {&none, &none};
	return server->apps != NULL ? &server->apps->list : &none;
}

static void arrange_grid(struct mosaic_server *server)
{
	struct mosaic_output *output = output_find(server, NULL);
	if (output == NULL) {
		return;
	}
	struct wlr_box area;
	output_get_box(output, &area);
	area.x = area.y = 0;
	int n = wl_list_length(&server->surfaces);
	struct wl_list *apps = apps_list(server);
	struct mosaic_app *app;
	wl_list_for_each(app, apps, link) {
		n += app->mapped;
	}
	int i = 0;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		struct view_params params = {
			.output = output,
			.surface = surface,
			.fit = LAYOUT_FIT_STRETCH,
			.visible = true,
			.placeholder = true,
			.placeholder_colour = GRID_PLACEHOLDER,
		};
		arrange_grid_cell(&area, n, i++, (int)surface->width, (int)surface->height,
			&params.rect);
		if (view_create(server, &params) == NULL) {
			wlr_log(WLR_ERROR, "Out of memory: %s not shown", surface->label);
		}
	}
	/* Without a layout file, apps' windows follow, as large as they draw themselves. */
	wl_list_for_each(app, apps, link) {
		struct wlr_buffer *buffer;
		struct wlr_box pic = {0};
		if (!app->mapped) {
			continue;
		}
		app_get_picture(app, &buffer, &pic);
		struct view_params params = {
			.output = output,
			.app = app,
			.fit = LAYOUT_FIT_CONTAIN,
			.visible = true,
		};
		arrange_grid_cell(&area, n, i++, pic.width, pic.height, &params.rect);
		if (view_create(server, &params) == NULL) {
			wlr_log(WLR_ERROR, "Out of memory: app %u not shown", app->id);
		}
	}
}

/* app-id = "*": any window the layout does not name otherwise. */
static bool wildcard(const struct layout_surface *spec)
{
	return spec->app_id != NULL && strcmp(spec->app_id, "*") == 0;
}

bool arrange_matches_app(const struct layout_surface *spec, struct mosaic_app *app)
{
	return spec->app_id != NULL && !wildcard(spec) &&
	       strcmp(spec->app_id, app_get_app_id(app)) == 0 &&
	       (spec->title == NULL || strcmp(spec->title, app_get_title(app)) == 0);
}

/* Whether no entry of layout names the app (by app_id, and title if it gives one). */
static bool unnamed(const struct layout_layout *layout, struct mosaic_app *app)
{
	for (size_t i = 0; i < layout->surfaces_len; i++) {
		if (arrange_matches_app(&layout->surfaces[i], app)) {
			return false;
		}
	}
	return true;
}

/*
 * The window an app entry of layout shows: of those it names, the oldest;
 * a "*" entry, the n-th oldest window that no entry names (n: the "*"
 * entries before it), with its title if it gives one. NULL: none now.
 */
static struct mosaic_app *pick_app(struct mosaic_server *server,
	const struct layout_layout *layout, const struct layout_surface *spec)
{
	struct mosaic_app *app;
	if (!wildcard(spec)) {
		wl_list_for_each(app, apps_list(server), link) {
			if (app->mapped && arrange_matches_app(spec, app)) {
				return app;
			}
		}
		return NULL;
	}
	size_t n = 0;
	for (const struct layout_surface *s = layout->surfaces; s < spec; s++) {
		n += wildcard(s);
	}
	wl_list_for_each(app, apps_list(server), link) {
		if (!app->mapped || !unnamed(layout, app) ||
			(spec->title != NULL && strcmp(spec->title, app_get_title(app)) != 0)) {
			continue;
		}
		if (n-- == 0) {
			return app;
		}
	}
	return NULL;
}

bool arrange_matches(const struct layout_surface *spec, const struct mosaic_surface *surface)
{
	if (spec->guest == NULL ||
		!layout_guest_matches(spec->guest, surface->name, surface->domid)) {
		return false;
	}
	if ((uint32_t)spec->device != surface->devid) {
		return false;
	}
	if (spec->unique_id != NULL) {
		return strcmp(spec->unique_id, surface->unique_id) == 0;
	}
	return (uint32_t)spec->connector == surface->index;
}

static struct mosaic_output *find_layout_output(
	struct mosaic_server *server, const struct layout_output *config)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		if (output->config == config) {
			return output;
		}
	}
	return NULL;
}

/* Output pixels to layout units: rectangles are written in the output's pixels. */
static int to_layout(int32_t v, float scale)
{
	return (int)lround(v / (double)scale);
}

/* Dimmed: a placeholder must not be mistaken for the live guest. */
static uint32_t dim(const struct layout_colour *c)
{
	return (uint32_t)(c->r * 2 / 5) << 16 | (uint32_t)(c->g * 2 / 5) << 8 |
		(uint32_t)(c->b * 2 / 5);
}

static void arrange_layout(struct mosaic_server *server)
{
	const struct layout_layout *layout = server->active_layout;
	for (size_t i = 0; i < layout->surfaces_len; i++) {
		const struct layout_surface *spec = &layout->surfaces[i];
		struct view_params params = {
			.output = find_layout_output(server, spec->output),
			.spec = spec,
			.fit = spec->fit,
			.has_crop = spec->has_crop,
			.crop = spec->crop,
			.transform = spec->transform,
			/* No blending: 0 hides, the rest is opaque. */
			.visible = spec->visible && spec->opacity > 0,
			.placeholder = spec->placeholder,
			.placeholder_colour = dim(&spec->colour),
			.label = spec->label,
		};
		/* A connected connector wins over one whose guest has gone. */
		struct mosaic_surface *surface;
		wl_list_for_each(surface, &server->surfaces, link) {
			if (surface->connector != NULL && arrange_matches(spec, surface)) {
				params.surface = surface;
				break;
			}
		}
		if (spec->app_id != NULL) {
			params.app = pick_app(server, layout, spec);
		}
		if (params.output != NULL) {
			struct wlr_box out;
			output_get_box(params.output, &out);
			float scale = params.output->wlr_output->scale;
			params.rect = spec->has_rect ?
				(struct wlr_box){
					to_layout(spec->rect.x, scale),
					to_layout(spec->rect.y, scale),
					to_layout(spec->rect.width, scale),
					to_layout(spec->rect.height, scale),
				} :
				(struct wlr_box){0, 0, out.width, out.height};
		}
		if (view_create(server, &params) == NULL) {
			wlr_log(WLR_ERROR, "Out of memory: layout '%s' surface #%d not shown",
				layout->name, spec->number);
		}
	}
}

void arrange_surfaces(struct mosaic_server *server)
{
	struct mosaic_view *view, *tmp;
	wl_list_for_each_safe(view, tmp, &server->views, link) {
		view_destroy(view);
	}
	if (server->active_layout != NULL) {
		arrange_layout(server);
	} else {
		arrange_grid(server);
	}
	/* Each connector's flips complete with the frames of the first output that shows it. */
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		struct mosaic_output *presenter = NULL;
		wl_list_for_each(view, &server->views, link) {
			if (view->params.surface == surface && view_shows_guest(view)) {
				presenter = view->params.output;
				break;
			}
		}
		surface_set_presenter(surface, presenter != NULL ? presenter->wlr_output : NULL);
	}
	/*
	 * An app draws at the size of the first view that places it (turned
	 * with the view), paced by that view's output; the grid leaves the size
	 * to the app.
	 */
	struct mosaic_app *app;
	wl_list_for_each(app, apps_list(server), link) {
		struct mosaic_view *first = NULL;
		wl_list_for_each(view, &server->views, link) {
			if (view->params.app == app && view_shows_app(view)) {
				first = view;
				break;
			}
		}
		app_set_presenter(app, first != NULL ? first->params.output->wlr_output : NULL);
		if (first != NULL && first->params.spec != NULL) {
			bool turned = first->params.transform & LAYOUT_TRANSFORM_90;
			app_configure(app, turned ? first->params.rect.height : first->params.rect.width,
				turned ? first->params.rect.width : first->params.rect.height);
		}
	}
	/* Input that went to a guest no longer shown stops; so does its focus. */
	wl_signal_emit(&server->events.views_changed, NULL);
}

struct mosaic_arrange {
	struct mosaic_server *server;
	struct wl_listener guest_connected;
	struct wl_listener guest_gone;
	struct wl_listener guest_forgotten;
	struct wl_listener outputs_changed;
	struct wl_listener app_mapped;
	struct wl_listener app_unmapped;
	struct wl_listener app_renamed;
};

static void arrange_handle_guest_connected(struct wl_listener *listener, void *data)
{
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, guest_connected);
	arrange_surfaces(arrange->server);
}

/* Whether a view now shows surface's placeholder: its own (the grid), or its layout entry's. */
static bool shows_placeholder(struct mosaic_server *server, const struct mosaic_surface *surface)
{
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		const struct view_params *p = &view->params;
		if (view->placeholder == NULL ||
			(p->surface != NULL && p->surface->connector != NULL)) {
			continue;
		}
		if (p->surface == surface ||
			(p->surface == NULL && p->spec != NULL && arrange_matches(p->spec, surface))) {
			return true;
		}
	}
	return false;
}

static void arrange_handle_guest_gone(struct wl_listener *listener, void *data)
{
	/* Releases the scene's locks on its memory; a layout may place another connector there. */
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, guest_gone);
	struct mosaic_surface *surface = data;
	arrange_surfaces(arrange->server);
	if (shows_placeholder(arrange->server, surface)) {
		wlr_log(WLR_INFO, "%s is gone: showing a placeholder", surface->label);
	} else {
		wlr_log(WLR_INFO, "%s is gone", surface->label);
	}
}

static void arrange_handle_guest_forgotten(struct wl_listener *listener, void *data)
{
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, guest_forgotten);
	arrange_surfaces(arrange->server);
}

static void arrange_handle_outputs_changed(struct wl_listener *listener, void *data)
{
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, outputs_changed);
	arrange_surfaces(arrange->server);
}

static void arrange_handle_app_mapped(struct wl_listener *listener, void *data)
{
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, app_mapped);
	arrange_surfaces(arrange->server);
}

static void arrange_handle_app_unmapped(struct wl_listener *listener, void *data)
{
	/* Its views go (before it does), its places show placeholders. */
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, app_unmapped);
	arrange_surfaces(arrange->server);
}

/* Whether every app view of the layout still shows the app its entry would pick now. */
static bool apps_placed(struct mosaic_server *server)
{
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		const struct layout_surface *spec = view->params.spec;
		if (spec == NULL || spec->app_id == NULL) {
			continue;
		}
		if (pick_app(server, server->active_layout, spec) != view->params.app) {
			return false;
		}
	}
	return true;
}

/*
 * A layout may name it by its new app_id or title. Arranged again only if
 * that changes what is shown: a title that changes every frame costs little.
 */
static void arrange_handle_app_renamed(struct wl_listener *listener, void *data)
{
	struct mosaic_arrange *arrange = wl_container_of(listener, arrange, app_renamed);
	if (!apps_placed(arrange->server)) {
		arrange_surfaces(arrange->server);
	}
}

struct mosaic_arrange *arrange_create(struct mosaic_server *server)
{
	struct mosaic_arrange *arrange = calloc(1, sizeof(*arrange));
	if (arrange == NULL) {
		return NULL;
	}
	arrange->server = server;
	arrange->guest_connected.notify = arrange_handle_guest_connected;
	wl_signal_add(&server->events.guest_connected, &arrange->guest_connected);
	arrange->guest_gone.notify = arrange_handle_guest_gone;
	wl_signal_add(&server->events.guest_gone, &arrange->guest_gone);
	arrange->guest_forgotten.notify = arrange_handle_guest_forgotten;
	wl_signal_add(&server->events.guest_forgotten, &arrange->guest_forgotten);
	arrange->outputs_changed.notify = arrange_handle_outputs_changed;
	wl_signal_add(&server->events.outputs_changed, &arrange->outputs_changed);
	arrange->app_mapped.notify = arrange_handle_app_mapped;
	wl_signal_add(&server->events.app_mapped, &arrange->app_mapped);
	arrange->app_unmapped.notify = arrange_handle_app_unmapped;
	wl_signal_add(&server->events.app_unmapped, &arrange->app_unmapped);
	arrange->app_renamed.notify = arrange_handle_app_renamed;
	wl_signal_add(&server->events.app_renamed, &arrange->app_renamed);
	return arrange;
}

void arrange_destroy(struct mosaic_arrange *arrange)
{
	if (arrange == NULL) {
		return;
	}
	wl_list_remove(&arrange->guest_connected.link);
	wl_list_remove(&arrange->guest_gone.link);
	wl_list_remove(&arrange->guest_forgotten.link);
	wl_list_remove(&arrange->outputs_changed.link);
	wl_list_remove(&arrange->app_mapped.link);
	wl_list_remove(&arrange->app_unmapped.link);
	wl_list_remove(&arrange->app_renamed.link);
	free(arrange);
}
