#include "xenbus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"

/* XenStore limits absolute paths to 3072 bytes. */
#define PATH_LEN 3072

static bool join_path(char *buf, size_t size, const char *dir, const char *node)
{
	int n;
	if (node == NULL || node[0] == '\0') {
		n = snprintf(buf, size, "%s", dir);
	} else {
		n = snprintf(buf, size, "%s/%s", dir, node);
	}
	return n > 0 && (size_t)n < size;
}

char *xenbus_read(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node)
{
	char path[PATH_LEN];
	if (!join_path(path, sizeof(path), dir, node)) {
		return NULL;
	}
	unsigned int len = 0;
	char *raw = xs_read(xs, t, path, &len);
	if (raw == NULL) {
		return NULL;
	}
	/* xs_read NUL-terminates, but a value may hold NULs of its own. */
	if (strlen(raw) != len) {
		free(raw);
		return NULL;
	}
	return raw;
}

bool xenbus_read_uint(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
	unsigned long max, unsigned long *out)
{
	char *s = xenbus_read(xs, t, dir, node);
	bool ok = parse_uint(s, max, out);
	free(s);
	return ok;
}

enum xenbus_state xenbus_read_state(struct xs_handle *xs, const char *dir)
{
	unsigned long state;
	if (!xenbus_read_uint(xs, XBT_NULL, dir, "state", XenbusStateReconfigured, &state)) {
		return XenbusStateUnknown;
	}
	return (enum xenbus_state)state;
}

bool xenbus_printf(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
	const char *fmt, ...)
{
	char path[PATH_LEN];
	char value[256];
	if (!join_path(path, sizeof(path), dir, node)) {
		errno = ENAMETOOLONG;
		return false;
	}
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(value, sizeof(value), fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= sizeof(value)) {
		errno = EINVAL;
		return false;
	}
	return xs_write(xs, t, path, value, (unsigned int)n);
}

bool xenbus_write_state(struct xs_handle *xs, const char *dir, enum xenbus_state state)
{
	if (!xenbus_printf(xs, XBT_NULL, dir, "state", "%d", (int)state)) {
		log_error("writing %s/state = %d: %s", dir, (int)state, strerror(errno));
		return false;
	}
	log_debug("state -> %s", xenbus_strstate(state));
	return true;
}

const char *xenbus_strstate(enum xenbus_state state)
{
	switch (state) {
	case XenbusStateUnknown:
		return "Unknown";
	case XenbusStateInitialising:
		return "Initialising";
	case XenbusStateInitWait:
		return "InitWait";
	case XenbusStateInitialised:
		return "Initialised";
	case XenbusStateConnected:
		return "Connected";
	case XenbusStateClosing:
		return "Closing";
	case XenbusStateClosed:
		return "Closed";
	case XenbusStateReconfiguring:
		return "Reconfiguring";
	case XenbusStateReconfigured:
		return "Reconfigured";
	}
	return "invalid";
}
