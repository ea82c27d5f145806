#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "compositor/control/client.h"
#include "compositor/control/commands.h"
#include "compositor/control/control.h"
#include "compositor/control/events.h"
#include "compositor/control/reply.h"
#include "compositor/server.h"
#include "protocol/control.h"

struct mosaic_control {
	struct mosaic_server *server;
	char *path;
	int fd;
	struct wl_event_source *source;
	struct wl_list clients; // control_client.link
	struct control_events *events;
	struct wl_listener binding;
};

static const struct {
	const char *name;
	command_func run;
	const char *usage;
} commands[] = {
	{"outputs", command_outputs, "outputs"},
	{"frame-times", command_frame_times, "frame-times"},
	{"guests", command_guests, "guests"},
	{"surfaces", command_surfaces, "surfaces"},
	{"layouts", command_layouts, "layouts"},
	{"output", command_output, "output create [WIDTHxHEIGHT] | output unplug NAME"},
	{"layout", command_layout, "layout NAME"},
	{"reload", command_reload, "reload"},
	{"screenshot", command_screenshot, "screenshot [OUTPUT] [rect=X,Y,W,H | surface=GUEST]"},
	{"wait-flip", command_wait_flip, "wait-flip GUEST N [timeout=MS]"},
	{"wait-frame", command_wait_frame, "wait-frame [OUTPUT] [after=SEQ] [timeout=MS]"},
	{"focus", command_focus, "focus [next|prev|none|POSITION|GUEST]"},
	{"inputs", command_inputs, "inputs"},
	{"apps", command_apps, "apps"},
	{"input", command_input,
		"input key CODE down|up | pointer X Y | button left|right|middle|CODE down|up | "
		"wheel STEPS | touch down|motion ID X Y | touch up|cancel ID | touch frame"},
	{"follow", command_follow, "follow"},
};

static void run_line(struct control_reply *reply, char *line)
{
	char *argv[CONTROL_MAX_ARGS];
	int argc = control_split(line, argv, CONTROL_MAX_ARGS);
	if (argc < 0) {
		reply_printf(reply, "error malformed request\n");
		return;
	}
	if (argc == 0) {
		return;
	}
	if (strcmp(argv[0], "ping") == 0) {
		reply_printf(reply, "ok\n");
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			commands[i].run(reply, argc, argv);
			return;
		}
	}
	char usage[1024] = "ping";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		strncat(usage, ", ", sizeof(usage) - strlen(usage) - 1);
		strncat(usage, commands[i].usage, sizeof(usage) - strlen(usage) - 1);
	}
	reply_printf(reply, "error unknown command %s; commands: %s\n", reply_q(argv[0]), usage);
}

static void client_run(struct control_client *client, char *line, void *data)
{
	struct mosaic_control *control = data;
	struct control_reply reply = {control->server, client};
	run_line(&reply, line);
}

/* A key binding's command: as if a client had sent it, with the reply in the log. */
static void control_handle_binding(struct wl_listener *listener, void *data)
{
	struct mosaic_control *control = wl_container_of(listener, control, binding);
	char copy[CONTROL_MAX_LINE];
	snprintf(copy, sizeof(copy), "%s", (const char *)data);
	struct control_reply reply = {control->server, NULL};
	run_line(&reply, copy);
}

static int control_handle_accept(int fd, uint32_t mask, void *data)
{
	struct mosaic_control *control = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		return 0;
	}
	struct control_client *client =
		control_client_create(control->server->loop, client_fd, client_run, control);
	if (client != NULL) {
		wl_list_insert(&control->clients, &client->link);
	}
	return 0;
}

static bool control_listen(struct mosaic_control *control, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		wlr_log(WLR_ERROR, "Control socket path too long: %s", path);
		return false;
	}
	strcpy(addr.sun_path, path);
	control->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (control->fd < 0) {
		return false;
	}
	/* A stale socket from a previous run would make bind fail. */
	unlink(path);
	mode_t old = umask(0077);
	int r = bind(control->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (r < 0 || listen(control->fd, 16) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot listen on %s", path);
		return false;
	}
	control->path = strdup(path);
	control->source = wl_event_loop_add_fd(control->server->loop, control->fd,
		WL_EVENT_READABLE, control_handle_accept, control);
	return control->path != NULL && control->source != NULL;
}

struct mosaic_control *control_create(struct mosaic_server *server, const char *path)
{
	struct mosaic_control *control = calloc(1, sizeof(*control));
	if (control == NULL) {
		return NULL;
	}
	control->server = server;
	control->fd = -1;
	wl_list_init(&control->clients);
	if (!control_listen(control, path)) {
		goto error;
	}
	control->events = control_events_create(server, &control->clients);
	if (control->events == NULL) {
		goto error;
	}
	control->binding.notify = control_handle_binding;
	wl_signal_add(&server->events.binding, &control->binding);
	wlr_log(WLR_INFO, "Control socket: %s", path);
	return control;

error:
	if (control->source != NULL) {
		wl_event_source_remove(control->source);
	}
	if (control->fd >= 0) {
		close(control->fd);
	}
	free(control->path);
	free(control);
	return NULL;
}

void control_destroy(struct mosaic_control *control)
{
	if (control == NULL) {
		return;
	}
	wl_list_remove(&control->binding.link);
	control_events_destroy(control->events);
	struct control_client *client, *tmp;
	wl_list_for_each_safe(client, tmp, &control->clients, link) {
		control_client_destroy(client);
	}
	wl_event_source_remove(control->source);
	close(control->fd);
	unlink(control->path);
	free(control->path);
	free(control);
}
