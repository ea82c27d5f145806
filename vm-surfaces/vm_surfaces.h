#ifndef MOSAIC_VM_SURFACES_VM_SURFACES_H
#define MOSAIC_VM_SURFACES_VM_SURFACES_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "vm-surfaces/host.h"

/*
 * The PV display backend: serves every guest's vdispl devices and offers
 * their connectors to the compositor.
 */
struct vm_surfaces {
	struct vm_host host; // what every device uses: loop, XenStore, grants, channels
	struct evtchn *evtchn; // host.evtchn, which the compositor shares with input devices
	struct xenbus_backend *vdispl;

	struct {
		struct wl_signal new_connector; // struct vm_connector *
	} events;
};

#define VM_SURFACES_DEFAULT_BUDGET (256ull << 20)
/* Guest pages mapped at once, all guests together: 16 GiB. */
#define VM_SURFACES_MAX_MAPPED_PAGES (4u << 20)

/* memory_budget: bytes of buffers one device may have; 0 for the default. */
struct vm_surfaces *vm_surfaces_create(struct wl_event_loop *loop, struct xenstore *store,
	uint64_t memory_budget);
/* Starts serving the guests' devices; listen to events.new_connector first. */
bool vm_surfaces_start(struct vm_surfaces *surfaces);
/* Disconnects every guest; the compositor must have let go of their buffers first. */
void vm_surfaces_destroy(struct vm_surfaces *surfaces);

#endif
