#include <stdio.h>
#include <stdlib.h>
#include <wlr/util/log.h>
#include <xengnttab.h>

#include "protocol/evtchn.h"
#include "protocol/ring.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/log.h"
#include "vm-surfaces/vm_surfaces.h"

static bool vdispl_probe(struct xenbus_device *dev)
{
	struct vm_surfaces *surfaces = dev->backend->data;
	dev->data = vm_display_create(surfaces, dev);
	if (dev->data == NULL) {
		return false;
	}
	/* The protocol versions we speak; frontends may read it, the toolstack lists it. */
	char path[512];
	snprintf(path, sizeof(path), "%s/" XENDISPL_FIELD_BE_VERSIONS, dev->be_path);
	xenstore_write(surfaces->store, path, XENDISPL_PROTOCOL_VERSION);
	return true;
}

static bool vdispl_connect(struct xenbus_device *dev)
{
	return vm_display_connect(dev->data);
}

static void vdispl_disconnect(struct xenbus_device *dev)
{
	vm_display_disconnect(dev->data);
}

static void vdispl_remove(struct xenbus_device *dev)
{
	vm_display_destroy(dev->data);
	dev->data = NULL;
}

static const struct xenbus_backend_impl vdispl_impl = {
	.probe = vdispl_probe,
	.connect = vdispl_connect,
	.disconnect = vdispl_disconnect,
	.remove = vdispl_remove,
};

struct vm_surfaces *vm_surfaces_create(struct wl_event_loop *loop, struct xenstore *store,
	uint64_t memory_budget)
{
	struct vm_surfaces *surfaces = calloc(1, sizeof(*surfaces));
	if (surfaces == NULL) {
		return NULL;
	}
	/* protocol/ logs through wlroots from here on, as the rest of mosaic. */
	vm_surfaces_log_init();
	surfaces->loop = loop;
	surfaces->store = store;
	/* The default holds four 3840x2160 XRGB8888 buffers, with room to spare. */
	surfaces->memory_budget = memory_budget ? memory_budget : VM_SURFACES_DEFAULT_BUDGET;
	wl_signal_init(&surfaces->events.new_connector);

	surfaces->gnttab = xengnttab_open(NULL, 0);
	if (surfaces->gnttab == NULL) {
		wlr_log_errno(WLR_ERROR, "Cannot open the grant table device (is xen-gntdev loaded?)");
		goto error;
	}
	/*
	 * Every guest's buffers are mapped through this one handle: sixteen
	 * double-buffered 1080p connectors alone are 64,800 pages. Linux's
	 * gntdev limits pages per mapping request only; where a handle has a
	 * limit of its own, lift it (a failure here changes nothing).
	 */
	xengnttab_set_max_grants(surfaces->gnttab, VM_SURFACES_MAX_MAPPED_PAGES);
	surfaces->gntshr = xengntshr_open(NULL, 0);
	if (surfaces->gntshr == NULL) {
		wlr_log_errno(WLR_INFO, "No grant sharing (xen-gntalloc): guests cannot ask for "
					"backend-allocated buffers");
	}
	surfaces->evtchn = evtchn_create(loop);
	if (surfaces->evtchn == NULL) {
		goto error;
	}
	return surfaces;

error:
	if (surfaces->gntshr != NULL) {
		xengntshr_close(surfaces->gntshr);
	}
	if (surfaces->gnttab != NULL) {
		xengnttab_close(surfaces->gnttab);
	}
	free(surfaces);
	return NULL;
}

/* Separate from create so the compositor can listen for connectors before any appear. */
bool vm_surfaces_start(struct vm_surfaces *surfaces)
{
	surfaces->vdispl = xenbus_backend_create(surfaces->store, XENDISPL_DRIVER_NAME,
		&vdispl_impl, surfaces);
	return surfaces->vdispl != NULL;
}

void vm_surfaces_destroy(struct vm_surfaces *surfaces)
{
	if (surfaces == NULL) {
		return;
	}
	xenbus_backend_destroy(surfaces->vdispl);
	evtchn_destroy(surfaces->evtchn);
	if (surfaces->gntshr != NULL) {
		xengntshr_close(surfaces->gntshr);
	}
	xengnttab_close(surfaces->gnttab);
	free(surfaces);
}
