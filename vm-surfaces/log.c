#include <wlr/util/log.h>

#include "protocol/log.h"
#include "vm-surfaces/log.h"

static void forward(enum protocol_log_level level, const char *fmt, va_list args)
{
	enum wlr_log_importance importance = WLR_DEBUG;
	switch (level) {
	case PROTOCOL_LOG_ERROR:
		importance = WLR_ERROR;
		break;
	case PROTOCOL_LOG_INFO:
		importance = WLR_INFO;
		break;
	case PROTOCOL_LOG_DEBUG:
		importance = WLR_DEBUG;
		break;
	}
	_wlr_vlog(importance, fmt, args);
}

void vm_surfaces_log_init(void)
{
	protocol_log_set_handler(forward);
}
