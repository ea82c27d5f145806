#include <stdio.h>
#include <stdlib.h>
#include <wlr/util/log.h>
#include <xengnttab.h>

#include "protocol/evtchn.h"
#include "protocol/ring.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "vm-surfaces/budget.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/log.h"
#include "vm-surfaces/mapper.h"
#include "vm-surfaces/vm_surfaces.h"

static bool vdispl_probe(struct xenbus_device *dev)
{
	struct vm_surfaces *surfaces = dev->backend->data;
	dev->data = vm_display_create(&surfaces->host, dev);
	if (dev->data == NULL) {
		return false;
	}
	/* The protocol versions we speak; frontends may read it, the toolstack lists it. */
	char path[512];
	snprintf(path, sizeof(path), "%s/" XENDISPL_FIELD_BE_VERSIONS, dev->be_path);
	xenstore_write(surfaces->host.store, path, XENDISPL_PROTOCOL_VERSION);
	return true;
}

static bool vdispl_connect(struct xenbus_device *dev)
{
	struct vm_surfaces *surfaces = dev->backend->data;
	struct vm_display *display = dev->data;
	if (!vm_display_connect(display)) {
		return false;
	}
	struct vm_connector *connector;
	wl_list_for_each(connector, &display->connectors, link) {
		wl_signal_emit(&surfaces->events.new_connector, connector);
	}
	return true;
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
	struct vm_host *host = &surfaces->host;
	host->loop = loop;
	host->store = store;
	/* The default holds four 3840x2160 XRGB8888 buffers, with room to spare. */
	host->memory_budget = memory_budget ? memory_budget : VM_SURFACES_DEFAULT_BUDGET;
	host->budget = vm_budget_create(UINT64_MAX, VM_BUDGET_HOST_MAPPINGS);
	wl_signal_init(&surfaces->events.new_connector);
	if (host->budget == NULL) {
		goto error;
	}

	host->gnttab = xengnttab_open(NULL, 0);
	if (host->gnttab == NULL) {
		wlr_log_errno(WLR_ERROR, "Cannot open the grant table device (is xen-gntdev loaded?)");
		goto error;
	}
	/*
	 * Every guest's buffers are mapped through this one handle: sixteen
	 * double-buffered 1080p connectors alone are 64,800 pages. Linux's
	 * gntdev limits pages per mapping request only; where a handle has a
	 * limit of its own, lift it (a failure here changes nothing).
	 */
	xengnttab_set_max_grants(host->gnttab, VM_SURFACES_MAX_MAPPED_PAGES);
	host->gntshr = xengntshr_open(NULL, 0);
	if (host->gntshr == NULL) {
		wlr_log_errno(WLR_INFO, "No grant sharing (xen-gntalloc): guests cannot ask for "
					"backend-allocated buffers");
	}
	host->mapper = vm_mapper_create(loop, host->gnttab);
	if (host->mapper == NULL) {
		goto error;
	}
	host->evtchn = evtchn_create(loop);
	if (host->evtchn == NULL) {
		goto error;
	}
	surfaces->evtchn = host->evtchn;
	return surfaces;

error:
	vm_mapper_destroy(host->mapper);
	if (host->gntshr != NULL) {
		xengntshr_close(host->gntshr);
	}
	if (host->gnttab != NULL) {
		xengnttab_close(host->gnttab);
	}
	vm_budget_unref(host->budget);
	free(surfaces);
	return NULL;
}

/* Separate from create so the compositor can listen for connectors before any appear. */
bool vm_surfaces_start(struct vm_surfaces *surfaces)
{
	surfaces->vdispl = xenbus_backend_create(
		surfaces->host.store, XENDISPL_DRIVER_NAME, &vdispl_impl, surfaces);
	return surfaces->vdispl != NULL;
}

void vm_surfaces_destroy(struct vm_surfaces *surfaces)
{
	if (surfaces == NULL) {
		return;
	}
	struct vm_host *host = &surfaces->host;
	xenbus_backend_destroy(surfaces->vdispl);
	vm_mapper_destroy(host->mapper);
	evtchn_destroy(host->evtchn);
	if (host->gntshr != NULL) {
		xengntshr_close(host->gntshr);
	}
	xengnttab_close(host->gnttab);
	vm_budget_unref(host->budget);
	free(surfaces);
}
