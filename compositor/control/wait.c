#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <wlr/types/wlr_output.h>

#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/control/wait.h"
#include "protocol/control.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/vm_surfaces.h"

struct mosaic_wait {
	struct mosaic_server *server;
	wait_done_func done;
	void *data;
	int timeout_ms;
	struct wl_event_source *timer;
	struct wl_event_source *idle; // the answer is known already: given from the event loop

	/* wait-flip: the connector once the guest is there. */
	struct control_guest guest;
	uint64_t flip;
	struct vm_connector *connector;
	struct wl_listener new_connector;
	struct wl_listener connector_present;
	struct wl_listener connector_destroy;

	/* wait-frame */
	struct wlr_output *output;
	uint32_t after;
	struct wl_listener output_present;
	struct wl_listener output_destroy;
};

static void finish(struct mosaic_wait *wait, const char *reply)
{
	wait_done_func done = wait->done;
	void *data = wait->data;
	wait_destroy(wait);
	done(data, reply);
}

static void finish_flip(struct mosaic_wait *wait)
{
	struct mosaic_surface *surface = wait->connector->data;
	const struct vm_display *display = wait->connector->display;
	char reply[600], label[200], name[200];
	snprintf(reply, sizeof(reply),
		"flip label=%s domid=%" PRIu32 " dev=%" PRIu32 " conn=%" PRIu32 " flips=%" PRIu64
		" guest=%s\nok\n",
		control_quote(surface != NULL ? surface->label : "-", label, sizeof(label)),
		display->domid, display->devid, wait->connector->index,
		wait->connector->flips_presented,
		control_quote(surface != NULL ? surface->name : display->name, name, sizeof(name)));
	finish(wait, reply);
}

static void watch_connector(struct mosaic_wait *wait, struct vm_connector *connector);

static void wait_handle_connector_present(struct wl_listener *listener, void *data)
{
	struct mosaic_wait *wait = wl_container_of(listener, wait, connector_present);
	if (wait->connector->flips_presented >= wait->flip) {
		finish_flip(wait);
	}
}

static void wait_handle_connector_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_wait *wait = wl_container_of(listener, wait, connector_destroy);
	char reply[512];
	snprintf(reply, sizeof(reply),
		"error the guest's connector went away after presenting %" PRIu64 " of %" PRIu64
		" flips\n",
		wait->connector->flips_presented, wait->flip);
	finish(wait, reply);
}

static bool guest_is(const struct mosaic_wait *wait, struct vm_connector *connector)
{
	/* The compositor's surface carries the names as mosaic shows them (sanitized). */
	struct mosaic_surface *surface = connector->data;
	return surface != NULL && control_guest_matches(&wait->guest, surface->name, surface->domid,
					  surface->devid, surface->index);
}

static void wait_handle_new_connector(struct wl_listener *listener, void *data)
{
	struct mosaic_wait *wait = wl_container_of(listener, wait, new_connector);
	struct vm_connector *connector = data;
	if (guest_is(wait, connector)) {
		watch_connector(wait, connector);
	}
}

static void watch_connector(struct mosaic_wait *wait, struct vm_connector *connector)
{
	wl_list_remove(&wait->new_connector.link);
	wl_list_init(&wait->new_connector.link);
	wait->connector = connector;
	wait->connector_present.notify = wait_handle_connector_present;
	wl_signal_add(&connector->events.present, &wait->connector_present);
	wait->connector_destroy.notify = wait_handle_connector_destroy;
	wl_signal_add(&connector->events.destroy, &wait->connector_destroy);
}

static void finish_frame(struct mosaic_wait *wait, uint32_t seq)
{
	char reply[256], name[128];
	snprintf(reply, sizeof(reply), "frame output=%s seq=%" PRIu32 "\nok\n",
		control_quote(wait->output->name, name, sizeof(name)), seq);
	finish(wait, reply);
}

static void wait_handle_output_present(struct wl_listener *listener, void *data)
{
	struct mosaic_wait *wait = wl_container_of(listener, wait, output_present);
	struct wlr_output_event_present *event = data;
	if (event->presented && (int32_t)(event->commit_seq - wait->after) > 0) {
		finish_frame(wait, event->commit_seq);
	}
}

static void wait_handle_output_destroy(struct wl_listener *listener, void *data)
{
	struct mosaic_wait *wait = wl_container_of(listener, wait, output_destroy);
	finish(wait, "error the output went away\n");
}

