#include <stdarg.h>
#include <stdio.h>
#include <wlr/util/log.h>

#include "vm-surfaces/host.h"

#define LOG_BURST 10
#define LOG_WINDOW_S 10

void vm_guest_log_error(struct vm_guest_log *log, const char *fmt, ...)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - log->window.tv_sec >= LOG_WINDOW_S) {
		if (log->suppressed > 0) {
			wlr_log(WLR_ERROR, "guest %s (domain %u): %u more errors not shown",
				log->name, log->domid, log->suppressed);
		}
		log->window = now;
		log->count = 0;
		log->suppressed = 0;
	}
	if (log->count >= LOG_BURST) {
		log->suppressed++;
		return;
	}
	log->count++;
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
	if (log->suppressed > 0) {
		wlr_log(WLR_ERROR, "guest %s (domain %u): %u more errors not shown", log->name,
			log->domid, log->suppressed);
		log->suppressed = 0;
	}
}
