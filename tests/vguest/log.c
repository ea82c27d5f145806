#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static const char *guest_name = "?";
static bool verbose;

void log_init(const char *name, bool enable_verbose)
{
	guest_name = name;
	verbose = enable_verbose;
	/* Tests read stdout line by line while the guest runs. */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

bool log_verbose(void)
{
	return verbose;
}

static void log_line(FILE *f, const char *kind, const char *fmt, va_list args)
	__attribute__((format(printf, 3, 0)));

static void log_line(FILE *f, const char *kind, const char *fmt, va_list args)
{
	/* One write per line: stderr is unbuffered and shared with other processes. */
	char line[1024];
	int n = snprintf(line, sizeof(line), "vguest %s: %s", guest_name, kind);
	if (n < 0) {
		return;
	}
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	int m = vsnprintf(line + len, sizeof(line) - len, fmt, args);
	if (m > 0) {
		len += (size_t)m < sizeof(line) - len ? (size_t)m : sizeof(line) - len - 1;
	}
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
	}
	line[len++] = '\n';
	fwrite(line, 1, len, f);
	fflush(f);
}

void log_report(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	log_line(stdout, "", fmt, args);
	va_end(args);
}

void log_error(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	log_line(stderr, "error: ", fmt, args);
	va_end(args);
}

void log_warning(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	log_line(stderr, "warning: ", fmt, args);
	va_end(args);
}

void log_debug(const char *fmt, ...)
{
	if (!verbose) {
		return;
	}
	va_list args;
	va_start(args, fmt);
	log_line(stderr, "", fmt, args);
	va_end(args);
}
