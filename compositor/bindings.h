#ifndef MOSAIC_COMPOSITOR_BINDINGS_H
#define MOSAIC_COMPOSITOR_BINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "layouts/layout.h"

/*
 * The layout file's [bindings]: key combinations that run control commands
 * (layout NAME, reload, screenshot, focus). Bindings are taken before any
 * guest could see the keys.
 */
struct mosaic_server;
struct wlr_keyboard;

/* Whether every binding's key is a keysym xkbcommon knows; err at the first that is not. */
bool bindings_check(const struct layout_config *config, struct layout_error *err);

/*
 * A key was pressed (xkb keycode) on keyboard, whose state is still that
 * before the press: announces the command of the binding it completes, if
 * any, by server.events.binding (the control server runs it). true when
 * the key was a binding's (it is not for guests then).
 */
bool bindings_handle_key(struct mosaic_server *server, struct wlr_keyboard *keyboard,
	uint32_t keycode);

#endif
