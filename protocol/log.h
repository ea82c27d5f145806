#ifndef MOSAIC_PROTOCOL_LOG_H
#define MOSAIC_PROTOCOL_LOG_H

#include <stdarg.h>

/*
 * protocol/'s log lines, without wlroots: the program decides where they go
 * (mosaic forwards them to wlroots' log). Until a handler is installed,
 * errors and information go to stderr.
 */
enum protocol_log_level {
	PROTOCOL_LOG_ERROR = 1,
	PROTOCOL_LOG_INFO,
	PROTOCOL_LOG_DEBUG,
};

typedef void (*protocol_log_handler_t)(
	enum protocol_log_level level, const char *fmt, va_list args);

/* NULL restores the stderr default. */
void protocol_log_set_handler(protocol_log_handler_t handler);

void protocol_log(enum protocol_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* With errno's description appended, as wlr_log_errno. */
#define protocol_log_errno(level, fmt, ...)                                                        \
	protocol_log(level, fmt ": %s", ##__VA_ARGS__, strerror(errno))

#endif
