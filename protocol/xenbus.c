#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/log.h"
#include "protocol/xenbus.h"
#include "protocol/xs_value.h"

const char *xenbus_state_name(enum xenbus_state state)
{
	static const char *const names[] = {"Unknown", "Initialising", "InitWait",
		"Initialised", "Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured"};
	if ((unsigned)state < sizeof(names) / sizeof(names[0])) {
		return names[state];
	}
	return "Invalid";
}

static void write_state(struct xenbus_device *dev, enum xenbus_state state)
{
	protocol_log(PROTOCOL_LOG_DEBUG, "%s: %s -> %s", dev->be_path,
		xenbus_state_name(dev->be_state), xenbus_state_name(state));
	dev->be_state = state;
	char value[16];
	snprintf(value, sizeof(value), "%d", (int)state);
	/* The device may be gone already (a domain that died): never write it back. */
	xenstore_write_in(dev->backend->store, dev->be_path, "state", value);
}

static void set_state(struct xenbus_device *dev, enum xenbus_state state)
{
	if (dev->be_state != state) {
		write_state(dev, state);
	}
}

static void disconnect(struct xenbus_device *dev)
{
	if (!dev->connected) {
		return;
	}
	dev->connected = false;
	dev->backend->impl->disconnect(dev);
}

/* Fatal errors of one device: a few lines, then one line a window saying how many more. */
#define FATAL_LOG_BURST 3
#define FATAL_LOG_WINDOW_MS 10000

void xenbus_device_fatal(struct xenbus_device *dev, const char *fmt, ...)
{
	char msg[256];
	va_list args;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	uint32_t dropped;
	bool allowed = ratelimit_allow(&dev->fatal_log, ratelimit_now_ms(), FATAL_LOG_BURST,
		FATAL_LOG_WINDOW_MS, &dropped);
	if (dropped > 0) {
		protocol_log(PROTOCOL_LOG_ERROR, "%s: %u more errors not shown", dev->be_path, dropped);
	}
	if (allowed) {
		protocol_log(PROTOCOL_LOG_ERROR, "%s: %s", dev->be_path, msg);
	}
	xenstore_write_in(dev->backend->store, dev->be_path, "error", msg);
	disconnect(dev);
	set_state(dev, XenbusStateClosing);
}

static enum xenbus_state read_state(struct xenstore *store, const char *dir)
{
	char *untrusted_state = xenstore_readf(store, "%s/state", dir);
	enum xenbus_state state = xs_value_parse_state(untrusted_state);
	free(untrusted_state);
	return state;
}

static bool device_online(struct xenbus_device *dev)
{
	/* Absent or malformed: online, as Linux's backends take it. */
	char *untrusted_online = xenstore_readf(dev->backend->store, "%s/online", dev->be_path);
	bool online;
	int err = xs_value_parse_flag(untrusted_online, &online);
	free(untrusted_online);
	return err != 0 || online;
}

/* Follows the frontend's state transitions, as Linux's xenbus backends do. */
static void device_update(struct xenbus_device *dev, bool initial)
{
	struct xenstore *store = dev->backend->store;
	enum xenbus_state fe = read_state(store, dev->fe_path);

	if (!device_online(dev)) {
		/* The toolstack is removing the device: close and let it finish. */
		disconnect(dev);
		set_state(dev, XenbusStateClosed);
		return;
	}
	if (fe == dev->fe_state && !initial) {
		return;
	}
	dev->fe_state = fe;
	if (fe != XenbusStateConnected) {
		dev->stale = false;
		dev->inherited = false;
	}

	switch (fe) {
	case XenbusStateInitialising:
		/*
		 * A fresh frontend, or one that restarts (after its own reset or
		 * ours). Written even if unchanged: the frontend acts on the write.
		 */
		disconnect(dev);
		write_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->stale || dev->be_state != XenbusStateInitWait) {
			break;
		}
		bool ok = dev->backend->impl->connect(dev);
		dev->inherited = false;
		if (!ok) {
			/* connect() has reported why; leave the frontend to see Closing. */
			set_state(dev, XenbusStateClosing);
			break;
		}
		dev->connected = true;
		set_state(dev, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		/*
		 * Linux's xen-drm-front, when unloaded, waits for InitWait before
		 * it writes Closed: release everything and be ready for the next
		 * frontend at once.
		 */
		disconnect(dev);
		set_state(dev, XenbusStateClosing);
		set_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		/* The frontend tears down its side; it comes back through Initialising. */
		disconnect(dev);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		disconnect(dev);
		if (dev->be_state == XenbusStateConnected || dev->be_state == XenbusStateClosing) {
			set_state(dev, XenbusStateClosed);
		}
		break;
	case XenbusStateInitWait:
		/* Not a frontend state. */
		break;
	}
}

