#include <stdarg.h>
#include <stdio.h>
#include <wlr/util/log.h>

#include "protocol/ratelimit.h"
#include "vm-surfaces/host.h"

#define LOG_BURST 10
#define LOG_WINDOW_S 10

void vm_guest_log_error(struct vm_guest_log *log, const char *fmt, ...)
{
	uint32_t dropped;
	bool allowed = ratelimit_allow(
		&log->limit, ratelimit_now_ms(), LOG_BURST, LOG_WINDOW_S * 1000, &dropped);
	if (dropped > 0) {
		wlr_log(WLR_ERROR, "guest %s (domain %u): %u more errors not shown", log->name,
			log->domid, dropped);
	}
	if (!allowed) {
		return;
	}
	char msg[256];
	va_list args;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	wlr_log(WLR_ERROR, "guest %s (domain %u) vdispl %u: %s", log->name, log->domid, log->devid,
		msg);
}

void vm_guest_log_flush(struct vm_guest_log *log)
{
	uint32_t dropped = ratelimit_flush(&log->limit);
	if (dropped > 0) {
		wlr_log(WLR_ERROR, "guest %s (domain %u): %u more errors not shown", log->name,
			log->domid, dropped);
	}
}
