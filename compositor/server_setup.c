#include <stdlib.h>
#include <string.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/render/allocator.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/arrange.h"
#include "compositor/control/control.h"
#include "compositor/cursor.h"
#include "compositor/encode.h"
#include "compositor/focus.h"
#include "compositor/inject.h"
#include "compositor/label.h"
#include "compositor/layout_file.h"
#include "compositor/log.h"
#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/screencopy.h"
#include "compositor/seat.h"
#include "compositor/server.h"
#include "compositor/server_setup.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wlr_compat.h"
#include "input-routing/router.h"
#include "input-routing/vkbd.h"
#include "protocol/control.h"
#include "protocol/xenstore.h"
#include "vm-surfaces/vm_surfaces.h"

static struct wlr_backend *create_backend(struct mosaic_server *server)
{
	if (!server->config.headless) {
		/* DRM + libinput on a console, a window when nested in Wayland or X11. */
		return compat_backend_autocreate(server->display);
	}
	struct wlr_backend *backend = compat_headless_backend_create(server->display);
	if (backend == NULL) {
		return NULL;
	}
	/* No output at all is allowed: a cockpit whose displays are not up yet. */
	int n = server->config.headless_outputs;
	int w = server->config.output_width > 0 ? server->config.output_width : 1920;
	int h = server->config.output_height > 0 ? server->config.output_height : 1080;
	for (int i = 0; i < n; i++) {
		wlr_headless_add_output(backend, (unsigned)w, (unsigned)h);
	}
	return backend;
}

/*
 * Pixman, mosaic's renderer unless WLR_RENDERER says otherwise, needs no DRM
 * device: made directly, it spares a headless mosaic wlroots' search for
 * one (and the error it logs where there is none).
 */
static struct wlr_renderer *create_renderer(struct wlr_backend *backend)
{
	const char *name = getenv("WLR_RENDERER");
	if (name != NULL && strcmp(name, "pixman") == 0) {
		return wlr_pixman_renderer_create();
	}
	return wlr_renderer_autocreate(backend);
}

static void init_signals(struct mosaic_server *server)
{
	struct wl_signal *signals[] = {&server->events.guest_connected,
		&server->events.guest_gone, &server->events.guest_forgotten,
		&server->events.surface_destroy,
		&server->events.outputs_changed, &server->events.views_changed,
		&server->events.frame, &server->events.focus, &server->events.layout_changed,
		&server->events.reloaded, &server->events.reload_failed, &server->events.binding,
		&server->events.app_mapped, &server->events.app_unmapped,
		&server->events.app_renamed};
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		wl_signal_init(signals[i]);
	}
}

bool server_init_display(struct mosaic_server *server, const struct mosaic_config *config)
{
	init_signals(server);
	server->config = *config;
	server->config.layout = NULL;
	wl_list_init(&server->outputs);
	wl_list_init(&server->surfaces);
	wl_list_init(&server->views);
	wl_list_init(&server->encode_jobs);
	layout_file_install(server, config->layout);
	const char *render = getenv("MOSAIC_RENDER");
	server->wlroots_render = render != NULL && strcmp(render, "wlroots") == 0;

	server->display = wl_display_create();
	if (server->display == NULL) {
		wlr_log(WLR_ERROR, "Cannot create the Wayland display");
		return false;
	}
	server->loop = wl_display_get_event_loop(server->display);

	server->backend = create_backend(server);
	if (server->backend == NULL) {
		wlr_log(WLR_ERROR, "Cannot create a backend (no DRM device, no Wayland or X11 "
				   "session?); try --headless");
		goto error;
	}
	server->renderer = create_renderer(server->backend);
	if (server->renderer == NULL) {
		wlr_log(WLR_ERROR, "Cannot create a renderer");
		goto error;
	}
	server->allocator = wlr_allocator_autocreate(server->backend, server->renderer);
	if (server->allocator == NULL) {
		wlr_log(WLR_ERROR, "Cannot create an allocator");
		goto error;
	}
	server->output_layout = wlr_output_layout_create(server->display);
	server->scene = wlr_scene_create();
	if (server->output_layout == NULL || server->scene == NULL) {
		goto error;
	}
	struct wlr_scene_tree *root = compat_scene_tree(server->scene);
	server->layer_background = wlr_scene_tree_create(root);
	server->layer_guests = wlr_scene_tree_create(root);
	server->layer_overlay = wlr_scene_tree_create(root);
	if (server->layer_background == NULL || server->layer_guests == NULL ||
		server->layer_overlay == NULL) {
		goto error;
	}
	server->arrange = arrange_create(server);
	if (server->arrange == NULL) {
		goto error;
	}
	server->new_output.notify = output_handle_new;
	wl_signal_add(&server->backend->events.new_output, &server->new_output);
	return true;

error:
	server_finish(server);
	return false;
}