/*
 * A frontend's state is read once for all the changes that came together,
 * and a frontend that keeps changing it waits longer each time (5 ms, then
 * twice as long, up to half a second; a second of quiet starts again): a
 * guest flapping its state thousands of times cannot take the event loop
 * from the others, and a frontend connecting normally is served at once.
 * XenBus is a state machine: the state it ends in is what counts.
 */
#define UPDATE_MIN_MS 5
#define UPDATE_MAX_MS 500
#define UPDATE_QUIET_MS 1000

static int device_handle_update_timer(void *data)
{
	struct xenbus_device *dev = data;
	dev->update_pending = false;
	dev->last_update_ms = ratelimit_now_ms();
	device_update(dev, false);
	return 0;
}

/*
 * Coalescing bounds the work, not the events: xenstored still sends one per
 * write. A frontend whose state keeps changing this often is broken or
 * hostile; its device is closed for good (until the toolstack makes it
 * again) and no longer watched, so the flood stops at the source.
 */
#define FLOOD_LIMIT 1000
#define FLOOD_WINDOW_MS 10000

static void device_close_flooded(struct xenbus_device *dev)
{
	dev->flooded = true;
	xenbus_device_fatal(dev, "frontend state changed too often (over %d times in %d s): "
		"device closed", FLOOD_LIMIT, FLOOD_WINDOW_MS / 1000);
	set_state(dev, XenbusStateClosed);
	xenstore_watch_remove(dev->fe_watch);
	dev->fe_watch = NULL;
	dev->update_pending = false;
	wl_event_source_timer_update(dev->update_timer, 0);
}

static void device_handle_change(const char *path, void *data)
{
	struct xenbus_device *dev = data;
	if (dev->flooded) {
		return;
	}
	int64_t now = ratelimit_now_ms();
	if (now - dev->flood_window_ms >= FLOOD_WINDOW_MS) {
		dev->flood_window_ms = now;
		dev->flood_changes = 0;
	}
	if (++dev->flood_changes > FLOOD_LIMIT) {
		device_close_flooded(dev);
		return;
	}
	if (dev->update_pending) {
		return;
	}
	dev->update_pending = true;
	if (now - dev->last_update_ms > UPDATE_QUIET_MS) {
		dev->update_interval_ms = UPDATE_MIN_MS;
	} else if (dev->update_interval_ms < UPDATE_MAX_MS) {
		dev->update_interval_ms = dev->update_interval_ms * 2 < UPDATE_MAX_MS ?
			dev->update_interval_ms * 2 : UPDATE_MAX_MS;
	}
	int64_t wait = dev->last_update_ms + dev->update_interval_ms - now;
	wl_event_source_timer_update(dev->update_timer, wait > 1 ? (int)wait : 1);
}

static void device_destroy(struct xenbus_device *dev)
{
	disconnect(dev);
	dev->backend->impl->remove(dev);
	xenstore_watch_remove(dev->fe_watch);
	xenstore_watch_remove(dev->be_watch);
	if (dev->update_timer != NULL) {
		wl_event_source_remove(dev->update_timer);
	}
	wl_list_remove(&dev->link);
	free(dev->be_path);
	free(dev->fe_path);
	free(dev);
}

