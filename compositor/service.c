#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>
#if MOSAIC_HAS_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/service.h"
#include "compositor/surface.h"

/* systemd shows the status on one line of `systemctl status`: a long list is cut. */
#define STATUS_MAX 400

struct mosaic_service {
	struct mosaic_server *server;
	struct wl_event_source *watchdog; // NULL: systemd watches nothing
	int watchdog_ms;                  // half the interval systemd asks for
	char status[STATUS_MAX];          // the status systemd has
	struct wl_listener guest_connected;
	struct wl_listener guest_gone;
	struct wl_listener guest_forgotten;
	struct wl_listener outputs_changed;
};

static void notify(const char *state)
{
#if MOSAIC_HAS_LIBSYSTEMD
	int r = sd_notify(0, state);
	if (r < 0) {
		wlr_log(WLR_DEBUG, "sd_notify failed: %s", strerror(-r));
	}
#else
	(void)state;
#endif
}

/* Appends text to buf (of size STATUS_MAX); what does not fit is cut, and ends in "...". */
static void append(char *buf, const char *text)
{
	size_t len = strlen(buf), n = strlen(text);
	if (len + n < STATUS_MAX) {
		memcpy(buf + len, text, n + 1);
		return;
	}
	if (len >= 3 && strcmp(buf + len - 3, "...") == 0) {
		return;
	}
	size_t keep = STATUS_MAX - 4;
	if (len < keep) {
		memcpy(buf + len, text, keep - len);
	}
	memcpy(buf + keep, "...", 4);
}

/* Whether two surfaces are of one guest: by name, or by domain if it has none. */
static bool same_guest(const struct mosaic_surface *a, const struct mosaic_surface *b)
{
	if (a->name[0] != '\0' || b->name[0] != '\0') {
		return strcmp(a->name, b->name) == 0;
	}
	return a->domid == b->domid;
}

/* Whether an earlier surface in the same state is of the same guest: a guest is said once. */
static bool seen_before(struct mosaic_server *server, const struct mosaic_surface *surface)
{
	bool connected = surface->connector != NULL;
	struct mosaic_surface *s;
	wl_list_for_each(s, &server->surfaces, link) {
		if (s == surface) {
			return false;
		}
		if ((s->connector != NULL) == connected && same_guest(s, surface)) {
			return true;
		}
	}
	return false;
}

/* The guests connected (or absent), by name: "2 guests connected (a, b)". */
static void describe_guests(struct mosaic_server *server, bool connected, char *buf)
{
	char names[STATUS_MAX] = "";
	int n = 0;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if ((surface->connector != NULL) != connected || seen_before(server, surface)) {
			continue;
		}
		char name[160];
		if (surface->name[0] != '\0') {
			snprintf(name, sizeof(name), "%s%s", n > 0 ? ", " : "", surface->name);
		} else {
			snprintf(name, sizeof(name), "%sdomain %u", n > 0 ? ", " : "", surface->domid);
		}
		append(names, name);
		n++;
	}
	char text[STATUS_MAX + 64];
	if (connected) {
		if (n == 0) {
			snprintf(text, sizeof(text), "no guest connected");
		} else {
			snprintf(text, sizeof(text), "%d guest%s connected (%s)", n, n == 1 ? "" : "s",
				names);
		}
		append(buf, text);
	} else if (n > 0) {
		snprintf(text, sizeof(text), ", %d absent (%s)", n, names);
		append(buf, text);
	}
}

static void describe_outputs(struct mosaic_server *server, char *buf)
{
	char names[STATUS_MAX] = "";
	int n = 0;
	struct mosaic_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		char name[64];
		snprintf(name, sizeof(name), "%s%s", n > 0 ? ", " : "", output->wlr_output->name);
		append(names, name);
		n++;
	}
	char text[STATUS_MAX + 64];
	if (n == 0) {
		snprintf(text, sizeof(text), "; no output");
	} else {
		snprintf(text, sizeof(text), "; %d output%s (%s)", n, n == 1 ? "" : "s", names);
	}
	append(buf, text);
}

