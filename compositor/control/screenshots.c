#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/box.h>

#include "compositor/control/args.h"
#include "compositor/control/client.h"
#include "compositor/control/commands.h"
#include "compositor/control/reply.h"
#include "compositor/encode.h"
#include "compositor/output.h"
#include "compositor/screenshot.h"
#include "protocol/control.h"

/*
 * Screenshots: captured on the loop as the output shows them, encoded on a
 * thread (encode.c), answered when ready; the client's next requests wait.
 */

/* A screenshot being encoded, and where its picture goes when it is. */
struct pending_shot {
	struct control_pending pending;
	struct mosaic_server *server;
	struct control_client *client; // NULL: a key binding's, saved to a file
	struct encode_job *job;
	char output[128]; // the output's name: it may be gone when the picture is ready
	uint32_t seq;
	struct wlr_box box;
};

/* A binding's screenshot goes to a file: there is nobody to send it to. */
static void save_screenshot(struct control_reply *reply, const char *output, const uint8_t *png, size_t len)
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
	reply_printf(reply, "screenshot file=%s\n", reply_q(path));
	reply_printf(reply, "ok\n");
}

static void shot_handle_encoded(void *data, const uint8_t *png, size_t len)
{
	struct pending_shot *shot = data;
	struct control_client *client = shot->client;
	struct control_reply reply = {shot->server, client};
	bool sent = true;
	if (png == NULL) {
		reply_printf(&reply, "error cannot encode the picture of output %s\n",
			reply_q(shot->output));
	} else if (client == NULL) {
		save_screenshot(&reply, shot->output, png, len);
	} else {
		const struct wlr_box *b = &shot->box;
		sent = reply_printf(&reply,
			       "screenshot output=%s seq=%u x=%d y=%d width=%d height=%d\n",
			       reply_q(shot->output), shot->seq, b->x, b->y, b->width, b->height) &&
			reply_printf(&reply, "png %zu\n", len) &&
			control_client_send(client, png, len) &&
			reply_printf(&reply, "\nok\n");
	}
	free(shot);
	if (client != NULL) {
		control_client_answered(client, sent);
	}
}

static void shot_cancel(struct control_pending *pending)
{
	/* The picture is dropped when it is encoded. */
	struct pending_shot *shot = wl_container_of(pending, shot, pending);
	encode_job_cancel(shot->job);
	free(shot);
}

/* Which output, and which part of it in its pixels; false after replying with an error. */
static bool shot_area(struct control_reply *reply, int argc, char **argv,
	struct mosaic_output **where, struct wlr_box *area)
{
	static const char *const keys[] = {"rect", "surface", NULL};
	int count;
	const char *name = args_positional(argc, argv, keys, 0, &count);
	const char *rect = args_option(argc, argv, "rect"), *guest = args_option(argc, argv, "surface");
	if (count > 1 || (rect != NULL && guest != NULL)) {
		reply_printf(reply,
			"error usage: screenshot [OUTPUT] [rect=X,Y,W,H | surface=GUEST]\n");
		return false;
	}
	struct mosaic_output *output = NULL;
	if (name != NULL || guest == NULL) {
		output = output_find(reply->server, name);
		if (output == NULL) {
			reply_printf(
				reply, "error no output %s\n", name != NULL ? reply_q(name) : "at all");
			return false;
		}
	}
	struct wlr_box box = {0, 0, 0, 0};
	bool whole = true;
	if (rect != NULL) {
		struct control_rect r;
		if (!control_parse_rect(rect, &r)) {
			reply_printf(reply, "error rect wants X,Y,W,H, got %s\n", reply_q(rect));
			return false;
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
				reply_q(guest));
			return false;
		}
		if (!screenshot_guest_box(reply->server, &g, &output, &box, why, sizeof(why))) {
			reply_printf(reply, "error guest %s: %s\n", reply_q(guest), why);
			return false;
		}
		whole = false;
	}
	struct wlr_output *o = output->wlr_output;
	struct wlr_box all = {0, 0, o->width, o->height};
	/* A rectangle asked for is taken whole or not at all: never a smaller picture. */
	if (rect != NULL && (box.x + box.width > all.width || box.y + box.height > all.height)) {
		reply_printf(reply, "error rectangle %d,%d,%dx%d is not inside output %s (%dx%d)\n",
			box.x, box.y, box.width, box.height, reply_q(o->name), o->width, o->height);
		return false;
	}
	if (whole) {
		box = all;
	} else if (!wlr_box_intersection(&box, &box, &all)) {
		reply_printf(reply, "error the rectangle is outside output %s (%dx%d)\n",
			reply_q(o->name), o->width, o->height);
		return false;
	}
	*where = output;
	*area = box;
	return true;
}

void command_screenshot(struct control_reply *reply, int argc, char **argv)
{
	struct mosaic_output *output;
	struct wlr_box box;
	if (!shot_area(reply, argc, argv, &output, &box)) {
		return;
	}
	struct wlr_output *o = output->wlr_output;
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
		reply_printf(reply, "error cannot capture output %s\n", reply_q(o->name));
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
		shot->pending.cancel = shot_cancel;
		reply->client->pending = &shot->pending;
	}
}
