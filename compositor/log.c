#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compositor/log.h"

/* Syslog's priorities, as the journal reads them at the start of a line. */
enum priority {
	PRIORITY_ERROR = 3,
	PRIORITY_WARNING = 4,
	PRIORITY_INFO = 6,
	PRIORITY_DEBUG = 7,
};

static enum wlr_log_importance verbosity = WLR_ERROR;
static bool journal;
static bool colour;
static struct timespec start_time;

/* systemd names the journal's stream in JOURNAL_STREAM ("DEVICE:INODE") for its services. */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	char tail;
	struct stat st;
	if (env == NULL || sscanf(env, "%llu:%llu%c", &dev, &ino, &tail) != 2 ||
		fstat(STDERR_FILENO, &st) != 0) {
		return false;
	}
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void write_line(enum priority priority, const char *fmt, va_list args)
{
	static const char *const headers[] = {
		[PRIORITY_ERROR] = "[ERROR]",
		[PRIORITY_WARNING] = "[WARNING]",
		[PRIORITY_INFO] = "[INFO]",
		[PRIORITY_DEBUG] = "[DEBUG]",
	};
	static const char *const colours[] = {
		[PRIORITY_ERROR] = "\x1b[1;31m",
		[PRIORITY_WARNING] = "\x1b[1;33m",
		[PRIORITY_INFO] = "\x1b[1;34m",
		[PRIORITY_DEBUG] = "\x1b[1;90m",
	};
	char line[4096];
	int n;
	if (journal) {
		/* The journal adds the time, and shows the priority as it likes. */
		n = snprintf(line, sizeof(line), "<%d>", (int)priority);
	} else {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (start_time.tv_sec == 0 && start_time.tv_nsec == 0) {
			start_time = now;
		}
		long long ms = (now.tv_sec - start_time.tv_sec) * 1000LL +
			(now.tv_nsec - start_time.tv_nsec) / 1000000;
		n = snprintf(line, sizeof(line), "%02lld:%02lld:%02lld.%03lld %s", ms / 3600000,
			ms / 60000 % 60, ms / 1000 % 60, ms % 1000,
			colour ? colours[priority] : headers[priority]);
		if (!colour && n > 0 && (size_t)n < sizeof(line)) {
			line[n++] = ' ';
		}
	}
	if (n < 0) {
		return;
	}
	size_t len = (size_t)n;
	int m = len < sizeof(line) ? vsnprintf(line + len, sizeof(line) - len, fmt, args) : 0;
	len = m < 0 ? len : len + (size_t)m;
	/* Room for the end of the line; a longer one is cut. */
	const char *end = colour && !journal ? "\x1b[0m\n" : "\n";
	size_t end_len = strlen(end);
	if (len > sizeof(line) - end_len) {
		len = sizeof(line) - end_len;
	}
	memcpy(line + len, end, end_len);
	len += end_len;
	/* One write: lines of other threads do not come between its parts. */
	for (size_t done = 0; done < len;) {
		ssize_t w = write(STDERR_FILENO, line + done, len - done);
		if (w <= 0) {
			return;
		}
		done += (size_t)w;
	}
}

static void log_handle(enum wlr_log_importance importance, const char *fmt, va_list args)
{
	if (importance > verbosity) {
		return;
	}
	enum priority priority = PRIORITY_DEBUG;
	switch (importance) {
	case WLR_SILENT:
		return;
	case WLR_ERROR:
		priority = PRIORITY_ERROR;
		break;
	case WLR_INFO:
		priority = PRIORITY_INFO;
		break;
	default:
		priority = PRIORITY_DEBUG;
		break;
	}
	write_line(priority, fmt, args);
}

void log_warningf(const char *fmt, ...)
{
	/* Shown unless mosaic is told to be silent. */
	if (verbosity < WLR_ERROR) {
		return;
	}
	va_list args;
	va_start(args, fmt);
	write_line(PRIORITY_WARNING, fmt, args);
	va_end(args);
}

void log_init(enum wlr_log_importance level)
{
	clock_gettime(CLOCK_MONOTONIC, &start_time);
	verbosity = level;
	journal = stderr_is_journal();
	colour = !journal && isatty(STDERR_FILENO);
	wlr_log_init(level, log_handle);
}

bool log_to_journal(void)
{
	return journal;
}
