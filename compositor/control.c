#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "compositor/control.h"
#include "compositor/encode.h"
#include "compositor/focus.h"
#include "compositor/inject.h"
#include "compositor/layouts.h"
#include "compositor/output.h"
#include "compositor/screenshot.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wait.h"
#include "input-routing/router.h"
#include "input-routing/vkbd.h"
#include "layouts/layout.h"
#include "protocol/compare.h"
#include "protocol/control.h"
#include "vm-surfaces/connector.h"

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
	bool following; // takes events; no more requests
	struct mosaic_wait *wait; // a request answered later; the next ones wait
	struct pending_shot *shot; // a screenshot being encoded; the next requests wait
	struct wl_event_source *resume; // requests that came meanwhile, after a wait
	/* Replies not taken by the socket yet: sent as it takes them, never waited for. */
	char *out;
	size_t out_len, out_cap;
	bool dead; // dropped while a request ran: destroyed once it returns
	struct wl_list link;
};

/* Unread replies a client may leave before it is dropped (a few screenshots). */
#define CLIENT_MAX_UNREAD (64u << 20)
/* The same for a follower of events: it must keep up. */
#define FOLLOWER_MAX_UNREAD (256u << 10)

/* A screenshot being encoded, and where its picture goes when it is. */
struct pending_shot {
	struct mosaic_server *server;
	struct control_client *client; // NULL: a key binding's, saved to a file
	struct encode_job *job;
	char output[128]; // the output's name: it may be gone when the picture is ready
	uint32_t seq;
	struct wlr_box box;
};

/* Where a reply goes: a client's socket, or the log (requests from key bindings). */
struct reply {
	struct mosaic_server *server;
	struct control_client *client; // NULL: the log
};

/* Sends what is queued as far as the socket takes it; false if the client is gone. */
static bool client_flush(struct control_client *client)
{
	size_t sent = 0;
	while (sent < client->out_len) {
		ssize_t n = send(client->fd, client->out + sent, client->out_len - sent,
			MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		}
		if (n <= 0) {
			return false;
		}
		sent += (size_t)n;
	}
	memmove(client->out, client->out + sent, client->out_len - sent);
	client->out_len -= sent;
	wl_event_source_fd_update(client->source,
		WL_EVENT_READABLE | (client->out_len > 0 ? WL_EVENT_WRITABLE : 0));
	return true;
}

/*
 * Queues a reply and sends what the socket takes now: mosaic never waits
 * for a client to read (a screenshot is megabytes). False if the client is
 * gone, or left too much unread: the caller drops it.
 */
static bool client_send(struct control_client *client, const void *data, size_t len)
{
	size_t limit = client->following ? FOLLOWER_MAX_UNREAD : CLIENT_MAX_UNREAD;
	if (client->out_len + len > limit) {
		wlr_log(WLR_INFO, "Control: dropping a client that leaves %zu bytes unread",
			client->out_len + len);
		return false;
	}
	if (client->out_len + len > client->out_cap) {
		size_t cap = client->out_cap > 0 ? client->out_cap : 4096;
		while (cap < client->out_len + len) {
			cap *= 2;
		}
		char *out = realloc(client->out, cap);
		if (out == NULL) {
			return false;
		}
		client->out = out;
		client->out_cap = cap;
	}
	memcpy(client->out + client->out_len, data, len);
	client->out_len += len;
	return client_flush(client);
}

static bool reply_vprintf(struct reply *reply, const char *fmt, va_list args)
{
	char line[2048];
	int n = vsnprintf(line, sizeof(line), fmt, args);
	if (n < 0) {
		return false;
	}
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (reply->client == NULL) {
		if (len > 0 && line[len - 1] == '\n') {
			line[--len] = '\0';
		}
		if (strcmp(line, "ok") != 0) {
			wlr_log(strncmp(line, "error ", 6) == 0 ? WLR_ERROR : WLR_INFO, "%s", line);
		}
		return true;
	}
	if (!client_send(reply->client, line, len)) {
		/* Not here: the request that replies still runs. */
		reply->client->dead = true;
		return false;
	}
	return true;
}

