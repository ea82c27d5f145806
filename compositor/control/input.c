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
		reply_printf(reply, "error usage: focus [next|prev|none|POSITION|GUEST]\n");
		return;
	}
	if (argc == 2 && !focus_command(server, argv[1], err, sizeof(err))) {
		reply_printf(reply, "error focus: %s\n", err);
		return;
	}
	const struct mosaic_surface *s = server->focus->surface;
	if (s == NULL) {
		reply_printf(reply, "focus none\nok\n");
		return;
	}
	const struct vkbd_device *input = server->router->focus_input;
	reply_printf(reply, "focus label=%s domid=%u dev=%u conn=%u input=%s guest=%s\nok\n",
		reply_q(s->label), s->domid, s->devid, s->index,
		input != NULL ? input->kind : "none", reply_q(s->name));
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