static struct xenbus_device *device_create(struct xenbus_backend *backend, uint32_t domid,
	uint32_t devid)
{
	struct xenstore *store = backend->store;
	char be_path[512];
	snprintf(be_path, sizeof(be_path), "%s/%u/%u", backend->path, domid, devid);

	/* The toolstack writes these; still, never let them point at another domain. */
	char *fe_path = xenstore_readf(store, "%s/frontend", be_path);
	uint32_t fe_id;
	char expected[64];
	snprintf(expected, sizeof(expected), "/local/domain/%u/", domid);
	if (fe_path == NULL || strncmp(fe_path, expected, strlen(expected)) != 0 ||
		strstr(fe_path, "/..") != NULL) {
		free(fe_path);
		return NULL;
	}
	char id_path[560];
	snprintf(id_path, sizeof(id_path), "%s/frontend-id", be_path);
	if (!xenstore_read_u32(store, id_path, &fe_id) || fe_id != domid) {
		free(fe_path);
		return NULL;
	}

	struct xenbus_device *dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		free(fe_path);
		return NULL;
	}
	dev->backend = backend;
	dev->domid = domid;
	dev->devid = devid;
	dev->fe_path = fe_path;
	dev->be_path = strdup(be_path);
	dev->be_state = read_state(store, be_path);
	wl_list_insert(backend->devices.prev, &dev->link);
	if (dev->be_path == NULL || !backend->impl->probe(dev)) {
		wl_list_remove(&dev->link);
		free(dev->be_path);
		free(dev->fe_path);
		free(dev);
		return NULL;
	}
	protocol_log(PROTOCOL_LOG_INFO, "%s device %u/%u found (frontend %s)", backend->type, domid,
		devid, fe_path);
	/*
	 * Announce ourselves even if the state key already says InitWait: a
	 * restarted backend must. A frontend already Connected was served by a
	 * backend before us; it resets when it sees InitWait and comes back.
	 */
	dev->fe_state = read_state(store, dev->fe_path);
	dev->inherited = dev->fe_state == XenbusStateConnected && backend->impl->keep_frontends;
	dev->stale = dev->fe_state == XenbusStateConnected && !backend->impl->keep_frontends;
	write_state(dev, XenbusStateInitWait);
	/*
	 * The frontend's state key only (its removal included): the guest owns
	 * its directory, and keys it writes there for nothing must not cost us.
	 */
	dev->update_timer = wl_event_loop_add_timer(store->loop, device_handle_update_timer, dev);
	char state_path[560];
	snprintf(state_path, sizeof(state_path), "%s/state", dev->fe_path);
	dev->fe_watch = dev->update_timer == NULL ? NULL :
		xenstore_watch_add(store, state_path, device_handle_change, dev);
	char online_path[560];
	snprintf(online_path, sizeof(online_path), "%s/online", be_path);
	dev->be_watch = dev->update_timer == NULL ? NULL :
		xenstore_watch_add(store, online_path, device_handle_change, dev);
	if (dev->fe_watch == NULL || dev->be_watch == NULL) {
		device_destroy(dev);
		return NULL;
	}
	return dev;
}

static struct xenbus_device *find_device(struct xenbus_backend *backend, uint32_t domid,
	uint32_t devid)
{
	struct xenbus_device *dev;
	wl_list_for_each(dev, &backend->devices, link) {
		if (dev->domid == domid && dev->devid == devid) {
			return dev;
		}
	}
	return NULL;
}

static bool listed(char **names, int n, uint32_t value)
{
	for (int i = 0; i < n; i++) {
		uint32_t v;
		if (xs_value_parse_u32(names[i], UINT32_MAX, &v) == 0 && v == value) {
			return true;
		}
	}
	return false;
}

/* A device the toolstack is writing: served once its keys are there. */
static void try_add_device(struct xenbus_backend *backend, uint32_t domid, uint32_t devid)
{
	if (find_device(backend, domid, devid) != NULL) {
		return;
	}
	/* The toolstack writes the keys one by one: retry on the next event. */
	char state_path[600];
	snprintf(state_path, sizeof(state_path), "%s/%u/%u/state", backend->path, domid, devid);
	uint32_t state;
	if (!xenstore_read_u32(backend->store, state_path, &state)) {
		return;
	}
	struct xenbus_device *dev = device_create(backend, domid, devid);
	if (dev != NULL) {
		device_update(dev, true);
	}
}

