#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "protocol/log.h"
#include "protocol/xenstore.h"
#include "protocol/xs_value.h"

struct xenstore_watch {
	struct xenstore *store;
	char *path;
	char token[24];
	xenstore_watch_func_t func;
	void *data;
	struct wl_list link;
};

static int handle_readable(int fd, uint32_t mask, void *data)
{
	struct xenstore *store = data;
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		protocol_log(PROTOCOL_LOG_ERROR, "XenStore connection lost");
		wl_event_source_remove(store->source);
		store->source = NULL;
		return 0;
	}
	char **event;
	while ((event = xs_check_watch(store->xs)) != NULL) {
		const char *path = event[XS_WATCH_PATH];
		const char *token = event[XS_WATCH_TOKEN];
		struct xenstore_watch *watch, *tmp;
		/* A handler may remove watches, including its own. */
		wl_list_for_each_safe(watch, tmp, &store->watches, link) {
			if (strcmp(watch->token, token) == 0) {
				watch->func(path, watch->data);
				break;
			}
		}
		free(event);
	}
	if (errno != EAGAIN) {
		protocol_log_errno(PROTOCOL_LOG_ERROR, "xs_check_watch failed");
	}
	return 0;
}

struct xenstore *xenstore_create(struct wl_event_loop *loop)
{
	struct xenstore *store = calloc(1, sizeof(*store));
	if (store == NULL) {
		return NULL;
	}
	wl_list_init(&store->watches);
	store->loop = loop;
	store->xs = xs_open(0);
	if (store->xs == NULL) {
		protocol_log_errno(PROTOCOL_LOG_ERROR,
			"Cannot connect to XenStore (is xenstored running "
			"and are we in dom0?)");
		goto error;
	}
	uint32_t domid = 0;
	if (xenstore_read_u32(store, "domid", &domid)) {
		store->own_domid = domid;
	}
	store->source = wl_event_loop_add_fd(loop, xs_fileno(store->xs), WL_EVENT_READABLE,
		handle_readable, store);
	if (store->source == NULL) {
		protocol_log(PROTOCOL_LOG_ERROR, "Cannot watch the XenStore fd");
		goto error;
	}
	return store;

error:
	if (store->xs != NULL) {
		xs_close(store->xs);
	}
	free(store);
	return NULL;
}

void xenstore_destroy(struct xenstore *store)
{
	if (store == NULL) {
		return;
	}
	struct xenstore_watch *watch, *tmp;
	wl_list_for_each_safe(watch, tmp, &store->watches, link) {
		xenstore_watch_remove(watch);
	}
	if (store->source != NULL) {
		wl_event_source_remove(store->source);
	}
	xs_close(store->xs);
	free(store);
}

struct xenstore_watch *xenstore_watch_add(struct xenstore *store, const char *path,
	xenstore_watch_func_t func, void *data)
{
	struct xenstore_watch *watch = calloc(1, sizeof(*watch));
	if (watch == NULL) {
		return NULL;
	}
	watch->path = strdup(path);
	if (watch->path == NULL) {
		free(watch);
		return NULL;
	}
	watch->store = store;
	watch->func = func;
	watch->data = data;
	snprintf(watch->token, sizeof(watch->token), "mosaic-%u", store->next_token++);
	if (!xs_watch(store->xs, path, watch->token)) {
		protocol_log_errno(PROTOCOL_LOG_ERROR, "Cannot watch %s", path);
		free(watch->path);
		free(watch);
		return NULL;
	}
	wl_list_insert(store->watches.prev, &watch->link);
	return watch;
}

void xenstore_watch_remove(struct xenstore_watch *watch)
{
	if (watch == NULL) {
		return;
	}
	xs_unwatch(watch->store->xs, watch->path, watch->token);
	wl_list_remove(&watch->link);
	free(watch->path);
	free(watch);
}

