#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/util/log.h>

#include "compositor/screencopy.h"
#include "compositor/server.h"

bool screencopy_enable(struct mosaic_server *server)
{
	/* wl_shm and xdg-output are there for every client (apps.c). */
	if (wlr_screencopy_manager_v1_create(server->display) == NULL) {
		wlr_log(WLR_ERROR, "Cannot offer screen capture (wlr-screencopy)");
		return false;
	}
	wlr_log(WLR_INFO, "Screen capture by Wayland clients (wlr-screencopy) is allowed");
	return true;
}
