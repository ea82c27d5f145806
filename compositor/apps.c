#include <stdlib.h>
#include <time.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_viewporter.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/decoration.h"
#include "compositor/popup.h"
#include "compositor/render_scan.h"
#include "compositor/server.h"
#include "compositor/wlr_compat.h"

const char *app_get_app_id(const struct mosaic_app *app)
{
	return app->toplevel->app_id != NULL ? app->toplevel->app_id : "";
}

const char *app_get_title(const struct mosaic_app *app)
{
	return app->toplevel->title != NULL ? app->toplevel->title : "";
}

/* Said once per app: why its window is not shown. */
static void app_refuse(struct mosaic_app *app, const char *why)
{
	if (!app->refused) {
		app->refused = true;
		wlr_log(WLR_ERROR, "App %u ('%s', pid %d) is not shown: %s", app->id,
			app_get_app_id(app), (int)app->pid, why);
	}
}

/* The client's buffer that surface shows, if mosaic may compose it; NULL (said once) if not. */
static struct wlr_buffer *surface_picture(struct mosaic_app *app, struct wlr_surface *surface)
{
	if (surface->buffer == NULL) {
		return NULL;
	}
	/*
	 * The client's own buffer, which the renderer keeps locked (unreleased)
	 * until the next one: mosaic composes from it as it does from a guest's.
	 */
	struct wlr_buffer *source = surface->buffer->source;
	if (source == NULL || source->n_locks == 0) {
		app_refuse(app, "the renderer does not keep its buffers (use the pixman renderer)");
		return NULL;
	}
	if (source->width > APP_MAX_SIZE || source->height > APP_MAX_SIZE) {
		app_refuse(app, "its buffer is larger than 8192x8192");
		return NULL;
	}
	/*
	 * wl_shm takes a stride of as few bytes as pixels: rows shorter than
	 * the width would be read past the client's pool.
	 */
	void *data;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(
		    source, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride)) {
		app_refuse(app, "its buffer is not in memory mosaic can read");
		return NULL;
	}
	wlr_buffer_end_data_ptr_access(source);
	bool opaque;
	pixman_format_code_t pixman_format = render_pixman_format(format, &opaque);
	if (pixman_format == 0) {
		app_refuse(app, "its buffer's format is not one mosaic composes");
		return NULL;
	}
	if (stride < (size_t)source->width * (PIXMAN_FORMAT_BPP(pixman_format) / 8)) {
		app_refuse(app, "its buffer's rows are shorter than its width");
		return NULL;
	}
	return source;
}

bool app_get_picture(struct mosaic_app *app, struct wlr_buffer **buffer, struct wlr_box *pic)
{
	struct wlr_surface *surface = app->toplevel->base->surface;
	struct wlr_buffer *source = app->mapped ? surface_picture(app, surface) : NULL;
	if (source == NULL) {
		return false;
	}
	*buffer = source;
	*pic = (struct wlr_box){0, 0, source->width, source->height};
	/* The window proper, without the shadows a client may draw around it. */
	struct wlr_box geometry;
	wlr_xdg_surface_get_geometry(app->toplevel->base, &geometry);
	int scale = surface->current.scale;
	if (surface->current.transform == WL_OUTPUT_TRANSFORM_NORMAL && scale >= 1 &&
		!wlr_box_empty(&geometry)) {
		struct wlr_box window = {geometry.x * scale, geometry.y * scale,
			geometry.width * scale, geometry.height * scale};
		struct wlr_box clipped;
		if (wlr_box_intersection(&clipped, &window, pic)) {
			*pic = clipped;
		}
	}
	return true;
}

struct wlr_surface *app_get_surface(const struct mosaic_app *app)
{
	return app->toplevel->base->surface;
}

struct extra_iter {
	struct mosaic_app *app;
	app_extra_fn fn;
	void *data;
};

static void extra_iterate(struct wlr_surface *surface, int sx, int sy, void *data)
{
	struct extra_iter *it = data;
	struct wlr_surface *main_surface = app_get_surface(it->app);
	if (surface == main_surface) {
		return;
	}
	struct wlr_buffer *buffer = surface_picture(it->app, surface);
	if (buffer == NULL) {
		return;
	}
	/* The window's buffer pixels are its surface's, times its scale. */
	int scale = main_surface->current.scale >= 1 ? main_surface->current.scale : 1;
	struct wlr_fbox box = {(double)sx * scale, (double)sy * scale,
		(double)surface->current.width * scale, (double)surface->current.height * scale};
	if (box.width > 0 && box.height > 0) {
		it->fn(buffer, &box, it->data);
	}
}