bool server_init(struct mosaic_server *server, const struct mosaic_config *config)
{
	if (!server_init_display(server, config)) {
		return false;
	}
	server->store = xenstore_create(server->loop);
	if (server->store == NULL) {
		goto error;
	}
	server->vm = vm_surfaces_create(server->loop, server->store, config->guest_memory);
	if (server->vm == NULL) {
		goto error;
	}
	server->inputs = vkbd_manager_create(server->loop, server->store, server->vm->evtchn);
	if (server->inputs == NULL) {
		goto error;
	}
	server->router = input_router_create(server->inputs);
	server->cursor = cursor_create(server);
	server->focus = focus_create(server);
	server->inject = inject_create(server);
	if (server->router == NULL || server->cursor == NULL || server->focus == NULL ||
		server->inject == NULL) {
		goto error;
	}
	input_router_set_config(server->router, server->layout);

	char path[256];
	const char *control_path = config->control_path;
	if (control_path == NULL && control_default_path(path, sizeof(path))) {
		control_path = path;
	}
	server->control = control_path != NULL ? control_create(server, control_path) : NULL;
	if (server->control == NULL) {
		goto error;
	}

	server->seat = seat_create(server);
	server->wl_seat = server->seat != NULL ? server->seat->seat : NULL;
	server->apps = server->seat != NULL ? apps_create(server) : NULL;
	if (server->apps == NULL) {
		goto error;
	}
	/* Only at start: wlroots cannot take the capture globals back. */
	bool capture = config->allow_screencopy ||
		(server->layout != NULL && server->layout->allow_screencopy);
	if (capture && !screencopy_enable(server)) {
		goto error;
	}

	server->new_connector.notify = surface_handle_new_connector;
	wl_signal_add(&server->vm->events.new_connector, &server->new_connector);
	return true;

error:
	server_finish(server);
	return false;
}

bool server_start(struct mosaic_server *server)
{
	/* For Wayland clients of ours: virtual keyboards (wtype), grim with --allow-screencopy. */
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (runtime == NULL || runtime[0] == '\0') {
		log_warning("No Wayland socket: XDG_RUNTIME_DIR is not set (wtype and grim cannot "
			    "connect; keyboards and mosaicctl work)");
	} else if ((server->socket = wl_display_add_socket_auto(server->display)) != NULL) {
		wlr_log(WLR_INFO, "Wayland socket: %s", server->socket);
		setenv("WAYLAND_DISPLAY", server->socket, 1);
	} else {
		log_warning("No Wayland socket in %s (wtype and grim cannot connect; keyboards and "
			    "mosaicctl work)",
			runtime);
	}
	if (!wlr_backend_start(server->backend)) {
		wlr_log(WLR_ERROR, "Cannot start the backend");
		return false;
	}
	/* Guests come after outputs, so their first arrangement is already on screen. */
	if (!vm_surfaces_start(server->vm)) {
		wlr_log(WLR_ERROR, "Cannot serve vdispl devices");
		return false;
	}
	if (!vkbd_manager_start(server->inputs)) {
		wlr_log(WLR_ERROR, "Cannot serve vkbd devices");
		return false;
	}
	return true;
}

void server_finish(struct mosaic_server *server)
{
	if (server->new_output.notify != NULL) {
		wl_list_remove(&server->new_output.link);
	}
	if (server->new_connector.notify != NULL) {
		wl_list_remove(&server->new_connector.link);
	}
	control_destroy(server->control);
	server->control = NULL;
	arrange_destroy(server->arrange);
	server->arrange = NULL;
	/* Screenshots its clients asked for: nobody waits for them now. */
	encode_finish(server);
	/* Input first: it points at views and surfaces. */
	inject_destroy(server->inject);
	server->inject = NULL;
	cursor_destroy(server->cursor);
	server->cursor = NULL;
	focus_destroy(server->focus);
	server->focus = NULL;
	/* Frames being drawn hold guest memory too: they end before the guests' devices. */
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		render_output_wait(output->render);
	}
	/* Views first: they hold the scene's locks on guest memory. */
	struct mosaic_view *view, *view_tmp;
	wl_list_for_each_safe(view, view_tmp, &server->views, link) {
		view_destroy(view);
	}
	struct mosaic_surface *surface, *tmp;
	wl_list_for_each_safe(surface, tmp, &server->surfaces, link) {
		surface_destroy(surface);
	}
	input_router_destroy(server->router);
	server->router = NULL;
	vkbd_manager_destroy(server->inputs);
	vm_surfaces_destroy(server->vm);
	xenstore_destroy(server->store);
	seat_destroy(server->seat);
	server->wl_seat = NULL;
	if (server->display != NULL) {
		wl_display_destroy_clients(server->display);
	}
	apps_destroy(server->apps);
	server->apps = NULL;
	if (server->backend != NULL) {
		wlr_backend_destroy(server->backend);
	}
	/* The outputs are gone, each with its composition thread after its last frame. */
	if (server->scene != NULL) {
		wlr_scene_node_destroy(&compat_scene_tree(server->scene)->node);
	}
	if (server->output_layout != NULL) {
		wlr_output_layout_destroy(server->output_layout);
	}
	if (server->allocator != NULL) {
		wlr_allocator_destroy(server->allocator);
	}
	if (server->renderer != NULL) {
		wlr_renderer_destroy(server->renderer);
	}
	if (server->display != NULL) {
		wl_display_destroy(server->display);
	}
	layout_config_destroy(server->layout);
	label_finish();
}
