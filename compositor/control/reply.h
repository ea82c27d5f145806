#ifndef MOSAIC_COMPOSITOR_CONTROL_REPLY_H
#define MOSAIC_COMPOSITOR_CONTROL_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where a request's reply goes: its client's socket, or the log for the
 * requests of key bindings. A client that cannot take the reply is marked
 * dead and dropped once its request returns.
 */
struct mosaic_server;
struct control_client;

struct control_reply {
	struct mosaic_server *server;
	struct control_client *client; // NULL: the log
};

/* false if the client is gone (the request that replies still runs). */
bool reply_printf(struct control_reply *reply, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A value for a data line, quoted as needed ("-" for NULL); a few buffers in turn, for one line. */
const char *reply_q(const char *value);
/*
 * The focus as the focus reply and event give it: "none", or the keys of
 * the guest connector or app that has it.
 */
void reply_focus_keys(struct mosaic_server *server, char *buf, size_t size);

#endif