static int wait_handle_timeout(void *data)
{
	struct mosaic_wait *wait = data;
	char reply[512];
	if (wait->output != NULL) {
		snprintf(reply, sizeof(reply),
			"error timeout: %s presented no frame after %" PRIu32 " in %d ms\n",
			wait->output->name, wait->after, wait->timeout_ms);
	} else if (wait->connector != NULL) {
		snprintf(reply, sizeof(reply),
			"error timeout: the guest presented %" PRIu64 " of %" PRIu64
			" flips in %d ms\n",
			wait->connector->flips_presented, wait->flip, wait->timeout_ms);
	} else {
		snprintf(reply, sizeof(reply),
			"error timeout: the guest did not connect in %d ms\n", wait->timeout_ms);
	}
	finish(wait, reply);
	return 0;
}

static void wait_handle_idle(void *data)
{
	struct mosaic_wait *wait = data;
	wait->idle = NULL;
	if (wait->output != NULL) {
		finish_frame(wait, wait->output->commit_seq);
	} else {
		finish_flip(wait);
	}
}

/* Answered from the event loop, as any other wait: the caller holds the wait first. */
static bool answer_soon(struct mosaic_wait *wait)
{
	wait->idle = wl_event_loop_add_idle(wait->server->loop, wait_handle_idle, wait);
	if (wait->idle == NULL) {
		wait_destroy(wait);
		return false;
	}
	return true;
}

static struct mosaic_wait *wait_create(
	struct mosaic_server *server, int timeout_ms, wait_done_func done, void *data)
{
	struct mosaic_wait *wait = calloc(1, sizeof(*wait));
	if (wait == NULL) {
		return NULL;
	}
	wait->server = server;
	wait->done = done;
	wait->data = data;
	wait->timeout_ms = timeout_ms;
	wl_list_init(&wait->new_connector.link);
	wl_list_init(&wait->connector_present.link);
	wl_list_init(&wait->connector_destroy.link);
	wl_list_init(&wait->output_present.link);
	wl_list_init(&wait->output_destroy.link);
	wait->timer = wl_event_loop_add_timer(server->loop, wait_handle_timeout, wait);
	if (wait->timer == NULL) {
		free(wait);
		return NULL;
	}
	wl_event_source_timer_update(wait->timer, timeout_ms);
	return wait;
}

struct mosaic_wait *wait_flip_create(struct mosaic_server *server,
	const struct control_guest *guest, uint64_t flip, int timeout_ms, wait_done_func done,
	void *data)
{
	struct mosaic_wait *wait = wait_create(server, timeout_ms, done, data);
	if (wait == NULL) {
		return NULL;
	}
	wait->guest = *guest;
	wait->flip = flip;
	wait->new_connector.notify = wait_handle_new_connector;
	wl_signal_add(&server->vm->events.new_connector, &wait->new_connector);
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->connector != NULL && guest_is(wait, surface->connector)) {
			watch_connector(wait, surface->connector);
			break;
		}
	}
	if (wait->connector != NULL && wait->connector->flips_presented >= flip &&
		!answer_soon(wait)) {
		return NULL;
	}
	return wait;
}

struct mosaic_wait *wait_frame_create(struct mosaic_server *server, struct mosaic_output *output,
	uint32_t after, int timeout_ms, wait_done_func done, void *data)
{
	struct mosaic_wait *wait = wait_create(server, timeout_ms, done, data);
	if (wait == NULL) {
		return NULL;
	}
	wait->output = output->wlr_output;
	wait->after = after;
	wait->output_present.notify = wait_handle_output_present;
	wl_signal_add(&wait->output->events.present, &wait->output_present);
	wait->output_destroy.notify = wait_handle_output_destroy;
	wl_signal_add(&wait->output->events.destroy, &wait->output_destroy);
	/* A frame came between the caller's screenshot and this request: that one is it. */
	if ((int32_t)(wait->output->commit_seq - after) > 0 && !answer_soon(wait)) {
		return NULL;
	}
	return wait;
}

void wait_destroy(struct mosaic_wait *wait)
{
	if (wait == NULL) {
		return;
	}
	wl_list_remove(&wait->new_connector.link);
	wl_list_remove(&wait->connector_present.link);
	wl_list_remove(&wait->connector_destroy.link);
	wl_list_remove(&wait->output_present.link);
	wl_list_remove(&wait->output_destroy.link);
	wl_event_source_remove(wait->timer);
	if (wait->idle != NULL) {
		wl_event_source_remove(wait->idle);
	}
	free(wait);
}
