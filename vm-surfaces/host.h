#ifndef MOSAIC_VM_SURFACES_HOST_H
#define MOSAIC_VM_SURFACES_HOST_H

#include <stdint.h>
#include <wayland-server-core.h>

#include "protocol/ratelimit.h"

/*
 * What every part of a guest's display shares: the event loop, the
 * hypervisor's handles, and a log of the guest's errors that a flooding
 * guest cannot flood. Below the device, its connectors and its buffers, so
 * that none of them needs the others' headers.
 */
struct xenstore;
struct vm_budget;
struct vm_mapper;
struct evtchn;
typedef struct xengntdev_handle xengnttab_handle;
typedef struct xengntdev_handle xengntshr_handle;

struct vm_host {
	struct wl_event_loop *loop;
	struct xenstore *store;
	struct evtchn *evtchn;
	xengnttab_handle *gnttab;
	xengntshr_handle *gntshr; // NULL where pages cannot be shared: no backend allocation
	/* Maps guest buffers away from the loop; NULL: on the loop (tests without threads). */
	struct vm_mapper *mapper;
	/* Bytes one device may make us hold (its buffers, our conversions). */
	uint64_t memory_budget;
	/* Of all devices together: mappings, below the kernel's limit. */
	struct vm_budget *budget;
};

struct vm_guest_log {
	const char *name; // the domain's, sanitized
	uint32_t domid, devid;
	struct ratelimit limit;
};

/* One line per error, at most a burst of them every few seconds. */
void vm_guest_log_error(struct vm_guest_log *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Says how many lines were left out, if any (the device goes). */
void vm_guest_log_flush(struct vm_guest_log *log);

#endif
