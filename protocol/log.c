#include <stdio.h>

#include "protocol/log.h"

static void log_stderr(enum protocol_log_level level, const char *fmt, va_list args)
{
	if (level > PROTOCOL_LOG_INFO) {
		return;
	}
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

static protocol_log_handler_t handler = log_stderr;

void protocol_log_set_handler(protocol_log_handler_t h)
{
	handler = h != NULL ? h : log_stderr;
}

void protocol_log(enum protocol_log_level level, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	handler(level, fmt, args);
	va_end(args);
}
