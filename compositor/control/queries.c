#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>

#include "compositor/apps.h"
#include "compositor/control/commands.h"
#include "compositor/control/reply.h"
#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/server.h"
#include "compositor/stale.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "input-routing/vkbd.h"
#include "layouts/layout.h"
#include "vm-surfaces/connector.h"

/* What mosaic shows and serves: outputs, guests, surfaces, layouts, guests' input devices. */

static const char *made_name(enum render_made made)
{
	switch (made) {
	case RENDER_MADE_COMPOSED:
		return "composed";
	case RENDER_MADE_DIRECT:
		return "direct";
	case RENDER_MADE_WLROOTS:
		return "wlroots";
	case RENDER_MADE_NONE:
		break;
	}
	return "none";
}

/* The label of the view whose buffer the output shows as it is; NULL if none. */
static const char *direct_label(struct mosaic_server *server, const struct render_stats *stats)
{
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		if (stats->last == RENDER_MADE_DIRECT && view->tree != NULL &&
			&view->tree->node == stats->direct_tree) {
			if (view->params.surface != NULL) {
				return view->params.surface->label;
			}
			if (view->params.app != NULL) {
				return view->label != NULL ? view->label : app_get_app_id(view->params.app);
			}
		}
	}
	return NULL;
}

void command_outputs(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &reply->server->outputs, link) {
		struct wlr_box box;
		output_get_box(output, &box);
		struct wlr_output *o = output->wlr_output;
		const struct render_stats *stats = &output->render->stats;
		reply_printf(reply,
			"output name=%s x=%d y=%d width=%d height=%d config=%s scale=%g "
			"transform=%s refresh=%d.%03d made=%s direct=%s direct-frames=%llu "
			"composed-frames=%llu wlroots-frames=%llu composed-pixels=%llu\n",
			reply_q(o->name), box.x, box.y, o->width, o->height,
			reply_q(output->config != NULL ? output->config->name : NULL), o->scale,
			layout_transform_name((enum layout_transform)o->transform),
			o->refresh / 1000, o->refresh % 1000, made_name(stats->last),
			reply_q(direct_label(reply->server, stats)),
			(unsigned long long)stats->direct_frames,
			(unsigned long long)stats->composed_frames,
			(unsigned long long)stats->wlroots_frames,
			(unsigned long long)stats->composed_pixels);
	}
	reply_printf(reply, "ok\n");
}

void command_frame_times(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &reply->server->outputs, link) {
		struct wlr_output *o = output->wlr_output;
		double period_ms = 1000000.0 / (o->refresh > 0 ? o->refresh : 60000);
		struct frame_times_figures f;
		frame_times_take(&output->times, period_ms, &f);
		reply_printf(reply,
			"frame-times output=%s frames=%u skipped=%u late=%u interval_p50_ms=%.2f "
			"interval_p99_ms=%.2f interval_max_ms=%.2f compose_p50_ms=%.2f "
			"compose_p99_ms=%.2f compose_max_ms=%.2f\n",
			reply_q(o->name), f.frames, f.skipped, f.late, f.interval_p50, f.interval_p99,
			f.interval_max, f.compose_p50, f.compose_p99, f.compose_max);
	}
	reply_printf(reply, "ok\n");
}

static int count_views(struct mosaic_server *server, struct mosaic_surface *surface)
{
	int n = 0;
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		n += view->params.surface == surface && view_shows_guest(view);
	}
	return n;
}

void command_guests(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		reply_printf(reply,
			"guest name=%s domid=%u dev=%u conn=%u unique-id=%s state=%s "
			"resolution=%ux%u views=%d flips=%llu copied=%llu guest=%s\n",
			reply_q(surface->name), surface->domid, surface->devid, surface->index,
			reply_q(surface->unique_id[0] != '\0' ? surface->unique_id : NULL),
			surface->connector != NULL ? "connected" : "absent", surface->width,
			surface->height, count_views(server, surface),
			(unsigned long long)(surface->connector ? surface->connector->flips : 0),
			(unsigned long long)(surface->connector ? surface->connector->bytes_copied : 0),
			reply_q(surface->name));
	}
	/* Guests the layout file names that never showed up. */
	for (size_t i = 0; server->layout != NULL && i < server->layout->guests_len; i++) {
		const struct layout_guest *g = &server->layout->guests[i];
		bool seen = false;
		wl_list_for_each(surface, &server->surfaces, link) {
			seen = seen || layout_guest_matches(g, surface->name, surface->domid);
		}
		if (seen) {
			continue;
		}
		char domid[16];
		snprintf(domid, sizeof(domid), "%d", g->domid);
		reply_printf(reply,
			"guest name=%s domid=%s dev=- conn=- unique-id=- state=absent "
			"resolution=0x0 views=0 flips=0 copied=0 guest=%s\n",
			reply_q(g->name), g->domid >= 0 ? domid : "-", reply_q(g->name));
	}
	reply_printf(reply, "ok\n");
}

void command_apps(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_apps *apps = reply->server->apps;
	struct mosaic_app *app;
	wl_list_for_each(app, &apps->list, link) {
		reply_printf(reply, "app id=%u app-id=%s title=%s pid=%d mapped=%s\n", app->id,
			reply_q(app_get_app_id(app)), reply_q(app_get_title(app)), (int)app->pid,
			app->mapped ? "yes" : "no");
	}
	reply_printf(reply, "ok\n");
}

