#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wlr/util/log.h>

#include "compositor/control/client.h"

/* Unread replies a client may leave before it is dropped (a few screenshots). */
#define CLIENT_MAX_UNREAD (64u << 20)
/* The same for a follower of events: it must keep up. */
#define FOLLOWER_MAX_UNREAD (256u << 10)

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

bool control_client_send(struct control_client *client, const void *data, size_t len)
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

/* Runs the complete requests received, until one is answered later; false if the client is gone. */
static bool client_run_requests(struct control_client *client)
{
	char *nl;
	while (!client->following && client->pending == NULL &&
		(nl = memchr(client->buf, '\n', client->len)) != NULL) {
		*nl = '\0';
		client->run(client, client->buf, client->run_data);
		if (client->dead) {
			control_client_destroy(client);
			return false;
		}
		size_t used = (size_t)(nl - client->buf) + 1;
		memmove(client->buf, client->buf + used, client->len - used);
		client->len -= used;
	}
	if (client->len == sizeof(client->buf)) {
		/* One request too long, or a pile of them behind a wait: not a client of ours. */
		char line[64];
		int n = snprintf(line, sizeof(line), "error request longer than %d bytes\n",
			CONTROL_MAX_LINE);
		control_client_send(client, line, (size_t)n);
		control_client_destroy(client);
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

void control_client_answered(struct control_client *client, bool sent)
{
	client->pending = NULL;
	if (!sent) {
		control_client_destroy(client);
		return;
	}
	/* From the loop, not here: an answer comes inside an output's or a guest's signal. */
	if (client->len > 0 && client->resume == NULL) {
		client->resume = wl_event_loop_add_idle(client->loop, client_handle_resume, client);
	}
}

static int client_handle_readable(int fd, uint32_t mask, void *data)
{
	struct control_client *client = data;
	if ((mask & WL_EVENT_WRITABLE) && !client_flush(client)) {
		control_client_destroy(client);
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
			control_client_destroy(client);
		}
		return 0;
	}
	ssize_t n =
		recv(fd, client->buf + client->len, sizeof(client->buf) - client->len, MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			return 0;
		}
		control_client_destroy(client);
		return 0;
	}
	client->len += (size_t)n;
	client_run_requests(client);
	return 0;
}

struct control_client *control_client_create(struct wl_event_loop *loop, int fd,
	control_run_func run, void *run_data)
{
	struct control_client *client = calloc(1, sizeof(*client));
	if (client == NULL) {
		close(fd);
		return NULL;
	}
	client->fd = fd;
	client->loop = loop;
	client->run = run;
	client->run_data = run_data;
	wl_list_init(&client->link);
	client->source =
		wl_event_loop_add_fd(loop, fd, WL_EVENT_READABLE, client_handle_readable, client);
	if (client->source == NULL) {
		close(fd);
		free(client);
		return NULL;
	}
	return client;
}

void control_client_destroy(struct control_client *client)
{
	if (client->pending != NULL) {
		client->pending->cancel(client->pending);
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