static bool reply_printf(struct reply *reply, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool reply_printf(struct reply *reply, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	bool ok = reply_vprintf(reply, fmt, args);
	va_end(args);
	return ok;
}

/* A value for a data line; each call uses the next of a few buffers (for one line). */
static const char *q(const char *value)
{
	static char bufs[8][512];
	static int next;
	char *buf = bufs[next];
	next = (next + 1) % 8;
	return control_quote(value != NULL ? value : "-", buf, sizeof(bufs[0]));
}

static void cmd_outputs(struct reply *reply, int argc, char **argv)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &reply->server->outputs, link) {
		struct wlr_box box;
		output_get_box(output, &box);
		struct wlr_output *o = output->wlr_output;
		reply_printf(reply,
			"output name=%s x=%d y=%d width=%d height=%d config=%s scale=%g "
			"transform=%s refresh=%d.%03d\n",
			q(o->name), box.x, box.y, o->width, o->height,
			q(output->config != NULL ? output->config->name : NULL), o->scale,
			layout_transform_name((enum layout_transform)o->transform),
			o->refresh / 1000, o->refresh % 1000);
	}
	reply_printf(reply, "ok\n");
}

static int count_views(struct mosaic_server *server, struct mosaic_surface *surface)
{
	int n = 0;
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		n += view->params.surface == surface && view_shows_guest(view);
	}
	return n;
}

static void cmd_guests(struct reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		reply_printf(reply,
			"guest name=%s domid=%u dev=%u conn=%u unique-id=%s state=%s "
			"resolution=%ux%u views=%d flips=%llu copied=%llu\n",
			q(surface->name), surface->domid, surface->devid, surface->index,
			q(surface->unique_id[0] != '\0' ? surface->unique_id : NULL),
			surface->connector != NULL ? "connected" : "absent", surface->width,
			surface->height, count_views(server, surface),
			(unsigned long long)(surface->connector ? surface->connector->flips : 0),
			(unsigned long long)(surface->connector ? surface->connector->bytes_copied : 0));
	}
	/* Guests the layout file names that never showed up. */
	for (size_t i = 0; server->layout != NULL && i < server->layout->guests_len; i++) {
		const struct layout_guest *g = &server->layout->guests[i];
		bool seen = false;
		wl_list_for_each(surface, &server->surfaces, link) {
			seen = seen || ((g->name == NULL || strcmp(g->name, surface->name) == 0) &&
					       (g->domid < 0 || (uint32_t)g->domid == surface->domid));
		}
		if (seen) {
			continue;
		}
		char domid[16];
		snprintf(domid, sizeof(domid), "%d", g->domid);
		reply_printf(reply,
			"guest name=%s domid=%s dev=- conn=- unique-id=- state=absent "
			"resolution=0x0 views=0 flips=0 copied=0\n",
			q(g->name), g->domid >= 0 ? domid : "-");
	}
	reply_printf(reply, "ok\n");
}

