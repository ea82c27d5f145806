#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include <wlr/util/log.h>

#include "compositor/screencopy.h"
#include "compositor/server.h"

bool screencopy_enable(struct mosaic_server *server)
{
	/*
	 * wl_shm only comes with capture: mosaic's other clients (virtual
	 * keyboards) share no buffers. wl_output globals come with the output
	 * layout; xdg-output tells clients where the outputs are in it.
	 */
	if (!wlr_renderer_init_wl_display(server->renderer, server->display) ||
		wlr_xdg_output_manager_v1_create(server->display, server->output_layout) == NULL ||
		wlr_screencopy_manager_v1_create(server->display) == NULL) {
		wlr_log(WLR_ERROR, "Cannot offer screen capture (wlr-screencopy)");
		return false;
	}
	wlr_log(WLR_INFO, "Screen capture by Wayland clients (wlr-screencopy) is allowed");
	return true;
}