static void print_view(struct control_reply *reply, struct mosaic_view *view)
{
	const struct view_params *p = &view->params;
	struct mosaic_surface *s = p->surface;
	const struct layout_surface *spec = p->spec;
	char domid[16] = "-", dev[16] = "-", conn[16] = "-", z[16] = "-";
	if (s != NULL) {
		snprintf(domid, sizeof(domid), "%u", s->domid);
		snprintf(dev, sizeof(dev), "%u", s->devid);
		snprintf(conn, sizeof(conn), "%u", s->index);
	} else if (spec != NULL && spec->guest != NULL) {
		if (spec->guest->domid >= 0) {
			snprintf(domid, sizeof(domid), "%d", spec->guest->domid);
		}
		snprintf(dev, sizeof(dev), "%d", spec->device);
		if (spec->connector >= 0) {
			snprintf(conn, sizeof(conn), "%d", spec->connector);
		}
	}
	if (spec != NULL) {
		snprintf(z, sizeof(z), "%d", spec->z);
	}
	/* Thousandths are plenty, and keep rounding noise (5e-14) out of the reply. */
	char src[96];
	snprintf(src, sizeof(src), "%g,%g,%g,%g", round(view->src.x * 1000) / 1000,
		round(view->src.y * 1000) / 1000, round(view->src.width * 1000) / 1000,
		round(view->src.height * 1000) / 1000);
	const char *label = spec != NULL ? spec->label : (s != NULL ? s->label : NULL);
	const char *name = s != NULL ? s->name :
		(spec != NULL && spec->guest != NULL ? spec->guest->name : NULL);
	/* An app's: what it draws, and the app_id it is known by (or is awaited by). */
	uint32_t res_width = s != NULL ? s->width : 0, res_height = s != NULL ? s->height : 0;
	const char *app_id = spec != NULL ? spec->app_id : NULL;
	struct wlr_buffer *buffer;
	struct wlr_box pic;
	if (p->app != NULL) {
		app_id = app_get_app_id(p->app);
		label = label != NULL ? label : app_id;
		if (app_get_picture(p->app, &buffer, &pic)) {
			res_width = (uint32_t)pic.width;
			res_height = (uint32_t)pic.height;
		}
	}
	bool present = (s != NULL && s->connector != NULL) || p->app != NULL;
	/* Where the guest's picture is, else where its placeholder is. */
	struct wlr_box box = view->content != NULL ? view->box : view->area;
	reply_printf(reply,
		"surface label=%s domid=%s dev=%s conn=%s state=%s output=%s x=%d y=%d width=%d "
		"height=%d resolution=%ux%u layout=%s z=%s transform=%s fit=%s src=%s visible=%s "
		"stale=%s guest=%s app=%s\n",
		reply_q(label), domid, dev, conn, present ? "connected" : "absent",
		reply_q(view->tree != NULL ? p->output->wlr_output->name : NULL), box.x, box.y,
		box.width, box.height, res_width, res_height,
		reply_q(reply->server->active_layout != NULL ? reply->server->active_layout->name : NULL),
		z, layout_transform_name(p->transform), layout_fit_name(p->fit), src,
		view->tree != NULL ? "yes" : "no", stale_watch_marked(view->stale) ? "yes" : "no",
		reply_q(name), reply_q(app_id));
}

void command_surfaces(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		print_view(reply, view);
	}
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->connector == NULL || count_views(server, surface) > 0) {
			continue;
		}
		bool listed = false;
		wl_list_for_each(view, &server->views, link) {
			listed = listed || view->params.surface == surface;
		}
		if (listed) {
			continue;
		}
		reply_printf(reply,
			"surface label=%s domid=%u dev=%u conn=%u state=connected output=- x=0 y=0 "
			"width=0 height=0 resolution=%ux%u layout=- z=- transform=normal fit=- "
			"src=0,0,0,0 visible=no stale=no guest=%s app=-\n",
			reply_q(surface->label), surface->domid, surface->devid, surface->index,
			surface->width, surface->height, reply_q(surface->name));
	}
	reply_printf(reply, "ok\n");
}

void command_layouts(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	for (size_t i = 0; server->layout != NULL && i < server->layout->layouts_len; i++) {
		const struct layout_layout *l = &server->layout->layouts[i];
		reply_printf(reply, "layout name=%s surfaces=%zu active=%s\n", reply_q(l->name),
			l->surfaces_len, l == server->active_layout ? "yes" : "no");
	}
	reply_printf(reply, "ok\n");
}

void command_inputs(struct control_reply *reply, int argc, char **argv)
{
	struct vkbd_device *in;
	wl_list_for_each(in, &reply->server->inputs->inputs, link) {
		int32_t w, h;
		vkbd_abs_range(in, &w, &h);
		reply_printf(reply,
			"input domid=%u kind=%s dev=%u state=%s keyboard=%d pointer=%s range=%dx%d "
			"touch=%d contacts=%d touch-size=%dx%d unique-id=%s guest=%s\n",
			in->domid, in->kind, in->devid, in->connected ? "connected" : "waiting",
			in->keyboard, !in->pointer ? "none" : in->raw_pointer ? "raw" :
			in->abs_pointer ? "absolute" : "relative", w, h, in->multi_touch,
			in->mt_contacts, in->mt_width, in->mt_height,
			reply_q(in->unique_id), reply_q(in->name));
	}
	reply_printf(reply, "ok\n");
}