void app_for_each_extra(struct mosaic_app *app, app_extra_fn fn, void *data)
{
	if (!app->mapped) {
		return;
	}
	struct extra_iter it = {app, fn, data};
	wlr_xdg_surface_for_each_surface(app->toplevel->base, extra_iterate, &it);
}

struct wlr_surface *app_surface_at(
	struct mosaic_app *app, double sx, double sy, double *sub_x, double *sub_y)
{
	struct wlr_surface *surface =
		wlr_xdg_surface_surface_at(app->toplevel->base, sx, sy, sub_x, sub_y);
	if (surface == NULL) {
		*sub_x = sx;
		*sub_y = sy;
		return app_get_surface(app);
	}
	return surface;
}

void app_surface_point(const struct mosaic_app *app, double bx, double by, double *sx, double *sy)
{
	int scale = app_get_surface(app)->current.scale;
	scale = scale >= 1 ? scale : 1;
	*sx = bx / scale;
	*sy = by / scale;
}

void app_configure(struct mosaic_app *app, int width, int height)
{
	wlr_xdg_toplevel_set_size(app->toplevel, width, height);
}

void app_set_presenter(struct mosaic_app *app, struct wlr_output *output)
{
	app->presenter = output;
	if (output != NULL) {
		wlr_output_schedule_frame(output);
	}
}

static void send_frame_done(struct wlr_surface *surface, int sx, int sy, void *data)
{
	wlr_surface_send_frame_done(surface, data);
}

/* A frame of the output that shows an app: it may draw the next. */
static void apps_handle_frame(struct wl_listener *listener, void *data)
{
	struct mosaic_apps *apps = wl_container_of(listener, apps, frame);
	struct wlr_output *output = data;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct mosaic_app *app;
	wl_list_for_each(app, &apps->list, link) {
		if (app->mapped && app->presenter == output) {
			/* Its subsurfaces' and popups' too. */
			wlr_xdg_surface_for_each_surface(app->toplevel->base, send_frame_done, &now);
		}
	}
}

static void app_handle_map(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, map);
	app->mapped = true;
	wlr_log(WLR_INFO, "App %u (app_id '%s', title '%s', pid %d) has a window to show",
		app->id, app_get_app_id(app), app_get_title(app), (int)app->pid);
	wl_signal_emit(&app->apps->server->events.app_mapped, app);
}

static void app_handle_unmap(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, unmap);
	app->mapped = false;
	app->presenter = NULL;
	wl_signal_emit(&app->apps->server->events.app_unmapped, app);
}

static void app_handle_commit(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, commit);
	compat_xdg_toplevel_committed(app->toplevel);
	struct wlr_surface *surface = app->toplevel->base->surface;
	if (app->mapped && (surface->current.committed & WLR_SURFACE_STATE_BUFFER)) {
		wl_signal_emit(&app->events.content, app);
		if (app->presenter != NULL) {
			wlr_output_schedule_frame(app->presenter);
		}
	}
}

static void app_destroy(struct mosaic_app *app)
{
	if (app->mapped) {
		app->mapped = false;
		wl_signal_emit(&app->apps->server->events.app_unmapped, app);
	}
	wl_list_remove(&app->map.link);
	wl_list_remove(&app->unmap.link);
	wl_list_remove(&app->commit.link);
	wl_list_remove(&app->destroy.link);
	wl_list_remove(&app->new_popup.link);
	wl_list_remove(&app->set_title.link);
	wl_list_remove(&app->set_app_id.link);
	wl_list_remove(&app->link);
	popup_detach_all(&app->popups);
	free(app);
}

/* A layout may place it by these: told upward while it has something to show. */
static void app_renamed(struct mosaic_app *app)
{
	if (app->mapped) {
		wl_signal_emit(&app->apps->server->events.app_renamed, app);
	}
}

static void app_handle_set_title(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, set_title);
	app_renamed(app);
}

static void app_handle_set_app_id(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, set_app_id);
	app_renamed(app);
}

