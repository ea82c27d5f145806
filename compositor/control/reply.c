#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/control/client.h"
#include "compositor/control/reply.h"
#include "compositor/focus.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "input-routing/router.h"
#include "input-routing/vkbd.h"
#include "layouts/layout.h"
#include "protocol/control.h"

bool reply_printf(struct control_reply *reply, const char *fmt, ...)
{
	char line[2048];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (n < 0) {
		return false;
	}
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (reply->client == NULL) {
		if (len > 0 && line[len - 1] == '\n') {
			line[--len] = '\0';
		}
		if (strcmp(line, "ok") != 0) {
			wlr_log(strncmp(line, "error ", 6) == 0 ? WLR_ERROR : WLR_INFO, "%s", line);
		}
		return true;
	}
	if (!control_client_send(reply->client, line, len)) {
		reply->client->dead = true;
		return false;
	}
	return true;
}

const char *reply_q(const char *value)
{
	static char bufs[8][2100];
	static int next;
	char *buf = bufs[next];
	next = (next + 1) % 8;
	return control_quote(value != NULL ? value : "-", buf, sizeof(bufs[0]));
}

void reply_focus_keys(struct mosaic_server *server, char *buf, size_t size)
{
	const struct mosaic_surface *s = server->focus->surface;
	struct mosaic_app *app = server->focus->app;
	if (s != NULL) {
		/* The router has taken the focus already: its input device is known. */
		const struct vkbd_device *input =
			server->router != NULL ? server->router->focus_input : NULL;
		snprintf(buf, size, "label=%s domid=%u dev=%u conn=%u input=%s guest=%s app=-",
			reply_q(s->label), s->domid, s->devid, s->index,
			input != NULL ? input->kind : "none", reply_q(s->name));
		return;
	}
	if (app == NULL) {
		snprintf(buf, size, "none");
		return;
	}
	/* Its label in the layout, if a layout entry shows it. */
	const char *label = app_get_app_id(app);
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		if (view->params.app == app && view->params.spec != NULL) {
			label = view->params.spec->label;
			break;
		}
	}
	snprintf(buf, size, "label=%s domid=- dev=- conn=- input=wayland guest=- app=%s",
		reply_q(label), reply_q(app_get_app_id(app)));
}