/* Sends the status if it changed; with what comes before it ("READY=1\n"), if any. */
static void send_status(struct mosaic_service *service, const char *before)
{
	char status[STATUS_MAX] = "";
	describe_guests(service->server, true, status);
	describe_guests(service->server, false, status);
	describe_outputs(service->server, status);
	if (before == NULL && strcmp(status, service->status) == 0) {
		return;
	}
	memcpy(service->status, status, sizeof(status));
	char message[STATUS_MAX + 64];
	snprintf(message, sizeof(message), "%sSTATUS=%s", before != NULL ? before : "", status);
	notify(message);
}

static void service_handle_guest_connected(struct wl_listener *listener, void *data)
{
	struct mosaic_service *service = wl_container_of(listener, service, guest_connected);
	send_status(service, NULL);
}

static void service_handle_guest_gone(struct wl_listener *listener, void *data)
{
	struct mosaic_service *service = wl_container_of(listener, service, guest_gone);
	send_status(service, NULL);
}

static void service_handle_guest_forgotten(struct wl_listener *listener, void *data)
{
	/* Out of the list already. */
	struct mosaic_service *service = wl_container_of(listener, service, guest_forgotten);
	send_status(service, NULL);
}

static void service_handle_outputs_changed(struct wl_listener *listener, void *data)
{
	struct mosaic_service *service = wl_container_of(listener, service, outputs_changed);
	send_status(service, NULL);
}

#if MOSAIC_HAS_LIBSYSTEMD
/* From the event loop: if the loop is stuck, the pings stop and systemd acts. */
static int service_handle_watchdog(void *data)
{
	struct mosaic_service *service = data;
	notify("WATCHDOG=1");
	wl_event_source_timer_update(service->watchdog, service->watchdog_ms);
	return 0;
}

static bool start_watchdog(struct mosaic_service *service)
{
	uint64_t usec = 0;
	/* Also checks WATCHDOG_PID: the pings are asked of this process. */
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
		return true;
	}
	service->watchdog_ms = usec / 2000 > 0 ? (int)(usec / 2000) : 1;
	service->watchdog = wl_event_loop_add_timer(
		service->server->loop, service_handle_watchdog, service);
	if (service->watchdog == NULL) {
		return false;
	}
	wl_event_source_timer_update(service->watchdog, service->watchdog_ms);
	wlr_log(WLR_INFO, "systemd's watchdog: a ping every %d ms", service->watchdog_ms);
	return true;
}
#else
static bool start_watchdog(struct mosaic_service *service)
{
	return true;
}
#endif

struct mosaic_service *service_create(struct mosaic_server *server)
{
	struct mosaic_service *service = calloc(1, sizeof(*service));
	if (service == NULL) {
		return NULL;
	}
	service->server = server;
	if (!start_watchdog(service)) {
		free(service);
		return NULL;
	}
	service->guest_connected.notify = service_handle_guest_connected;
	wl_signal_add(&server->events.guest_connected, &service->guest_connected);
	service->guest_gone.notify = service_handle_guest_gone;
	wl_signal_add(&server->events.guest_gone, &service->guest_gone);
	service->guest_forgotten.notify = service_handle_guest_forgotten;
	wl_signal_add(&server->events.guest_forgotten, &service->guest_forgotten);
	service->outputs_changed.notify = service_handle_outputs_changed;
	wl_signal_add(&server->events.outputs_changed, &service->outputs_changed);
	return service;
}

void service_ready(struct mosaic_service *service)
{
	send_status(service, "READY=1\n");
}

void service_stopping(struct mosaic_service *service, const char *why)
{
	char message[128];
	snprintf(message, sizeof(message), "STOPPING=1\nSTATUS=Stopping: %s", why);
	notify(message);
}

void service_destroy(struct mosaic_service *service)
{
	if (service == NULL) {
		return;
	}
	wl_list_remove(&service->guest_connected.link);
	wl_list_remove(&service->guest_gone.link);
	wl_list_remove(&service->guest_forgotten.link);
	wl_list_remove(&service->outputs_changed.link);
	if (service->watchdog != NULL) {
		wl_event_source_remove(service->watchdog);
	}
	free(service);
}
