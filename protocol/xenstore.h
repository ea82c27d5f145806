#ifndef MOSAIC_PROTOCOL_XENSTORE_H
#define MOSAIC_PROTOCOL_XENSTORE_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

/*
 * One XenStore connection for the whole process, its watch fd in the event
 * loop, and watch events dispatched to their owners by token.
 */
struct xs_handle;
struct xenstore_watch;

typedef void (*xenstore_watch_func_t)(const char *path, void *data);

struct xenstore {
	struct wl_event_loop *loop;
	struct xs_handle *xs;
	struct wl_event_source *source;
	struct wl_list watches; // xenstore_watch.link
	uint32_t next_token;
	uint32_t own_domid;
};

struct xenstore *xenstore_create(struct wl_event_loop *loop);
void xenstore_destroy(struct xenstore *store);

/* Watches fire once at once, like Xen's, and then on every change at or below path. */
struct xenstore_watch *xenstore_watch_add(struct xenstore *store, const char *path,
	xenstore_watch_func_t func, void *data);
void xenstore_watch_remove(struct xenstore_watch *watch);

/* Returns a malloc'd NUL-terminated value, or NULL if absent. */
char *xenstore_read(struct xenstore *store, const char *path);
char *xenstore_readf(struct xenstore *store, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for a key this domain owns (the toolstack wrote it); NULL for a key a guest owns. */
char *xenstore_read_ours(struct xenstore *store, const char *path);
/*
 * A domain's name (the guest chose it): printable ASCII, at most 64 bytes,
 * "domain-N" when it has none; malloc'd, NULL when out of memory.
 */
char *xenstore_read_domain_name(struct xenstore *store, uint32_t domid);
/* A number (xs_value_parse_u32); false if absent or malformed. */
bool xenstore_read_u32(struct xenstore *store, const char *path, uint32_t *out);
bool xenstore_write(struct xenstore *store, const char *path, const char *value);
bool xenstore_writef(struct xenstore *store, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Writes dir/key only while dir exists, atomically: a device directory the
 * toolstack (or a dying domain's teardown) removed must not come back as a
 * stray key. false if dir is gone.
 */
bool xenstore_write_in(struct xenstore *store, const char *dir, const char *key,
	const char *value);
/* Lists a directory; returns the number of entries, -1 if absent. Free with free(). */
int xenstore_list(struct xenstore *store, const char *path, char ***entries);

#endif
