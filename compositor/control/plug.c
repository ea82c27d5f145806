#include <stdio.h>
#include <string.h>

#include "compositor/control/commands.h"
#include "compositor/control/reply.h"
#include "compositor/output.h"
#include "compositor/server.h"

/*
 * Displays plugged in and taken away (headless outputs): `output create
 * [WxH]`, `output unplug NAME`, as sway's create_output and unplug. The
 * layout file applies to a new output as to any other.
 */

static void output_create(struct control_reply *reply, int argc, char **argv)
{
	int width = reply->server->config.output_width > 0 ? reply->server->config.output_width : 1920;
	int height =
		reply->server->config.output_height > 0 ? reply->server->config.output_height : 1080;
	if (argc == 3) {
		char x, end;
		if (sscanf(argv[2], "%d%c%d%c", &width, &x, &height, &end) != 3 || x != 'x' ||
			width < 1 || height < 1 || width > 16384 || height > 16384) {
			reply_printf(reply, "error output create wants WIDTHxHEIGHT, 1 to 16384, got %s\n",
				reply_q(argv[2]));
			return;
		}
	}
	const char *name;
	char why[256];
	if (!output_create_headless(reply->server, width, height, &name, why, sizeof(why))) {
		reply_printf(reply, "error %s\n", why);
		return;
	}
	reply_printf(reply, "output name=%s\nok\n", reply_q(name));
}

static void output_unplug_named(struct control_reply *reply, const char *name)
{
	struct mosaic_output *output = output_find(reply->server, name);
	if (output == NULL) {
		reply_printf(reply, "error no output %s\n", reply_q(name));
		return;
	}
	char why[256];
	if (!output_unplug(output, why, sizeof(why))) {
		reply_printf(reply, "error %s\n", why);
		return;
	}
	reply_printf(reply, "ok\n");
}

void command_output(struct control_reply *reply, int argc, char **argv)
{
	if (argc >= 2 && argc <= 3 && strcmp(argv[1], "create") == 0) {
		output_create(reply, argc, argv);
	} else if (argc == 3 && strcmp(argv[1], "unplug") == 0) {
		output_unplug_named(reply, argv[2]);
	} else {
		reply_printf(reply, "error usage: output create [WIDTHxHEIGHT] | output unplug NAME\n");
	}
}
