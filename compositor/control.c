#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "compositor/control.h"
#include "compositor/output.h"
#include "compositor/screenshot.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "protocol/control.h"

struct mosaic_control {
	struct mosaic_server *server;
	char *path;
	int fd;
	struct wl_event_source *source;
	struct wl_list clients; // control_client.link
};

struct control_client {
	struct mosaic_control *control;
	int fd;
	struct wl_event_source *source;
	char buf[CONTROL_MAX_LINE];
	size_t len;
	struct wl_list link;
};

/* Replies are small except screenshots; a client that stops reading is dropped. */
static bool client_send(struct control_client *client, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = send(client->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool client_printf(struct control_client *client, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool client_printf(struct control_client *client, const char *fmt, ...)
{
	char line[1024];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (n < 0) {
		return false;
	}
	return client_send(client, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void cmd_outputs(struct control_client *client, int argc, char **argv)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &client->control->server->outputs, link) {
		struct wlr_box box;
		output_get_box(output, &box);
		client_printf(client, "output name=%s x=%d y=%d width=%d height=%d\n",
			output->wlr_output->name, box.x, box.y, output->wlr_output->width,
			output->wlr_output->height);
	}
	client_printf(client, "ok\n");
}

static void cmd_surfaces(struct control_client *client, int argc, char **argv)
{
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &client->control->server->surfaces, link) {
		client_printf(client,
			"surface label=%s domid=%u dev=%u conn=%u state=%s output=%s "
			"x=%d y=%d width=%d height=%d resolution=%ux%u\n",
			surface->label, surface->domid, surface->devid, surface->index,
			surface->connector != NULL ? "connected" : "absent",
			surface->output != NULL ? surface->output->wlr_output->name : "-",
			surface->box.x, surface->box.y, surface->box.width, surface->box.height,
			surface->width, surface->height);
	}
	client_printf(client, "ok\n");
}

static void cmd_screenshot(struct control_client *client, int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	struct mosaic_output *output = output_find(client->control->server, name);
	if (output == NULL) {
		client_printf(client, "error no output %s\n", name != NULL ? name : "at all");
		return;
	}
	uint8_t *png;
	size_t len;
	if (!screenshot_png(output, &png, &len)) {
		client_printf(client, "error cannot capture output %s\n",
			output->wlr_output->name);
		return;
	}
	if (client_printf(client, "png %zu\n", len) && client_send(client, png, len)) {
		client_printf(client, "\nok\n");
	}
	free(png);
}

static const struct {
	const char *name;
	void (*run)(struct control_client *client, int argc, char **argv);
	const char *usage;
} commands[] = {
	{"outputs", cmd_outputs, "outputs"},
	{"surfaces", cmd_surfaces, "surfaces"},
	{"screenshot", cmd_screenshot, "screenshot [OUTPUT]"},
};

static void client_run(struct control_client *client, char *line)
{
	char *argv[CONTROL_MAX_ARGS];
	int argc = control_split(line, argv, CONTROL_MAX_ARGS);
	if (argc < 0) {
		client_printf(client, "error malformed request\n");
		return;
	}
	if (argc == 0) {
		return;
	}
	if (strcmp(argv[0], "ping") == 0) {
		client_printf(client, "ok\n");
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			commands[i].run(client, argc, argv);
			return;
		}
	}
	client_printf(client, "error unknown command '%.64s'; commands: ping", argv[0]);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		client_printf(client, ", %s", commands[i].usage);
	}
	client_printf(client, "\n");
}

static void client_destroy(struct control_client *client)
{
	wl_event_source_remove(client->source);
	close(client->fd);
	wl_list_remove(&client->link);
	free(client);
}

static int client_handle_readable(int fd, uint32_t mask, void *data)
{
	struct control_client *client = data;
	ssize_t n = recv(fd, client->buf + client->len, sizeof(client->buf) - client->len, 0);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return 0;
		}
		client_destroy(client);
		return 0;
	}
	client->len += (size_t)n;
	char *nl;
	while ((nl = memchr(client->buf, '\n', client->len)) != NULL) {
		*nl = '\0';
		client_run(client, client->buf);
		size_t used = (size_t)(nl - client->buf) + 1;
		memmove(client->buf, client->buf + used, client->len - used);
		client->len -= used;
	}
	if (client->len == sizeof(client->buf)) {
		client_printf(client, "error request longer than %d bytes\n", CONTROL_MAX_LINE);
		client_destroy(client);
	}
	return 0;
}

static int control_handle_accept(int fd, uint32_t mask, void *data)
{
	struct mosaic_control *control = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		return 0;
	}
	struct control_client *client = calloc(1, sizeof(*client));
	if (client == NULL) {
		close(client_fd);
		return 0;
	}
	client->control = control;
	client->fd = client_fd;
	client->source = wl_event_loop_add_fd(wl_display_get_event_loop(control->server->display),
		client_fd, WL_EVENT_READABLE, client_handle_readable, client);
	if (client->source == NULL) {
		close(client_fd);
		free(client);
		return 0;
	}
	wl_list_insert(&control->clients, &client->link);
	return 0;
}

struct mosaic_control *control_create(struct mosaic_server *server, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		wlr_log(WLR_ERROR, "Control socket path too long: %s", path);
		return NULL;
	}
	strcpy(addr.sun_path, path);
	struct mosaic_control *control = calloc(1, sizeof(*control));
	if (control == NULL) {
		return NULL;
	}
	control->server = server;
	wl_list_init(&control->clients);
	control->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (control->fd < 0) {
		goto error;
	}
	/* A stale socket from a previous run would make bind fail. */
	unlink(path);
	mode_t old = umask(0077);
	int r = bind(control->fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (r < 0 || listen(control->fd, 16) < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot listen on %s", path);
		goto error;
	}
	control->path = strdup(path);
	control->source = wl_event_loop_add_fd(wl_display_get_event_loop(server->display),
		control->fd, WL_EVENT_READABLE, control_handle_accept, control);
	if (control->path == NULL || control->source == NULL) {
		goto error;
	}
	wlr_log(WLR_INFO, "Control socket: %s", path);
	return control;

error:
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
	struct control_client *client, *tmp;
	wl_list_for_each_safe(client, tmp, &control->clients, link) {
		client_destroy(client);
	}
	wl_event_source_remove(control->source);
	close(control->fd);
	unlink(control->path);
	free(control->path);
	free(control);
}