static void print_view(struct reply *reply, struct mosaic_view *view)
{
	const struct view_params *p = &view->params;
	struct mosaic_surface *s = p->surface;
	const struct layout_surface *spec = p->spec;
	char domid[16] = "-", dev[16] = "-", conn[16] = "-", z[16] = "-";
	if (s != NULL) {
		snprintf(domid, sizeof(domid), "%u", s->domid);
		snprintf(dev, sizeof(dev), "%u", s->devid);
		snprintf(conn, sizeof(conn), "%u", s->index);
	} else if (spec != NULL) {
		if (spec->guest->domid >= 0) {
			snprintf(domid, sizeof(domid), "%d", spec->guest->domid);
		}
		snprintf(dev, sizeof(dev), "%d", spec->device);
		if (spec->connector >= 0) {
			snprintf(conn, sizeof(conn), "%d", spec->connector);
		}
	}
	if (spec != NULL) {
		snprintf(z, sizeof(z), "%d", spec->z);
	}
	/* Thousandths are plenty, and keep rounding noise (5e-14) out of the reply. */
	char src[96];
	snprintf(src, sizeof(src), "%g,%g,%g,%g", round(view->src.x * 1000) / 1000,
		round(view->src.y * 1000) / 1000, round(view->src.width * 1000) / 1000,
		round(view->src.height * 1000) / 1000);
	const char *label = spec != NULL ? spec->guest->label : (s != NULL ? s->label : NULL);
	/* Where the guest's picture is, else where its placeholder is. */
	struct wlr_box box = view->content != NULL ? view->box : view->area;
	reply_printf(reply,
		"surface label=%s domid=%s dev=%s conn=%s state=%s output=%s x=%d y=%d width=%d "
		"height=%d resolution=%ux%u layout=%s z=%s transform=%s fit=%s src=%s visible=%s\n",
		q(label), domid, dev, conn,
		s != NULL && s->connector != NULL ? "connected" : "absent",
		q(view->tree != NULL ? p->output->wlr_output->name : NULL), box.x, box.y,
		box.width, box.height, s != NULL ? s->width : 0,
		s != NULL ? s->height : 0,
		q(reply->server->active_layout != NULL ? reply->server->active_layout->name : NULL),
		z, layout_transform_name(p->transform), layout_fit_name(p->fit), src,
		view->tree != NULL ? "yes" : "no");
}

static void cmd_surfaces(struct reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		print_view(reply, view);
	}
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->connector == NULL || count_views(server, surface) > 0) {
			continue;
		}
		bool listed = false;
		wl_list_for_each(view, &server->views, link) {
			listed = listed || view->params.surface == surface;
		}
		if (listed) {
			continue;
		}
		reply_printf(reply,
			"surface label=%s domid=%u dev=%u conn=%u state=connected output=- x=0 y=0 "
			"width=0 height=0 resolution=%ux%u layout=- z=- transform=normal fit=- "
			"src=0,0,0,0 visible=no\n",
			q(surface->label), surface->domid, surface->devid, surface->index,
			surface->width, surface->height);
	}
	reply_printf(reply, "ok\n");
}

static void cmd_layouts(struct reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	for (size_t i = 0; server->layout != NULL && i < server->layout->layouts_len; i++) {
		const struct layout_layout *l = &server->layout->layouts[i];
		reply_printf(reply, "layout name=%s surfaces=%zu active=%s\n", q(l->name),
			l->surfaces_len, l == server->active_layout ? "yes" : "no");
	}
	reply_printf(reply, "ok\n");
}

static void cmd_layout(struct reply *reply, int argc, char **argv)
{
	if (argc != 2) {
		reply_printf(reply, "error usage: layout NAME\n");
		return;
	}
	char why[1200];
	if (!layouts_switch(reply->server, argv[1], why, sizeof(why))) {
		reply_printf(reply, "error %s\n", why);
		return;
	}
	reply_printf(reply, "ok\n");
}

static void cmd_reload(struct reply *reply, int argc, char **argv)
{
	struct layout_error err;
	if (!layouts_reload(reply->server, &err)) {
		char line[2048];
		layout_error_format(&err, line, sizeof(line));
		reply_printf(reply, "error %s\n", line);
		return;
	}
	reply_printf(reply, "ok\n");
}

static void cmd_focus(struct reply *reply, int argc, char **argv)
{
	struct mosaic_server *server = reply->server;
	char err[256];
	if (argc > 2) {
		reply_printf(reply, "error usage: focus [next|prev|none|POSITION|GUEST]\n");
		return;
	}
	if (argc == 2 && !focus_command(server, argv[1], err, sizeof(err))) {
		reply_printf(reply, "error focus: %s\n", err);
		return;
	}
	const struct mosaic_surface *s = server->focus->surface;
	if (s == NULL) {
		reply_printf(reply, "focus none\nok\n");
		return;
	}
	char label[200];
	const struct vkbd_device *input = server->router->focus_input;
	reply_printf(reply, "focus label=%s domid=%u dev=%u conn=%u input=%s\nok\n",
		control_quote(s->label, label, sizeof(label)), s->domid, s->devid, s->index,
		input != NULL ? input->kind : "none");
}

