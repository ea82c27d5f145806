#include "compositor/control/commands.h"
#include "compositor/control/reply.h"
#include "compositor/focus.h"
#include "compositor/inject.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "input-routing/router.h"
#include "input-routing/vkbd.h"

/* Keyboard focus, and input sent as from devices of mosaic's own. */

void command_focus(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	char err[256];
	if (argc > 2) {
		reply_printf(reply, "error usage: focus [next|prev|none|POSITION|GUEST|APP]\n");
		return;
	}
	if (argc == 2 && !focus_command(server, argv[1], err, sizeof(err))) {
		reply_printf(reply, "error focus: %s\n", err);
		return;
	}
	char keys[1024];
	reply_focus_keys(server, keys, sizeof(keys));
	reply_printf(reply, "focus %s\nok\n", keys);
}

void command_input(struct control_reply *reply, int argc, char **argv)
{
	char err[256];
	if (!inject_command(reply->server->inject, argc - 1, argv + 1, err, sizeof(err))) {
		reply_printf(reply, "error %s\n", err);
		return;
	}
	reply_printf(reply, "ok\n");
}
