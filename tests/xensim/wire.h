#ifndef XENSIM_WIRE_H
#define XENSIM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The messages between the client library and the broker. A message is one
 * SOCK_SEQPACKET datagram: a header, then a payload of u32s, strings (NUL
 * terminated, no length) and blobs (u32 length, then bytes), in native byte
 * order since both ends run on one machine. File descriptors travel as
 * SCM_RIGHTS with the message. A reply echoes the request's type.
 */

#define SIMWIRE_MAGIC 0x78736d32u
/* Stays below the default socket send buffer (net.core.wmem_default). */
#define SIMWIRE_MAX_MSG (160 * 1024)
#define SIMWIRE_MAX_FDS 253 /* SCM_MAX_FD */
/* Pages in one map request: 8 bytes each, so the message fits. */
#define SIMWIRE_MAX_MAP 16384
#define SIMWIRE_PAGE 4096u

enum simwire_kind {
	SIMWIRE_KIND_XS = 1, /* + the watch event socket */
	SIMWIRE_KIND_GNTTAB,
	SIMWIRE_KIND_GNTSHR, /* + the memfd holding the pages it shares */
	SIMWIRE_KIND_EVTCHN, /* + the event socket */
	SIMWIRE_KIND_CTL, /* the toolstack, dom0 only */
};

enum simwire_type {
	SIMWIRE_HELLO = 1, /* u32 magic, u32 kind, u32 domid, u32 flags */
	SIMWIRE_XS_READ, /* str path -> blob value */
	SIMWIRE_XS_WRITE, /* str path, blob value */
	SIMWIRE_XS_MKDIR, /* str path */
	SIMWIRE_XS_RM, /* str path */
	SIMWIRE_XS_DIRECTORY, /* str path -> u32 n, n * str */
	SIMWIRE_XS_GET_PERMS, /* str path -> u32 n, n * (u32 id, u32 perms) */
	SIMWIRE_XS_SET_PERMS, /* str path, u32 n, n * (u32 id, u32 perms) */
	SIMWIRE_XS_WATCH, /* str path, str token */
	SIMWIRE_XS_UNWATCH, /* str path, str token */
	SIMWIRE_XS_TX_START, /* -> u32 tx */
	SIMWIRE_XS_TX_END, /* u32 commit */
	SIMWIRE_XS_INTRODUCED, /* u32 domid -> u32 bool */
	SIMWIRE_XS_EVENT, /* on the watch socket: str path, str token */
	SIMWIRE_GNT_SHARE, /* u32 domid, u32 count, u32 writable -> u32 first page, count * u32 ref */
	SIMWIRE_GNT_UNSHARE, /* u32 first page, u32 count */
	SIMWIRE_GNT_MAP, /* u32 writable, u32 count, count * (u32 domid, u32 ref)
	                  * -> u32 id, count * (u32 fd index, u32 page), fds */
	SIMWIRE_GNT_UNMAP, /* u32 id */
	SIMWIRE_GNT_SET_MAX, /* u32 pages */
	SIMWIRE_EVT_BIND_UNBOUND, /* u32 remote domid -> u32 port */
	SIMWIRE_EVT_BIND_INTERDOMAIN, /* u32 remote domid, u32 remote port -> u32 port */
	SIMWIRE_EVT_UNBIND, /* u32 port */
	SIMWIRE_EVT_NOTIFY, /* u32 port */
	SIMWIRE_EVT_UNMASK, /* u32 port */
	SIMWIRE_EVT_EVENT, /* on the event socket: u32 port */
	SIMWIRE_CTL_CREATE, /* u32 domid, str name */
	SIMWIRE_CTL_INTRODUCE, /* u32 domid */
	SIMWIRE_CTL_DESTROY, /* u32 domid */
	SIMWIRE_CTL_STATS, /* u32 what (0 domains, 1 mappings), u32 domid or ~0 -> str text */
};

/* A connection that neither keeps its domain alive nor crashes it by closing. */
#define SIMWIRE_HELLO_TRANSIENT 1u

struct simwire_hdr {
	uint32_t type;
	uint32_t tx; /* XenStore transaction, 0 if none */
	int32_t err; /* replies: 0 or a positive errno */
};

/* A message being built. */
struct simwire_buf {
	uint8_t *data;
	size_t len, cap;
	bool failed; /* out of memory or too long: sending fails with ENOMEM */
};

/* A received message and a cursor over its payload. */
struct simwire_msg {
	uint8_t *data;
	size_t len;
	struct simwire_hdr hdr;
	size_t pos;
	bool bad; /* a read went past the end or found no string */
	int fds[SIMWIRE_MAX_FDS];
	size_t nfds;
};

void simwire_start(struct simwire_buf *buf, uint32_t type, uint32_t tx, int32_t err);
void simwire_put_u32(struct simwire_buf *buf, uint32_t value);
void simwire_put_str(struct simwire_buf *buf, const char *str);
void simwire_put_blob(struct simwire_buf *buf, const void *data, uint32_t len);
void simwire_finish(struct simwire_buf *buf);

/* Returns 0 or a negative errno; never blocks when dontwait is set. */
int simwire_send(int fd, const struct simwire_buf *buf, const int *fds, size_t nfds, bool dontwait);
/* Returns 1 with a message, 0 at end of file, or a negative errno. */
int simwire_recv(int fd, struct simwire_msg *msg, bool dontwait);
/* Frees the data and closes the file descriptors nobody took. */
void simwire_release(struct simwire_msg *msg);

uint32_t simwire_get_u32(struct simwire_msg *msg);
const char *simwire_get_str(struct simwire_msg *msg);
const void *simwire_get_blob(struct simwire_msg *msg, uint32_t *len);
/* Takes the i-th file descriptor out of the message, or -1. */
int simwire_take_fd(struct simwire_msg *msg, size_t i);
/* True if every read succeeded and the whole payload was read. */
bool simwire_done(const struct simwire_msg *msg);

#endif
