#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/focus.h"
#include "compositor/label.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wlr_compat.h"
#include "input-routing/router.h"
#include "layouts/layout.h"

/* Frame width in layout pixels, and the label's height. */
#define FRAME 4
#define LABEL_HEIGHT 24
#define MAX_FOCUSABLE 64

/* Without a layout file's colours: one of these, by domain. */
static const uint32_t palette[] = {0x2f80ed, 0x27ae60, 0xf2994a, 0xbb6bd9, 0xeb5757, 0x56ccf2};

static uint32_t view_colour(const struct mosaic_view *view)
{
	if (view->params.spec != NULL) {
		const struct layout_colour *c = &view->params.spec->colour;
		return (uint32_t)c->r << 16 | (uint32_t)c->g << 8 | c->b;
	}
	if (view->params.app != NULL) {
		struct layout_colour c = layout_colour_from_name(app_get_app_id(view->params.app));
		return (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
	}
	return palette[view->params.surface->domid % (sizeof(palette) / sizeof(palette[0]))];
}

static bool focusable(const struct mosaic_view *view)
{
	return (view_shows_guest(view) || view_shows_app(view)) &&
	       compat_scene_node_enabled(&view->tree->node) && view->area.width > 0 &&
	       view->area.height > 0;
}

/* Whether two views show the same guest connector or the same app. */
static bool same_owner(const struct mosaic_view *a, const struct mosaic_view *b)
{
	return a->params.surface == b->params.surface && a->params.app == b->params.app;
}

/* Whether the view shows what has the focus. */
static bool focused(const struct mosaic_focus *focus, const struct mosaic_view *view)
{
	return (focus->surface != NULL && view->params.surface == focus->surface) ||
	       (focus->app != NULL && view->params.app == focus->app);
}

static void view_layout_box(const struct mosaic_view *view, struct wlr_box *box)
{
	struct wlr_box out;
	output_get_box(view->params.output, &out);
	*box = view->area;
	box->x += out.x;
	box->y += out.y;
}

static void add_rect(struct wlr_scene_tree *tree, int x, int y, int w, int h, const float c[4])
{
	struct wlr_scene_rect *rect = wlr_scene_rect_create(tree, w, h, c);
	if (rect != NULL) {
		wlr_scene_node_set_position(&rect->node, x, y);
	}
}

static void draw_indicator(struct mosaic_focus *focus)
{
	struct mosaic_server *server = focus->server;
	if (focus->indicator != NULL) {
		wlr_scene_node_destroy(&focus->indicator->node);
		focus->indicator = NULL;
	}
	if (focus->surface == NULL && focus->app == NULL) {
		return;
	}
	focus->indicator = wlr_scene_tree_create(server->layer_overlay);
	if (focus->indicator == NULL) {
		return;
	}
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		if (!focused(focus, view) || !focusable(view)) {
			continue;
		}
		struct wlr_box b;
		view_layout_box(view, &b);
		uint32_t colour = view_colour(view);
		float c[4] = {((colour >> 16) & 0xff) / 255.0f, ((colour >> 8) & 0xff) / 255.0f,
			(colour & 0xff) / 255.0f, 1.0f};
		/* Inside the view's edge: it shows even when the view fills its output. */
		int f = b.width > 2 * FRAME && b.height > 2 * FRAME ? FRAME : 1;
		add_rect(focus->indicator, b.x, b.y, b.width, f, c);
		add_rect(focus->indicator, b.x, b.y + b.height - f, b.width, f, c);
		add_rect(focus->indicator, b.x, b.y + f, f, b.height - 2 * f, c);
		add_rect(focus->indicator, b.x + b.width - f, b.y + f, f, b.height - 2 * f, c);
		const char *text = view->params.spec != NULL ? view->params.spec->label :
				   focus->surface != NULL ? focus->surface->label :
							    app_get_app_id(focus->app);
		struct wlr_buffer *buffer =
			label_create(text, colour, b.width - 2 * f, LABEL_HEIGHT);
		if (buffer != NULL) {
			struct wlr_scene_buffer *node =
				label_node_create(focus->indicator, buffer);
			if (node != NULL) {
				wlr_scene_node_set_position(&node->node, b.x + f, b.y + f);
			}
			wlr_buffer_drop(buffer);
		}
	}
}

static void focus_set(struct mosaic_server *server, struct mosaic_surface *surface,
	struct mosaic_app *app)
{
	struct mosaic_focus *focus = server->focus;
	bool changed = focus->surface != surface || focus->app != app;
	focus->surface = surface;
	focus->app = app;
	if (server->router != NULL) {
		struct input_target target;
		if (surface != NULL) {
			surface_input_target(surface, &target);
		}
		input_router_set_focus(server->router, surface != NULL ? &target : NULL);
	}
	draw_indicator(focus);
	if (changed) {
		wlr_log(WLR_INFO, "Focus: %s", surface != NULL ? surface->label :
				app != NULL ? app_get_app_id(app) : "none");
		wl_signal_emit(&server->events.focus, focus);
	}
}

void focus_set_surface(struct mosaic_server *server, struct mosaic_surface *surface)
{
	focus_set(server, surface, NULL);
}

void focus_set_app(struct mosaic_server *server, struct mosaic_app *app)
{
	focus_set(server, NULL, app);
}