/* Re-reads the whole backend directory: immune to missed events. */
static void backend_scan(struct xenbus_backend *backend)
{
	struct xenstore *store = backend->store;
	char **domains = NULL;
	int ndomains = xenstore_list(store, backend->path, &domains);

	struct xenbus_device *dev, *tmp;
	wl_list_for_each_safe(dev, tmp, &backend->devices, link) {
		bool present = false;
		if (listed(domains, ndomains, dev->domid)) {
			char **devs = NULL;
			char path[512];
			snprintf(path, sizeof(path), "%s/%u", backend->path, dev->domid);
			int ndevs = xenstore_list(store, path, &devs);
			present = listed(devs, ndevs, dev->devid);
			free(devs);
		}
		if (!present) {
			protocol_log(PROTOCOL_LOG_INFO, "%s device %u/%u removed", backend->type,
				dev->domid, dev->devid);
			device_destroy(dev);
		}
	}

	for (int i = 0; i < ndomains; i++) {
		uint32_t domid;
		if (xs_value_parse_u32(domains[i], UINT32_MAX, &domid) != 0 ||
			domid == store->own_domid) {
			continue;
		}
		char **devs = NULL;
		char path[512];
		snprintf(path, sizeof(path), "%s/%u", backend->path, domid);
		int ndevs = xenstore_list(store, path, &devs);
		for (int j = 0; j < ndevs; j++) {
			uint32_t devid;
			if (xs_value_parse_u32(devs[j], UINT32_MAX, &devid) == 0) {
				try_add_device(backend, domid, devid);
			}
		}
		free(devs);
	}
	free(domains);
}

/* A decimal path component; *end after it. */
static bool parse_component(const char *s, uint32_t *value, const char **end)
{
	char buf[16];
	size_t n = strcspn(s, "/");
	if (n == 0 || n >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	*end = s + n;
	return xs_value_parse_u32(buf, UINT32_MAX, value) == 0;
}

/*
 * Every key written under the backend directory fires this watch: a guest's
 * creation alone writes dozens, and mosaic's own state keys too. Reading
 * the whole directory for each (two XenStore round trips per device) kept
 * the loop, and every running guest's flips, waiting while guests came:
 * only a domain's or a device's own directory coming or going needs it.
 */
static void backend_handle_change(const char *path, void *data)
{
	struct xenbus_backend *backend = data;
	size_t len = strlen(backend->path);
	uint32_t domid, devid;
	const char *rest;
	if (strncmp(path, backend->path, len) != 0 || path[len] != '/' ||
		!parse_component(path + len + 1, &domid, &rest) || rest[0] != '/' ||
		!parse_component(rest + 1, &devid, &rest) || rest[0] != '/') {
		backend_scan(backend);
		return;
	}
	/* A key inside a device's directory: a known device has watches of its own. */
	try_add_device(backend, domid, devid);
}

struct xenbus_backend *xenbus_backend_create(struct xenstore *store, const char *type,
	const struct xenbus_backend_impl *impl, void *data)
{
	struct xenbus_backend *backend = calloc(1, sizeof(*backend));
	if (backend == NULL) {
		return NULL;
	}
	wl_list_init(&backend->devices);
	backend->store = store;
	backend->impl = impl;
	backend->data = data;
	backend->type = strdup(type);
	char path[256];
	snprintf(path, sizeof(path), "/local/domain/%u/backend/%s", store->own_domid, type);
	backend->path = strdup(path);
	if (backend->type == NULL || backend->path == NULL) {
		goto error;
	}
	/* The watch fires at once, which performs the initial scan. */
	backend->watch = xenstore_watch_add(store, backend->path, backend_handle_change, backend);
	if (backend->watch == NULL) {
		goto error;
	}
	return backend;

error:
	free(backend->type);
	free(backend->path);
	free(backend);
	return NULL;
}

void xenbus_backend_destroy(struct xenbus_backend *backend)
{
	if (backend == NULL) {
		return;
	}
	xenstore_watch_remove(backend->watch);
	struct xenbus_device *dev, *tmp;
	wl_list_for_each_safe(dev, tmp, &backend->devices, link) {
		disconnect(dev);
		if (!backend->impl->keep_frontends) {
			set_state(dev, XenbusStateClosing);
			set_state(dev, XenbusStateClosed);
		}
		device_destroy(dev);
	}
	free(backend->type);
	free(backend->path);
	free(backend);
}