static void app_handle_new_popup(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, new_popup);
	popup_create(data, app->toplevel->base, &app->events.content, app, &app->popups);
}

static void app_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, destroy);
	app_destroy(app);
}

static void apps_handle_new_toplevel(struct wl_listener *listener, void *data)
{
	struct mosaic_apps *apps = wl_container_of(listener, apps, new_toplevel);
	struct wlr_xdg_toplevel *toplevel = compat_xdg_new_toplevel(data);
	if (toplevel == NULL) {
		return; // popups come with their toplevel
	}
	struct mosaic_app *app = calloc(1, sizeof(*app));
	if (app == NULL) {
		wl_resource_post_no_memory(toplevel->resource);
		return;
	}
	app->apps = apps;
	app->toplevel = toplevel;
	app->id = ++apps->next_id;
	wl_signal_init(&app->events.content);
	wl_client_get_credentials(wl_resource_get_client(toplevel->resource), &app->pid, NULL, NULL);
	app->map.notify = app_handle_map;
	wl_signal_add(compat_xdg_toplevel_map_signal(toplevel), &app->map);
	app->unmap.notify = app_handle_unmap;
	wl_signal_add(compat_xdg_toplevel_unmap_signal(toplevel), &app->unmap);
	app->commit.notify = app_handle_commit;
	wl_signal_add(compat_xdg_toplevel_commit_signal(toplevel), &app->commit);
	app->destroy.notify = app_handle_destroy;
	wl_signal_add(compat_xdg_toplevel_destroy_signal(toplevel), &app->destroy);
	wl_list_init(&app->popups);
	app->new_popup.notify = app_handle_new_popup;
	wl_signal_add(&toplevel->base->events.new_popup, &app->new_popup);
	app->set_title.notify = app_handle_set_title;
	wl_signal_add(&toplevel->events.set_title, &app->set_title);
	app->set_app_id.notify = app_handle_set_app_id;
	wl_signal_add(&toplevel->events.set_app_id, &app->set_app_id);
	wl_list_insert(apps->list.prev, &app->link);
	/* Told upward at its first commit, when it may already say what it is. */
	compat_xdg_toplevel_committed(toplevel);
}

struct mosaic_apps *apps_create(struct mosaic_server *server)
{
	struct mosaic_apps *apps = calloc(1, sizeof(*apps));
	if (apps == NULL) {
		return NULL;
	}
	apps->server = server;
	wl_list_init(&apps->list);
	struct wl_display *display = server->display;
	/*
	 * What a client needs to show a window: surfaces and subsurfaces,
	 * shared memory (and dma-bufs where the renderer imports them), the
	 * outputs' places, scaling by viewport, presentation times. GTK binds
	 * no seat (no keyboard, no pointer) without a data device manager; the
	 * selection it carries goes to the focused app only.
	 */
	apps->xdg_shell = compat_xdg_shell_create(display);
	if (apps->xdg_shell == NULL || !compat_compositor_create(display, server->renderer) ||
		!wlr_renderer_init_wl_display(server->renderer, display) ||
		wlr_xdg_output_manager_v1_create(display, server->output_layout) == NULL ||
		wlr_viewporter_create(display) == NULL ||
		wlr_data_device_manager_create(display) == NULL ||
		wlr_presentation_create(display, server->backend) == NULL ||
		(apps->decorations = decorations_create(display)) == NULL) {
		wlr_log(WLR_ERROR, "Cannot offer Wayland clients what they need to show a window");
		free(apps);
		return NULL;
	}
	apps->new_toplevel.notify = apps_handle_new_toplevel;
	wl_signal_add(compat_xdg_new_toplevel_signal(apps->xdg_shell), &apps->new_toplevel);
	apps->frame.notify = apps_handle_frame;
	wl_signal_add(&server->events.frame, &apps->frame);
	return apps;
}

void apps_destroy(struct mosaic_apps *apps)
{
	if (apps == NULL) {
		return;
	}
	struct mosaic_app *app, *tmp;
	wl_list_for_each_safe(app, tmp, &apps->list, link) {
		app_destroy(app);
	}
	wl_list_remove(&apps->new_toplevel.link);
	wl_list_remove(&apps->frame.link);
	decorations_destroy(apps->decorations);
	free(apps);
}