char *xenstore_read(struct xenstore *store, const char *path)
{
	unsigned int len = 0;
	char *raw = xs_read(store->xs, XBT_NULL, path, &len);
	if (raw == NULL) {
		return NULL;
	}
	/* Values are length-counted bytes: a guest may embed NULs. */
	if (memchr(raw, '\0', len) != NULL) {
		free(raw);
		return NULL;
	}
	char *value = malloc(len + 1);
	if (value != NULL) {
		memcpy(value, raw, len);
		value[len] = '\0';
	}
	free(raw);
	return value;
}

char *xenstore_read_ours(struct xenstore *store, const char *path)
{
	/*
	 * A key the toolstack wrote in a guest's directory: the guest owns the
	 * directory and could put a key of its own there. Only a key whose
	 * owner is this domain (the toolstack's, which the guest may not write)
	 * counts.
	 */
	unsigned int n = 0;
	struct xs_permissions *perms = xs_get_permissions(store->xs, XBT_NULL, path, &n);
	bool ours = perms != NULL && n > 0 && perms[0].id == store->own_domid;
	free(perms);
	return ours ? xenstore_read(store, path) : NULL;
}

char *xenstore_readf(struct xenstore *store, const char *fmt, ...)
{
	char path[512];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return NULL;
	}
	return xenstore_read(store, path);
}

bool xenstore_read_u32(struct xenstore *store, const char *path, uint32_t *out)
{
	char *untrusted_value = xenstore_read(store, path);
	bool ok = xs_value_parse_u32(untrusted_value, UINT32_MAX, out) == 0;
	free(untrusted_value);
	return ok;
}

bool xenstore_write(struct xenstore *store, const char *path, const char *value)
{
	if (!xs_write(store->xs, XBT_NULL, path, value, strlen(value))) {
		protocol_log_errno(PROTOCOL_LOG_ERROR, "Cannot write %s", path);
		return false;
	}
	return true;
}

#define TRANSACTION_RETRIES 8

bool xenstore_write_in(struct xenstore *store, const char *dir, const char *key,
	const char *value)
{
	char path[600];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return false;
	}
	for (int attempt = 0; attempt < TRANSACTION_RETRIES; attempt++) {
		xs_transaction_t t = xs_transaction_start(store->xs);
		if (t == XBT_NULL) {
			break;
		}
		unsigned int len;
		char *existing = xs_read(store->xs, t, dir, &len);
		if (existing == NULL) {
			xs_transaction_end(store->xs, t, true);
			return false;
		}
		free(existing);
		if (!xs_write(store->xs, t, path, value, strlen(value))) {
			protocol_log_errno(PROTOCOL_LOG_ERROR, "Cannot write %s", path);
			xs_transaction_end(store->xs, t, true);
			return false;
		}
		if (xs_transaction_end(store->xs, t, false)) {
			return true;
		}
		if (errno != EAGAIN) {
			break;
		}
	}
	/* A store too busy for a transaction: check, then write. */
	char *existing = xenstore_read(store, dir);
	if (existing == NULL) {
		return false;
	}
	free(existing);
	return xenstore_write(store, path, value);
}

bool xenstore_writef(struct xenstore *store, const char *path, const char *fmt, ...)
{
	char value[256];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(value, sizeof(value), fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= sizeof(value)) {
		return false;
	}
	return xenstore_write(store, path, value);
}

int xenstore_list(struct xenstore *store, const char *path, char ***entries)
{
	unsigned int num = 0;
	char **list = xs_directory(store->xs, XBT_NULL, path, &num);
	if (list == NULL) {
		*entries = NULL;
		return -1;
	}
	*entries = list;
	return (int)num;
}

char *xenstore_read_domain_name(struct xenstore *store, uint32_t domid)
{
	char *untrusted_name = xenstore_readf(store, "/local/domain/%u/name", domid);
	char name[XS_VALUE_NAME_MAX + 1];
	xs_value_domain_name(untrusted_name, domid, name);
	free(untrusted_name);
	return strdup(name);
}
