#include "compositor/control/commands.h"
#include "compositor/control/reply.h"
#include "compositor/layout_file.h"
#include "layouts/layout.h"

/* Switching the active layout and reading the layout file again. */

void command_layout(struct control_reply *reply, int argc, char **argv)
{
	if (argc != 2) {
		reply_printf(reply, "error usage: layout NAME\n");
		return;
	}
	char why[1200];
	if (!layout_file_switch(reply->server, argv[1], why, sizeof(why))) {
		reply_printf(reply, "error %s\n", why);
		return;
	}
	reply_printf(reply, "ok\n");
}

void command_reload(struct control_reply *reply, int argc, char **argv)
{
	struct layout_error err;
	if (!layout_file_reload(reply->server, &err)) {
		char line[2048];
		layout_error_format(&err, line, sizeof(line));
		reply_printf(reply, "error %s\n", line);
		return;
	}
	reply_printf(reply, "ok\n");
}