static void cmd_inputs(struct reply *reply, int argc, char **argv)
{
	struct vkbd_device *in;
	wl_list_for_each(in, &reply->server->inputs->inputs, link) {
		char uid[200];
		int32_t w, h;
		vkbd_abs_range(in, &w, &h);
		reply_printf(reply,
			"input domid=%u kind=%s dev=%u state=%s keyboard=%d pointer=%s range=%dx%d "
			"touch=%d contacts=%d touch-size=%dx%d unique-id=%s\n",
			in->domid, in->kind, in->devid, in->connected ? "connected" : "waiting",
			in->keyboard, !in->pointer ? "none" : in->raw_pointer ? "raw" :
			in->abs_pointer ? "absolute" : "relative", w, h, in->multi_touch,
			in->mt_contacts, in->mt_width, in->mt_height,
			control_quote(in->unique_id != NULL ? in->unique_id : "-", uid, sizeof(uid)));
	}
	reply_printf(reply, "ok\n");
}

static void cmd_input(struct reply *reply, int argc, char **argv)
{
	char err[256];
	if (!inject_command(reply->server->inject, argc - 1, argv + 1, err, sizeof(err))) {
		reply_printf(reply, "error %s\n", err);
		return;
	}
	reply_printf(reply, "ok\n");
}

