#ifndef MOSAIC_COMPOSITOR_CONTROL_CLIENT_H
#define MOSAIC_COMPOSITOR_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

#include "protocol/control.h"

/*
 * A client of the control socket: the requests it sends, read one line at a
 * time and run in order, and the replies it has not read yet, sent as its
 * socket takes them (mosaic never waits for a client to read). A request
 * answered later (a wait, a screenshot being encoded) holds the client's
 * next requests until it is answered.
 */
struct control_client;

/* Runs one request line (NUL-terminated, without its newline). */
typedef void (*control_run_func)(struct control_client *client, char *line, void *data);

/* A request answered later. */
struct control_pending {
	/* The client is gone before the answer: drop it, and free the pending request. */
	void (*cancel)(struct control_pending *pending);
};

struct control_client {
	int fd;
	struct wl_event_loop *loop;
	struct wl_event_source *source;
	control_run_func run;
	void *run_data;
	char buf[CONTROL_MAX_LINE];
	size_t len;
	bool following; // takes events; no more requests
	struct control_pending *pending; // the request answered later, NULL if none
	struct wl_event_source *resume; // requests that came meanwhile, after a pending one
	/* Replies not taken by the socket yet: sent as it takes them, never waited for. */
	char *out;
	size_t out_len, out_cap;
	bool dead; // dropped while a request ran: destroyed once it returns
	struct wl_list link;
};

/* Takes fd (closed on failure too). */
struct control_client *control_client_create(struct wl_event_loop *loop, int fd,
	control_run_func run, void *run_data);
void control_client_destroy(struct control_client *client);

/*
 * Queues data and sends what the socket takes now. false if the client is
 * gone, or left too much unread: the caller drops it.
 */
bool control_client_send(struct control_client *client, const void *data, size_t len);

/*
 * The pending request was answered: sent is whether its answer went out.
 * The client is destroyed if not; else its next requests run.
 */
void control_client_answered(struct control_client *client, bool sent);

#endif
