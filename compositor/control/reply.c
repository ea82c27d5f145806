#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wlr/util/log.h>

#include "compositor/control/client.h"
#include "compositor/control/reply.h"
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