/* A binding's screenshot goes to a file: there is nobody to send it to. */
static void save_screenshot(struct reply *reply, const char *output, const uint8_t *png, size_t len)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char path[512];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(path, sizeof(path), "%s/mosaic-%s-%s.png", dir != NULL && dir[0] ? dir : "/tmp",
		output, stamp);
	FILE *f = fopen(path, "wbx");
	bool ok = f != NULL && fwrite(png, 1, len, f) == len;
	if (f != NULL) {
		ok = fclose(f) == 0 && ok;
	}
	if (!ok) {
		reply_printf(reply, "error cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	reply_printf(reply, "screenshot file=%s\n", q(path));
	reply_printf(reply, "ok\n");
}

/*
 * Requests' options are "key=value" words with a key the request knows; the
 * other words are positional (a guest's name may hold a '=').
 */
static bool is_option(const char *word, const char *const keys[])
{
	for (size_t k = 0; keys[k] != NULL; k++) {
		size_t len = strlen(keys[k]);
		if (strncmp(word, keys[k], len) == 0 && word[len] == '=') {
			return true;
		}
	}
	return false;
}

static const char *option(int argc, char **argv, const char *key)
{
	const char *const keys[] = {key, NULL};
	for (int i = 1; i < argc; i++) {
		if (is_option(argv[i], keys)) {
			return argv[i] + strlen(key) + 1;
		}
	}
	return NULL;
}

/* The nth positional word, NULL if there is none; *count: how many there are. */
static const char *positional(int argc, char **argv, const char *const keys[], int n,
	int *count)
{
	const char *word = NULL;
	*count = 0;
	for (int i = 1; i < argc; i++) {
		if (!is_option(argv[i], keys) && (*count)++ == n) {
			word = argv[i];
		}
	}
	return word;
}

static bool parse_timeout(struct reply *reply, int argc, char **argv, int *ms)
{
	const char *value = option(argc, argv, "timeout");
	*ms = 10000;
	if (value == NULL) {
		return true;
	}
	char *end;
	long v = strtol(value, &end, 10);
	if (end == value || *end != '\0' || v < 1 || v > 3600000) {
		reply_printf(reply, "error timeout wants milliseconds, 1 to 3600000\n");
		return false;
	}
	*ms = (int)v;
	return true;
}

static void client_destroy(struct control_client *client);
static void client_resume_later(struct control_client *client);

static void shot_handle_encoded(void *data, const uint8_t *png, size_t len)
{
	struct pending_shot *shot = data;
	struct control_client *client = shot->client;
	struct reply reply = {shot->server, client};
	bool sent = true;
	if (png == NULL) {
		reply_printf(&reply, "error cannot encode the picture of output %s\n",
			q(shot->output));
	} else if (client == NULL) {
		save_screenshot(&reply, shot->output, png, len);
	} else {
		const struct wlr_box *b = &shot->box;
		sent = reply_printf(&reply,
			       "screenshot output=%s seq=%u x=%d y=%d width=%d height=%d\n",
			       q(shot->output), shot->seq, b->x, b->y, b->width, b->height) &&
			reply_printf(&reply, "png %zu\n", len) && client_send(client, png, len) &&
			reply_printf(&reply, "\nok\n");
	}
	free(shot);
	if (client == NULL) {
		return;
	}
	client->shot = NULL;
	if (!sent) {
		client_destroy(client);
		return;
	}
	client_resume_later(client);
}

static void cmd_screenshot(struct reply *reply, int argc, char **argv)
{
	static const char *const keys[] = {"rect", "surface", NULL};
	int count;
	const char *name = positional(argc, argv, keys, 0, &count);
	const char *rect = option(argc, argv, "rect"), *guest = option(argc, argv, "surface");
	if (count > 1 || (rect != NULL && guest != NULL)) {
		reply_printf(reply,
			"error usage: screenshot [OUTPUT] [rect=X,Y,W,H | surface=GUEST]\n");
		return;
	}
	struct mosaic_output *output = NULL;
	if (name != NULL || guest == NULL) {
		output = output_find(reply->server, name);
		if (output == NULL) {
			reply_printf(
				reply, "error no output %s\n", name != NULL ? q(name) : "at all");
			return;
		}
	}
	struct wlr_box box = {0, 0, 0, 0};
	bool whole = true;
	if (rect != NULL) {
		struct compare_rect r;
		if (!compare_parse_rect(rect, &r)) {
			reply_printf(reply, "error rect wants X,Y,W,H, got %s\n", q(rect));
			return;
		}
		box = (struct wlr_box){r.x, r.y, r.width, r.height};
		whole = false;
	} else if (guest != NULL) {
		struct control_guest g;
		char why[128];
		if (!control_parse_guest(guest, &g)) {
			reply_printf(reply,
				"error surface wants NAME or DOMID, then :CONN or :DEV.CONN, "
				"got %s\n",
				q(guest));
			return;
		}
		if (!screenshot_guest_box(reply->server, &g, &output, &box, why, sizeof(why))) {
			reply_printf(reply, "error guest %s: %s\n", q(guest), why);
			return;
		}
		whole = false;
	}
	struct wlr_output *o = output->wlr_output;
	struct wlr_box all = {0, 0, o->width, o->height};
	if (whole) {
		box = all;
	} else if (!wlr_box_intersection(&box, &box, &all)) {
		reply_printf(reply, "error the rectangle is outside output %s (%dx%d)\n",
			q(o->name), o->width, o->height);
		return;
	}
	struct pending_shot *shot = calloc(1, sizeof(*shot));
	if (shot == NULL) {
		reply_printf(reply, "error out of memory\n");
		return;
	}
	shot->server = reply->server;
	shot->client = reply->client;
	snprintf(shot->output, sizeof(shot->output), "%s", o->name);
	/* The frame the picture shows (or a later one): where a wait-frame for the next starts. */
	shot->seq = o->commit_seq;
	shot->box = box;
	/* Captured now, as the output shows it; encoded on a thread, answered when done. */
	uint32_t *pixels;
	int width, height;
	if (!screenshot_capture(output, &box, &pixels, &width, &height)) {
		reply_printf(reply, "error cannot capture output %s\n", q(o->name));
		free(shot);
		return;
	}
	const char *why;
	shot->job = encode_png_start(
		reply->server, pixels, width, height, shot_handle_encoded, shot, &why);
	if (shot->job == NULL) {
		reply_printf(reply, "error %s\n", why);
		free(pixels);
		free(shot);
		return;
	}
	if (reply->client != NULL) {
		reply->client->shot = shot;
	}
}

static void client_handle_wait_done(void *data, const char *text);

static bool can_wait(struct reply *reply)
{
	if (reply->client == NULL) {
		reply_printf(reply, "error waiting needs a client to answer\n");
		return false;
	}
	return true;
}

static void cmd_wait_flip(struct reply *reply, int argc, char **argv)
{
	static const char *const keys[] = {"timeout", NULL};
	int words;
	const char *guest = positional(argc, argv, keys, 0, &words);
	const char *count = positional(argc, argv, keys, 1, &words);
	if (words != 2) {
		reply_printf(reply, "error usage: wait-flip GUEST N [timeout=MS]\n");
		return;
	}
	struct control_guest g;
	if (!control_parse_guest(guest, &g)) {
		reply_printf(reply,
			"error GUEST wants NAME or DOMID, then :CONN or :DEV.CONN, got %s\n",
			q(guest));
		return;
	}
	char *end;
	unsigned long long flip = strtoull(count, &end, 10);
	if (end == count || *end != '\0' || count[0] == '-' || flip < 1) {
		reply_printf(reply, "error N wants a flip number from 1, got %s\n", q(count));
		return;
	}
	int ms;
	if (!parse_timeout(reply, argc, argv, &ms) || !can_wait(reply)) {
		return;
	}
	reply->client->wait = wait_flip_create(reply->server, &g, flip, ms,
		client_handle_wait_done, reply->client);
	if (reply->client->wait == NULL) {
		reply_printf(reply, "error out of memory\n");
	}
}

static void cmd_wait_frame(struct reply *reply, int argc, char **argv)
{
	static const char *const keys[] = {"after", "timeout", NULL};
	int count;
	const char *name = positional(argc, argv, keys, 0, &count);
	const char *after = option(argc, argv, "after");
	if (count > 1) {
		reply_printf(reply, "error usage: wait-frame [OUTPUT] [after=SEQ] [timeout=MS]\n");
		return;
	}
	struct mosaic_output *output = output_find(reply->server, name);
	if (output == NULL) {
		reply_printf(reply, "error no output %s\n", name != NULL ? q(name) : "at all");
		return;
	}
	uint32_t seq = output->wlr_output->commit_seq;
	if (after != NULL) {
		char *end;
		unsigned long v = strtoul(after, &end, 10);
		if (end == after || *end != '\0' || after[0] == '-' || v > UINT32_MAX) {
			reply_printf(reply, "error after wants a frame number, got %s\n", q(after));
			return;
		}
		seq = (uint32_t)v;
	}
	int ms;
	if (!parse_timeout(reply, argc, argv, &ms) || !can_wait(reply)) {
		return;
	}
	reply->client->wait = wait_frame_create(reply->server, output, seq, ms,
		client_handle_wait_done, reply->client);
	if (reply->client->wait == NULL) {
		reply_printf(reply, "error out of memory\n");
	}
}

static void cmd_follow(struct reply *reply, int argc, char **argv)
{
	if (reply->client == NULL) {
		reply_printf(reply, "error follow needs a client to follow\n");
		return;
	}
	/* From now on the client only gets events, without blocking us. */
	reply->client->following = true;
}

static const struct {
	const char *name;
	void (*run)(struct reply *reply, int argc, char **argv);
	const char *usage;
} commands[] = {
	{"outputs", cmd_outputs, "outputs"},
	{"guests", cmd_guests, "guests"},
	{"surfaces", cmd_surfaces, "surfaces"},
	{"layouts", cmd_layouts, "layouts"},
	{"layout", cmd_layout, "layout NAME"},
	{"reload", cmd_reload, "reload"},
	{"screenshot", cmd_screenshot, "screenshot [OUTPUT] [rect=X,Y,W,H | surface=GUEST]"},
	{"wait-flip", cmd_wait_flip, "wait-flip GUEST N [timeout=MS]"},
	{"wait-frame", cmd_wait_frame, "wait-frame [OUTPUT] [after=SEQ] [timeout=MS]"},
	{"focus", cmd_focus, "focus [next|prev|none|POSITION|GUEST]"},
	{"inputs", cmd_inputs, "inputs"},
	{"input", cmd_input,
		"input key CODE down|up | pointer X Y | button left|right|middle|CODE down|up | "
		"wheel STEPS | touch down|motion ID X Y | touch up|cancel ID | touch frame"},
	{"follow", cmd_follow, "follow"},
};

static void run_line(struct reply *reply, char *line)
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
	reply_printf(reply, "error unknown command %s; commands: %s\n", q(argv[0]), usage);
}