void focus_set_view(struct mosaic_server *server, struct mosaic_view *view)
{
	focus_set(server, view != NULL ? view->params.surface : NULL,
		view != NULL ? view->params.app : NULL);
}

/* Guests and apps on screen, each once, top to bottom and left to right. */
static size_t list_focusable(struct mosaic_server *server, struct mosaic_view **out, size_t max)
{
	size_t n = 0;
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		if (!focusable(view)) {
			continue;
		}
		struct wlr_box b;
		view_layout_box(view, &b);
		size_t i;
		for (i = 0; i < n && !same_owner(out[i], view); i++) {
		}
		if (i < n) {
			/* Shown twice: it is where its top-left-most view is. */
			struct wlr_box o;
			view_layout_box(out[i], &o);
			if (b.y > o.y || (b.y == o.y && b.x >= o.x)) {
				continue;
			}
			memmove(&out[i], &out[i + 1], (n - i - 1) * sizeof(*out));
			n--;
		}
		if (n == max) {
			break;
		}
		for (i = n; i > 0; i--) {
			struct wlr_box o;
			view_layout_box(out[i - 1], &o);
			if (o.y < b.y || (o.y == b.y && o.x <= b.x)) {
				break;
			}
			out[i] = out[i - 1];
		}
		out[i] = view;
		n++;
	}
	return n;
}

bool focus_command(struct mosaic_server *server, const char *arg, char *err, size_t err_size)
{
	struct mosaic_focus *focus = server->focus;
	struct mosaic_view *views[MAX_FOCUSABLE];
	size_t n = list_focusable(server, views, MAX_FOCUSABLE);
	if (strcmp(arg, "none") == 0) {
		focus_set_surface(server, NULL);
		return true;
	}
	if (strcmp(arg, "next") == 0 || strcmp(arg, "prev") == 0) {
		if (n == 0) {
			snprintf(err, err_size, "no guest or app on screen");
			return false;
		}
		size_t cur = n;
		for (size_t i = 0; i < n; i++) {
			if (focused(focus, views[i])) {
				cur = i;
			}
		}
		size_t next = strcmp(arg, "next") == 0 ? (cur == n ? 0 : (cur + 1) % n) :
			(cur == n || cur == 0 ? n - 1 : cur - 1);
		focus_set_view(server, views[next]);
		return true;
	}
	char *end;
	long pos = strtol(arg, &end, 10);
	if (end != arg && *end == '\0') {
		if (pos < 1 || (size_t)pos > n) {
			snprintf(err, err_size, "no guest at position %ld (%zu on screen)", pos, n);
			return false;
		}
		focus_set_view(server, views[pos - 1]);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		const struct mosaic_surface *s = views[i]->params.surface;
		const struct mosaic_app *app = views[i]->params.app;
		const struct layout_surface *spec = views[i]->params.spec;
		bool named = s != NULL ? strcmp(s->name, arg) == 0 || strcmp(s->label, arg) == 0 :
			strcmp(app_get_app_id(app), arg) == 0 ||
				(spec != NULL && strcmp(spec->label, arg) == 0);
		if (named) {
			focus_set_view(server, views[i]);
			return true;
		}
	}
	snprintf(err, err_size, "no guest or app '%.64s' on screen", arg);
	return false;
}

static void focus_handle_views_changed(struct wl_listener *listener, void *data)
{
	struct mosaic_focus *focus = wl_container_of(listener, focus, views_changed);
	struct mosaic_server *server = focus->server;
	if (focus->surface == NULL && focus->app == NULL) {
		return;
	}
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		if (focused(focus, view) && focusable(view)) {
			/* Still on screen: the same input device may have come or gone. */
			focus_set(server, focus->surface, focus->app);
			return;
		}
	}
	focus_set(server, NULL, NULL);
}

static void focus_handle_surface_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_focus *focus = wl_container_of(listener, focus, surface_destroy);
	if (focus->surface == data) {
		focus_set_surface(focus->server, NULL);
	}
}

static void focus_handle_app_unmapped(struct wl_listener *listener, void *data)
{
	struct mosaic_focus *focus = wl_container_of(listener, focus, app_unmapped);
	if (focus->app == data) {
		focus_set(focus->server, NULL, NULL);
	}
}

struct mosaic_focus *focus_create(struct mosaic_server *server)
{
	struct mosaic_focus *focus = calloc(1, sizeof(*focus));
	if (focus == NULL) {
		return NULL;
	}
	focus->server = server;
	focus->views_changed.notify = focus_handle_views_changed;
	wl_signal_add(&server->events.views_changed, &focus->views_changed);
	focus->surface_destroy.notify = focus_handle_surface_destroy;
	wl_signal_add(&server->events.surface_destroy, &focus->surface_destroy);
	focus->app_unmapped.notify = focus_handle_app_unmapped;
	wl_signal_add(&server->events.app_unmapped, &focus->app_unmapped);
	return focus;
}

void focus_destroy(struct mosaic_focus *focus)
{
	if (focus == NULL) {
		return;
	}
	wl_list_remove(&focus->views_changed.link);
	wl_list_remove(&focus->surface_destroy.link);
	wl_list_remove(&focus->app_unmapped.link);
	if (focus->indicator != NULL) {
		wlr_scene_node_destroy(&focus->indicator->node);
	}
	free(focus);
}
