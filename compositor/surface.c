#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "compositor/label.h"
#include "compositor/server.h"
#include "compositor/stale.h"
#include "compositor/surface.h"
#include "input-routing/router.h"
#include "layouts/layout.h"
#include "protocol/xs_value.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"

static void surface_handle_frame(struct wl_listener *listener, void *data)
{
	struct mosaic_surface *surface = wl_container_of(listener, surface, frame);
	surface->content_ms = stale_now_ms();
	wl_signal_emit(&surface->events.content, surface);
	surface->dirty_seq = surface->connector->content_seq;
	/*
	 * A view may show none of the new frame (cropped or clipped away):
	 * without damage no frame would come to complete the flip.
	 */
	if (surface->presenter != NULL) {
		wlr_output_schedule_frame(surface->presenter);
	}
}

static void surface_handle_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_surface *surface = wl_container_of(listener, surface, destroy);
	wl_list_remove(&surface->frame.link);
	wl_list_remove(&surface->destroy.link);
	surface->connector->data = NULL;
	surface->connector = NULL;
	surface->staged = false;
	/* The arrangement releases the scene's locks on guest memory, and says what it shows now. */
	wl_signal_emit(&surface->server->events.guest_gone, surface);
	/* Its place stays a while (it may come back, under another domid), not for ever. */
	if (surface->forget != NULL && surface->server->config.forget_after_ms >= 0) {
		wl_event_source_timer_update(
			surface->forget, surface->server->config.forget_after_ms > 0 ?
						 surface->server->config.forget_after_ms :
						 1);
	}
}

/*
 * The connector's place: its own (same domain), else that of a domain of
 * the same name that is gone: a restarted guest gets a new domid, and takes
 * its old place.
 */
static struct mosaic_surface *find_slot(struct mosaic_server *server, uint32_t domid,
	uint32_t devid, uint32_t index, const char *name)
{
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->domid == domid && surface->devid == devid && surface->index == index) {
			return surface;
		}
	}
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->connector == NULL && name[0] != '\0' && strcmp(surface->name, name) == 0 &&
			surface->devid == devid && surface->index == index) {
			return surface;
		}
	}
	return NULL;
}

/* A guest the layout file names keeps its surface while it is away. */
static bool named_by_layout(const struct mosaic_surface *surface)
{
	const struct layout_config *config = surface->server->layout;
	for (size_t i = 0; config != NULL && i < config->guests_len; i++) {
		const struct layout_guest *g = &config->guests[i];
		if (layout_guest_matches(g, surface->name, surface->domid)) {
			return true;
		}
	}
	return false;
}

static int surface_handle_forget(void *data)
{
	struct mosaic_surface *surface = data;
	struct mosaic_server *server = surface->server;
	if (surface->connector != NULL || named_by_layout(surface)) {
		return 0;
	}
	wlr_log(WLR_INFO, "%s has been gone for %d s: its place is freed", surface->label,
		server->config.forget_after_ms / 1000);
	/* Out of the list first: the arrangement that follows leaves it out. */
	wl_list_remove(&surface->link);
	wl_list_init(&surface->link);
	wl_signal_emit(&server->events.guest_forgotten, surface);
	surface_destroy(surface);
	return 0;
}

static int slot_cmp(const struct mosaic_surface *a, uint32_t domid, uint32_t devid,
	uint32_t index)
{
	if (a->domid != domid) {
		return a->domid < domid ? -1 : 1;
	}
	if (a->devid != devid) {
		return a->devid < devid ? -1 : 1;
	}
	return a->index < index ? -1 : (a->index > index ? 1 : 0);
}

static char *sanitized(const char *text)
{
	char buf[128];
	xs_value_sanitize(text, buf, sizeof(buf));
	return strdup(buf);
}

static struct mosaic_surface *surface_create(struct mosaic_server *server, uint32_t domid,
	uint32_t devid, uint32_t index)
{
	struct mosaic_surface *surface = calloc(1, sizeof(*surface));
	if (surface == NULL) {
		return NULL;
	}
	surface->server = server;
	wl_signal_init(&surface->events.content);
	surface->forget = wl_event_loop_add_timer(server->loop, surface_handle_forget, surface);
	if (surface->forget == NULL) {
		free(surface);
		return NULL;
	}
	surface->domid = domid;
	surface->devid = devid;
	surface->index = index;
	/* Keep the list sorted by (domain, device, connector): a stable arrangement. */
	struct mosaic_surface *pos;
	struct wl_list *before = &server->surfaces;
	wl_list_for_each(pos, &server->surfaces, link) {
		if (slot_cmp(pos, domid, devid, index) > 0) {
			before = &pos->link;
			break;
		}
	}
	wl_list_insert(before->prev, &surface->link);
	return surface;
}