void control_run(struct mosaic_server *server, const char *line)
{
	char copy[CONTROL_MAX_LINE];
	snprintf(copy, sizeof(copy), "%s", line);
	struct reply reply = {server, NULL};
	run_line(&reply, copy);
}

static void client_destroy(struct control_client *client)
{
	wait_destroy(client->wait);
	if (client->shot != NULL) {
		/* The picture is dropped when it is encoded. */
		encode_job_cancel(client->shot->job);
		free(client->shot);
	}
	if (client->resume != NULL) {
		wl_event_source_remove(client->resume);
	}
	wl_event_source_remove(client->source);
	close(client->fd);
	wl_list_remove(&client->link);
	free(client->out);
	free(client);
}

void control_eventf(struct mosaic_control *control, const char *fmt, ...)
{
	if (control == NULL) {
		return;
	}
	bool any = false;
	struct control_client *client;
	wl_list_for_each(client, &control->clients, link) {
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
	wl_list_for_each_safe(client, tmp, &control->clients, link) {
		/* Never wait for a follower: one that does not keep up is dropped. */
		if (client->following && !client_send(client, line, len)) {
			wlr_log(WLR_INFO, "Control: dropping a follower that does not keep up");
			client_destroy(client);
		}
	}
}

/* Runs the complete requests received, until one has to wait; false if the client is gone. */
static bool client_run_requests(struct control_client *client)
{
	char *nl;
	while (!client->following && client->wait == NULL && client->shot == NULL &&
		(nl = memchr(client->buf, '\n', client->len)) != NULL) {
		*nl = '\0';
		struct reply reply = {client->control->server, client};
		run_line(&reply, client->buf);
		if (client->dead) {
			client_destroy(client);
			return false;
		}
		size_t used = (size_t)(nl - client->buf) + 1;
		memmove(client->buf, client->buf + used, client->len - used);
		client->len -= used;
	}
	if (client->len == sizeof(client->buf)) {
		/* One request too long, or a pile of them behind a wait: not a client of ours. */
		struct reply reply = {client->control->server, client};
		reply_printf(&reply, "error request longer than %d bytes\n", CONTROL_MAX_LINE);
		client_destroy(client);
		return false;
	}
	return true;
}

static void client_handle_resume(void *data)
{
	struct control_client *client = data;
	client->resume = NULL;
	client_run_requests(client);
}

/* Runs the requests that came while one was answered later, from the loop. */
static void client_resume_later(struct control_client *client)
{
	/* Not from here: a wait ends inside an output's or a guest's signal. */
	if (client->len > 0 && client->resume == NULL) {
		client->resume = wl_event_loop_add_idle(
			wl_display_get_event_loop(client->control->server->display),
			client_handle_resume, client);
	}
}

static void client_handle_wait_done(void *data, const char *text)
{
	struct control_client *client = data;
	client->wait = NULL;
	if (!client_send(client, text, strlen(text))) {
		client_destroy(client);
		return;
	}
	client_resume_later(client);
}

static int client_handle_readable(int fd, uint32_t mask, void *data)
{
	struct control_client *client = data;
	if ((mask & WL_EVENT_WRITABLE) && !client_flush(client)) {
		client_destroy(client);
		return 0;
	}
	if (!(mask & (WL_EVENT_READABLE | WL_EVENT_HANGUP | WL_EVENT_ERROR))) {
		return 0;
	}
	if (client->following) {
		/* Followers only listen; whatever they send is dropped, until they hang up. */
		char discard[256];
		ssize_t n = recv(fd, discard, sizeof(discard), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_destroy(client);
		}
		return 0;
	}
	ssize_t n =
		recv(fd, client->buf + client->len, sizeof(client->buf) - client->len, MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return 0;
		}
		client_destroy(client);
		return 0;
	}
	client->len += (size_t)n;
	client_run_requests(client);
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
