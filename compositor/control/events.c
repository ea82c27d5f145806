#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/control/client.h"
#include "compositor/control/commands.h"
#include "compositor/control/events.h"
#include "compositor/control/reply.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "input-routing/router.h"
#include "input-routing/vkbd.h"
#include "layouts/layout.h"
#include "protocol/control.h"

struct control_events {
	struct mosaic_server *server;
	struct wl_list *clients;
	struct wl_listener guest_connected;
	struct wl_listener guest_gone;
	struct wl_listener guest_forgotten;
	struct wl_listener frame;
	struct wl_listener focus;
	struct wl_listener layout_changed;
	struct wl_listener reloaded;
	struct wl_listener reload_failed;
	struct wl_listener app_mapped;
	struct wl_listener app_unmapped;
};

void command_follow(struct control_reply *reply, int argc, char **argv)
{
	if (reply->client == NULL) {
		reply_printf(reply, "error follow needs a client to follow\n");
		return;
	}
	/* From now on the client only gets events, without blocking us. */
	reply->client->following = true;
}

static void send_event(struct control_events *events, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void send_event(struct control_events *events, const char *fmt, ...)
{
	bool any = false;
	struct control_client *client;
	wl_list_for_each(client, events->clients, link) {
		any = any || client->following;
	}
	if (!any) {
		return;
	}
	char line[2048];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, args);
	va_end(args);
	if (n < 0) {
		return;
	}
	size_t len = (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 2;
	line[len++] = '\n';
	struct control_client *tmp;
	wl_list_for_each_safe(client, tmp, events->clients, link) {
		/* Never wait for a follower: one that does not keep up is dropped. */
		if (client->following && !control_client_send(client, line, len)) {
			wlr_log(WLR_INFO, "Control: dropping a follower that does not keep up");
			control_client_destroy(client);
		}
	}
}

static void announce(struct control_events *events, const struct mosaic_surface *surface,
	const char *event)
{
	/* The guest chose these names: quoted if they hold spaces or quotes. */
	send_event(events,
		"event %s label=%s domid=%u dev=%u conn=%u unique-id=%s resolution=%ux%u guest=%s",
		event, reply_q(surface->label), surface->domid, surface->devid, surface->index,
		reply_q(surface->unique_id[0] != '\0' ? surface->unique_id : NULL), surface->width,
		surface->height, reply_q(surface->name));
}

static void events_handle_guest_connected(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, guest_connected);
	announce(events, data, "guest-connected");
}

static void events_handle_guest_gone(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, guest_gone);
	announce(events, data, "guest-gone");
}

static void events_handle_guest_forgotten(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, guest_forgotten);
	announce(events, data, "guest-forgotten");
}

static void events_handle_frame(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, frame);
	struct wlr_output *output = data;
	send_event(events, "event frame output=%s seq=%u", output->name, output->commit_seq);
}

static void events_handle_focus(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, focus);
	char keys[1024];
	reply_focus_keys(events->server, keys, sizeof(keys));
	send_event(events, "event focus %s", keys);
}

static void events_handle_layout_changed(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, layout_changed);
	const struct layout_layout *layout = data;
	send_event(events, "event layout-changed name=%s", reply_q(layout->name));
}

static void events_handle_reloaded(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, reloaded);
	struct mosaic_server *server = events->server;
	send_event(events, "event reloaded file=%s layout=%s", reply_q(server->config.layout_path),
		reply_q(server->active_layout->name));
}

static void events_handle_reload_failed(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, reload_failed);
	char line[2048];
	layout_error_format(data, line, sizeof(line));
	send_event(events, "event reload-failed error=%s", reply_q(line));
}

static void announce_app(struct control_events *events, const struct mosaic_app *app,
	const char *event)
{
	/* The client chose these names: quoted if they hold spaces or quotes. */
	send_event(events, "event %s id=%u app-id=%s title=%s pid=%d", event, app->id,
		reply_q(app_get_app_id(app)), reply_q(app_get_title(app)), (int)app->pid);
}

static void events_handle_app_mapped(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, app_mapped);
	announce_app(events, data, "app-mapped");
}

static void events_handle_app_unmapped(struct wl_listener *listener, void *data)
{
	struct control_events *events = wl_container_of(listener, events, app_unmapped);
	announce_app(events, data, "app-unmapped");
}

struct control_events *control_events_create(struct mosaic_server *server, struct wl_list *clients)
{
	struct control_events *events = calloc(1, sizeof(*events));
	if (events == NULL) {
		return NULL;
	}
	events->server = server;
	events->clients = clients;
	struct {
		struct wl_listener *listener;
		wl_notify_func_t notify;
		struct wl_signal *signal;
	} hooks[] = {
		{&events->guest_connected, events_handle_guest_connected,
			&server->events.guest_connected},
		{&events->guest_gone, events_handle_guest_gone, &server->events.guest_gone},
		{&events->guest_forgotten, events_handle_guest_forgotten,
			&server->events.guest_forgotten},
		{&events->frame, events_handle_frame, &server->events.frame},
		{&events->focus, events_handle_focus, &server->events.focus},
		{&events->layout_changed, events_handle_layout_changed,
			&server->events.layout_changed},
		{&events->reloaded, events_handle_reloaded, &server->events.reloaded},
		{&events->reload_failed, events_handle_reload_failed, &server->events.reload_failed},
		{&events->app_mapped, events_handle_app_mapped, &server->events.app_mapped},
		{&events->app_unmapped, events_handle_app_unmapped, &server->events.app_unmapped},
	};
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		hooks[i].listener->notify = hooks[i].notify;
		wl_signal_add(hooks[i].signal, hooks[i].listener);
	}
	return events;
}

void control_events_destroy(struct control_events *events)
{
	if (events == NULL) {
		return;
	}
	struct wl_listener *listeners[] = {&events->guest_connected, &events->guest_gone,
		&events->guest_forgotten,
		&events->frame, &events->focus, &events->layout_changed, &events->reloaded,
		&events->reload_failed, &events->app_mapped, &events->app_unmapped};
	for (size_t i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++) {
		wl_list_remove(&listeners[i]->link);
	}
	free(events);
}
