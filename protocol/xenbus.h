#ifndef MOSAIC_PROTOCOL_XENBUS_H
#define MOSAIC_PROTOCOL_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <xen/io/xenbus.h>

#include "protocol/ratelimit.h"
#include "protocol/xenstore.h"

/*
 * The backend half of XenBus for one device type ("vdispl", "vkbd", ...):
 * finds the devices the toolstack wrote under our backend directory, walks
 * each through Initialising -> InitWait -> Connected and back, following its
 * frontend's state, and tells the owner when to connect and disconnect.
 */
struct xenbus_device;

struct xenbus_backend_impl {
	/* A new device appeared. Return false to leave it alone. */
	bool (*probe)(struct xenbus_device *dev);
	/* The frontend published its rings: map and bind them. false = failed. */
	bool (*connect)(struct xenbus_device *dev);
	/* Release everything of the connection (rings, channels, buffers). */
	void (*disconnect)(struct xenbus_device *dev);
	/* The device is going away: free the owner's state. */
	void (*remove)(struct xenbus_device *dev);
	/*
	 * The frontend keeps its rings across backends (xen-kbdfront goes
	 * Connected once and never reconnects; Closed is for good): one found
	 * Connected is connected to as it is, and the backend going away leaves
	 * its devices as they are, for the next one to take over.
	 */
	bool keep_frontends;
};

struct xenbus_backend {
	struct xenstore *store;
	char *type;
	char *path; // /local/domain/<own>/backend/<type>
	const struct xenbus_backend_impl *impl;
	void *data;
	struct xenstore_watch *watch;
	struct wl_list devices; // xenbus_device.link
};

struct xenbus_device {
	struct xenbus_backend *backend;
	uint32_t domid, devid;
	char *be_path;
	char *fe_path;
	enum xenbus_state be_state;
	enum xenbus_state fe_state;
	bool connected;
	/* Found Connected when we started: its rings were another backend's. */
	bool stale;
	/* ...and, with keep_frontends, taken over: true during that first connect(). */
	bool inherited;
	struct xenstore_watch *fe_watch;
	struct xenstore_watch *be_watch;
	void *data; // the owner's
	struct ratelimit fatal_log; // a frontend that fails again and again logs a few lines
	/* Changes handled after the events at hand, further apart while they keep coming. */
	struct wl_event_source *update_timer;
	bool update_pending;
	int64_t last_update_ms;
	int64_t update_interval_ms;
	/* Watch events in the current window; past the limit the device is closed. */
	int64_t flood_window_ms;
	uint32_t flood_changes;
	bool flooded;
	struct wl_list link;
};

struct xenbus_backend *xenbus_backend_create(struct xenstore *store, const char *type,
	const struct xenbus_backend_impl *impl, void *data);
/* Takes every device through Closing to Closed (unless keep_frontends), then frees them. */
void xenbus_backend_destroy(struct xenbus_backend *backend);

/* Report a fatal problem with the frontend: writes "error" and closes the device. */
void xenbus_device_fatal(struct xenbus_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *xenbus_state_name(enum xenbus_state state);

#endif
