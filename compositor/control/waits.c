#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_output.h>

#include "compositor/control/args.h"
#include "compositor/control/client.h"
#include "compositor/control/commands.h"
#include "compositor/control/reply.h"
#include "compositor/control/wait.h"
#include "compositor/output.h"
#include "protocol/control.h"

/* wait-flip and wait-frame: answered when the flip or frame is presented (wait.c). */

struct wait_request {
	struct control_pending pending;
	struct control_client *client;
	struct mosaic_wait *wait;
};

static void request_cancel(struct control_pending *pending)
{
	struct wait_request *request = wl_container_of(pending, request, pending);
	wait_destroy(request->wait);
	free(request);
}

static void request_handle_done(void *data, const char *text)
{
	/* The wait is gone already. */
	struct wait_request *request = data;
	struct control_client *client = request->client;
	free(request);
	control_client_answered(client, control_client_send(client, text, strlen(text)));
}

/* timeout=MS and a client to answer; NULL after replying with an error. */
static struct wait_request *request_create(struct control_reply *reply, int argc, char **argv,
	int *ms)
{
	if (!args_timeout(reply, argc, argv, ms)) {
		return NULL;
	}
	if (reply->client == NULL) {
		reply_printf(reply, "error waiting needs a client to answer\n");
		return NULL;
	}
	struct wait_request *request = calloc(1, sizeof(*request));
	if (request == NULL) {
		reply_printf(reply, "error out of memory\n");
		return NULL;
	}
	request->client = reply->client;
	return request;
}

/* The client's next requests wait for the answer. */
static void request_start(struct control_reply *reply, struct wait_request *request)
{
	if (request->wait == NULL) {
		free(request);
		reply_printf(reply, "error out of memory\n");
		return;
	}
	request->pending.cancel = request_cancel;
	reply->client->pending = &request->pending;
}

void command_wait_flip(struct control_reply *reply, int argc, char **argv)
{
	static const char *const keys[] = {"timeout", NULL};
	int words;
	const char *guest = args_positional(argc, argv, keys, 0, &words);
	const char *count = args_positional(argc, argv, keys, 1, &words);
	if (words != 2) {
		reply_printf(reply, "error usage: wait-flip GUEST N [timeout=MS]\n");
		return;
	}
	struct control_guest g;
	if (!control_parse_guest(guest, &g)) {
		reply_printf(reply,
			"error GUEST wants NAME or DOMID, then :CONN or :DEV.CONN, got %s\n",
			reply_q(guest));
		return;
	}
	char *end;
	unsigned long long flip = strtoull(count, &end, 10);
	if (end == count || *end != '\0' || count[0] == '-' || flip < 1) {
		reply_printf(reply, "error N wants a flip number from 1, got %s\n", reply_q(count));
		return;
	}
	int ms;
	struct wait_request *request = request_create(reply, argc, argv, &ms);
	if (request == NULL) {
		return;
	}
	request->wait = wait_flip_create(reply->server, &g, flip, ms, request_handle_done, request);
	request_start(reply, request);
}

void command_wait_frame(struct control_reply *reply, int argc, char **argv)
{
	static const char *const keys[] = {"after", "timeout", NULL};
	int count;
	const char *name = args_positional(argc, argv, keys, 0, &count);
	const char *after = args_option(argc, argv, "after");
	if (count > 1) {
		reply_printf(reply, "error usage: wait-frame [OUTPUT] [after=SEQ] [timeout=MS]\n");
		return;
	}
	struct mosaic_output *output = output_find(reply->server, name);
	if (output == NULL) {
		reply_printf(reply, "error no output %s\n", name != NULL ? reply_q(name) : "at all");
		return;
	}
	uint32_t seq = output->wlr_output->commit_seq;
	if (after != NULL) {
		char *end;
		unsigned long v = strtoul(after, &end, 10);
		if (end == after || *end != '\0' || after[0] == '-' || v > UINT32_MAX) {
			reply_printf(reply, "error after wants a frame number, got %s\n", reply_q(after));
			return;
		}
		seq = (uint32_t)v;
	}
	int ms;
	struct wait_request *request = request_create(reply, argc, argv, &ms);
	if (request == NULL) {
		return;
	}
	request->wait = wait_frame_create(reply->server, output, seq, ms, request_handle_done, request);
	request_start(reply, request);
}