/* Names come from the guest's XenStore entries: printable ASCII only from here on. */
static bool surface_set_names(struct mosaic_surface *surface, const char *name,
	const char *unique_id)
{
	char *n = sanitized(name), *u = sanitized(unique_id);
	char label[160];
	snprintf(label, sizeof(label), "%s:%u.%u", n != NULL ? n : "", surface->devid,
		surface->index);
	char *l = strdup(label);
	if (n == NULL || u == NULL || l == NULL) {
		free(n);
		free(u);
		free(l);
		return false;
	}
	free(surface->name);
	free(surface->unique_id);
	free(surface->label);
	surface->name = n;
	surface->unique_id = u;
	surface->label = l;
	return true;
}

void surface_handle_new_connector(struct wl_listener *listener, void *data)
{
	struct mosaic_server *server = wl_container_of(listener, server, new_connector);
	struct vm_connector *connector = data;
	struct vm_display *display = connector->display;

	char name[128];
	xs_value_sanitize(display->name != NULL ? display->name : "", name, sizeof(name));
	struct mosaic_surface *surface =
		find_slot(server, display->domid, display->devid, connector->index, name);
	bool created = surface == NULL;
	if (created) {
		surface = surface_create(server, display->domid, display->devid, connector->index);
	}
	if (surface == NULL || !surface_set_names(surface, display->name, connector->unique_id)) {
		wlr_log(WLR_ERROR, "Out of memory: domain %u connector %u not shown", display->domid,
			connector->index);
		if (surface != NULL && created) {
			surface_destroy(surface);
		}
		vm_connector_set_shown(connector, false);
		return;
	}
	if (surface->domid != display->domid) {
		wlr_log(WLR_INFO, "%s: back as domain %u (was %u)", surface->label, display->domid,
			surface->domid);
		surface->domid = display->domid;
	}
	wl_event_source_timer_update(surface->forget, 0);
	surface->content_ms = stale_now_ms();
	surface->connector = connector;
	surface->width = connector->width;
	surface->height = connector->height;
	surface->dirty_seq = connector->content_seq;
	surface->staged = false;
	surface->presenter = NULL;
	connector->data = surface;
	surface->frame.notify = surface_handle_frame;
	wl_signal_add(&connector->events.frame, &surface->frame);
	surface->destroy.notify = surface_handle_destroy;
	wl_signal_add(&connector->events.destroy, &surface->destroy);
	wlr_log(WLR_INFO, "%s: connector %ux%u", surface->label, connector->width,
		connector->height);
	if (server->layout != NULL && !named_by_layout(surface)) {
		/* Not a fault, but a reason why a screen does not appear. */
		wlr_log(WLR_INFO, "%s (domain %u) is no [[guest]] of %s: not shown", surface->label,
			surface->domid, server->layout->file);
	}
	wl_signal_emit(&server->events.guest_connected, surface);
}

void surface_set_presenter(struct mosaic_surface *surface, struct wlr_output *output)
{
	if (surface->presenter != output) {
		/*
		 * A flip staged for the old output's commit would wait for a
		 * present that never comes: the new output stages it again.
		 */
		surface->staged = false;
		surface->presenter = output;
	}
	if (surface->connector != NULL) {
		vm_connector_set_shown(surface->connector, output != NULL);
	}
}

void surface_stage(struct mosaic_surface *surface, uint32_t commit_seq)
{
	if (surface->connector == NULL || surface->staged ||
		surface->dirty_seq <= surface->connector->presented_seq) {
		return;
	}
	surface->staged = true;
	surface->staged_seq = surface->dirty_seq;
	surface->staged_commit = commit_seq;
}

void surface_present(struct mosaic_surface *surface, uint32_t commit_seq)
{
	if (!surface->staged || surface->connector == NULL ||
		(int32_t)(commit_seq - surface->staged_commit) < 0) {
		return;
	}
	surface->staged = false;
	vm_connector_present(surface->connector, surface->staged_seq);
}

void surface_destroy(struct mosaic_surface *surface)
{
	wl_signal_emit(&surface->server->events.surface_destroy, surface);
	if (surface->connector != NULL) {
		wl_list_remove(&surface->frame.link);
		wl_list_remove(&surface->destroy.link);
		surface->connector->data = NULL;
	}
	wl_list_remove(&surface->link);
	wl_event_source_remove(surface->forget);
	free(surface->name);
	free(surface->unique_id);
	free(surface->label);
	free(surface);
}

void surface_input_target(const struct mosaic_surface *surface, struct input_target *target)
{
	*target = (struct input_target){
		.domid = surface->domid,
		.devid = surface->devid,
		.index = surface->index,
		.name = surface->name,
		.unique_id = surface->unique_id,
		.width = (int32_t)surface->width,
		.height = (int32_t)surface->height,
	};
}
