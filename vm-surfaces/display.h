#ifndef MOSAIC_VM_SURFACES_DISPLAY_H
#define MOSAIC_VM_SURFACES_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "vm-surfaces/dbuf.h"
#include "vm-surfaces/host.h"

/*
 * One vdispl device of one guest: its connectors, display buffers (dbufs)
 * and framebuffers. Buffers belong to the device, not to a connector.
 */
struct xenbus_device;

#define VM_DISPLAY_MAX_CONNECTORS DISPLIF_MAX_CONNECTORS

struct vm_display {
	const struct vm_host *host;
	struct xenbus_device *dev;
	uint32_t domid, devid;
	char *name; // the domain's name, for people
	struct wl_list connectors; // vm_connector.link
	struct vm_dbufs dbufs;
	struct vm_guest_log log;
	/* Conversions of frames, at a bounded rate (a token bucket of pixels). */
	struct wl_event_source *convert_idle, *convert_timer;
	/* Readable while a conversion has slices left: the loop's other sources get a turn first. */
	int convert_kick_fd;
	struct wl_event_source *convert_kick;
	int64_t convert_at; // CLOCK_MONOTONIC ns of the last refill
	double convert_tokens;
};

struct vm_display *vm_display_create(const struct vm_host *host, struct xenbus_device *dev);
/* Reads the connectors' keys, maps and binds them; then they are in display->connectors. */
bool vm_display_connect(struct vm_display *display);
void vm_display_disconnect(struct vm_display *display);
void vm_display_destroy(struct vm_display *display);

#endif
