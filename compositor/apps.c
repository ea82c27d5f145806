#include <stdlib.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_viewporter.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
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

static void app_handle_map(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, map);
	app->mapped = true;
	wlr_log(WLR_INFO, "App %u (app_id '%s', title '%s', pid %d) is shown nowhere until a "
			  "layout places it",
		app->id, app_get_app_id(app), app_get_title(app), (int)app->pid);
	wl_signal_emit(&app->apps->server->events.app_mapped, app);
}

static void app_handle_unmap(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, unmap);
	app->mapped = false;
	wl_signal_emit(&app->apps->server->events.app_unmapped, app);
}

static void app_handle_commit(struct wl_listener *listener, void *data)
{
	struct mosaic_app *app = wl_container_of(listener, app, commit);
	compat_xdg_toplevel_committed(app->toplevel);
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
	wl_list_remove(&app->link);
	free(app);
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
	wl_client_get_credentials(wl_resource_get_client(toplevel->resource), &app->pid, NULL, NULL);
	app->map.notify = app_handle_map;
	wl_signal_add(compat_xdg_toplevel_map_signal(toplevel), &app->map);
	app->unmap.notify = app_handle_unmap;
	wl_signal_add(compat_xdg_toplevel_unmap_signal(toplevel), &app->unmap);
	app->commit.notify = app_handle_commit;
	wl_signal_add(compat_xdg_toplevel_commit_signal(toplevel), &app->commit);
	app->destroy.notify = app_handle_destroy;
	wl_signal_add(compat_xdg_toplevel_destroy_signal(toplevel), &app->destroy);
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
	 * outputs' places, scaling by viewport, presentation times.
	 */
	apps->xdg_shell = compat_xdg_shell_create(display);
	if (apps->xdg_shell == NULL || !compat_compositor_create(display, server->renderer) ||
		!wlr_renderer_init_wl_display(server->renderer, display) ||
		wlr_xdg_output_manager_v1_create(display, server->output_layout) == NULL ||
		wlr_viewporter_create(display) == NULL ||
		wlr_presentation_create(display, server->backend) == NULL) {
		wlr_log(WLR_ERROR, "Cannot offer Wayland clients what they need to show a window");
		free(apps);
		return NULL;
	}
	apps->new_toplevel.notify = apps_handle_new_toplevel;
	wl_signal_add(compat_xdg_new_toplevel_signal(apps->xdg_shell), &apps->new_toplevel);
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
	free(apps);
}
