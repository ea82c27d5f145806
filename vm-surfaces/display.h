#ifndef MOSAIC_VM_SURFACES_DISPLAY_H
#define MOSAIC_VM_SURFACES_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <wayland-server-core.h>

#include "protocol/ring.h"

/*
 * One vdispl device of one guest: its connectors, display buffers (dbufs)
 * and framebuffers. Buffers belong to the device, not to a connector.
 */
struct vm_surfaces;
struct xenbus_device;
struct vm_connector;

#define VM_DISPLAY_MAX_CONNECTORS 4

struct vm_display {
	struct vm_surfaces *surfaces;
	struct xenbus_device *dev;
	uint32_t domid, devid;
	char *name; // the domain's name, for people
	struct wl_list connectors; // vm_connector.link
	struct wl_list dbufs;      // vm_dbuf.link
	struct wl_list fbs;        // vm_fb.link
	uint64_t mapped_bytes;
	uint64_t bytes_converted; // by formats the renderer cannot read in place

	/* Guest errors are logged, but a flooding guest must not flood the log. */
	struct timespec log_window;
	uint32_t log_count, log_suppressed;
};

struct vm_display *vm_display_create(struct vm_surfaces *surfaces, struct xenbus_device *dev);
bool vm_display_connect(struct vm_display *display);
void vm_display_disconnect(struct vm_display *display);
void vm_display_destroy(struct vm_display *display);

/* Handles one request that arrived on connector's ring; fills the response's status and payload. */
void vm_display_handle_request(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_req *req, struct xendispl_resp *resp);

void vm_display_guest_error(struct vm_display *display, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The connector found the frontend broken (ring overflow): drop the connection. */
void vm_display_fatal(struct vm_display *display, const char *why);

#endif
