#ifndef XENSIM_BROKER_H
#define XENSIM_BROKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <xenstore.h>

#include "list.h"
#include "wire.h"

/* Domain ids from DOMID_FIRST_RESERVED on are not real domains. */
#define SIM_DOMID_LIMIT 0x7ff0u
#define SIM_DOMID_SELF 0x7ff0u
/* A grant table of max_grant_frames=64 v1 frames; refs 0..7 are reserved. */
#define SIM_GRANT_REFS 32768u
#define SIM_GRANT_FIRST 8u
/* The 2-level event channel ABI on 64-bit. */
#define SIM_EVTCHN_PORTS 4096u
/* gntdev's default limit of mapped pages per handle. */
#define SIM_GNTDEV_LIMIT 65536u
/*
 * Linux's gntalloc device (libxengntshr in dom0) lets dom0's processes share
 * at most this many pages in all: module parameter "limit", default 1024.
 * Guests' kernels grant pages without it. XENSIM_GNTALLOC_LIMIT sets another.
 */
#define SIM_GNTALLOC_LIMIT 1024u

struct broker;
struct node;

struct tree {
	struct node *root;
	size_t nodes;
};

/* Messages that could not be sent yet. */
struct outq {
	struct simlist msgs;
	size_t bytes;
};

/*
 * A thread serving connections with a poll loop of its own. Only the thread
 * adds connections to its lists, removes and frees them (under its lock);
 * others may shut one down (under both locks) and wake the loop to reap it.
 */
struct loop {
	struct broker *broker;
	pthread_mutex_t *lock; /* guards its connections */
	atomic_uint waiters; /* other threads waiting for lock */
	struct simlist conns; /* struct conn.loop_link */
	struct simlist incoming; /* handed over by the main loop, under lock */
	int wake_fd; /* eventfd: another thread changed one of its connections */
	bool stop, failed; /* under lock */
};

/*
 * A connection's fields are guarded by its loop's lock. The main loop sets
 * kind, dom, loop and transient at the hello, before handing a XenStore
 * connection over; dom is cleared under both locks.
 */
struct conn {
	struct simlist link; /* broker.conns */
	struct simlist loop_link; /* its loop's conns or incoming */
	struct loop *loop; /* the one serving it; the store loop's after an XS hello */
	struct broker *broker;
	int fd; /* requests and replies */
	int async_fd; /* watch or event channel events, or -1 */
	int pfd, async_pfd; /* index in the poll array, or -1 */
	uint32_t kind; /* enum simwire_kind, 0 before the hello */
	bool transient; /* SIMWIRE_HELLO_TRANSIENT */
	bool broken; /* shut down at the end of the loop iteration */
	bool closed; /* shut down, freed at the end of the loop iteration */
	struct domain *dom;
	struct outq out, async_out;

	/* SIMWIRE_KIND_XS */
	struct simlist watches; /* struct watch.link */
	struct simlist txs; /* struct tx.link */
	unsigned nwatches, ntxs;
	uint32_t next_tx;
	/* SIMWIRE_KIND_GNTSHR */
	struct arena *arena;
	/* SIMWIRE_KIND_GNTTAB */
	struct simlist maps; /* struct mapping.link */
	uint64_t mapped_pages, max_pages;
};

struct grant;
struct port;

struct domain {
	uint32_t domid;
	char name[64];
	bool alive; /* false once torn down; listed until its id is used again */
	bool dying;
	unsigned nconns; /* but transient ones */
	unsigned narenas; /* arenas that still reference this domain */
	struct grant *grants; /* SIM_GRANT_REFS entries, allocated on first use */
	uint32_t ngrants, next_ref;
	struct port *ports; /* SIM_EVTCHN_PORTS entries, allocated on first use */
	uint32_t nports;
	uint64_t mapped_by_others, maps_held; /* pages */
};

/*
 * Xen's event channels and grants do not wait for xenstored, so XenStore
 * connections are served apart: the main loop accepts connections, reads
 * their hellos and serves grants, event channels and the toolstack; after
 * its hello, a XenStore connection moves to the store loop's thread.
 *
 * hv_lock guards what the hypervisor owns (domains, grant tables, ports),
 * the list of every connection and the main loop's connections; store_lock
 * guards what xenstored owns (the tree, introduced domains) and the store
 * loop's connections. Both are held, hv_lock first, to shut a connection
 * down, to tear a domain down, to hand a connection over and to free one.
 * Opening a handle or an event channel notification never waits for a
 * XenStore request.
 */
struct broker {
	int listen_fd, signal_fd;
	pthread_mutex_t hv_lock, store_lock;
	struct loop main_loop, store_loop;
	struct simlist conns; /* struct conn.link: every connection (hv_lock) */
	size_t nconns; /* in conns */
	struct domain *domains[SIM_DOMID_LIMIT];
	struct tree tree;
	uint64_t generation; /* bumped by every change of the tree */
	bool introduced[SIM_DOMID_LIMIT]; /* xenstored's view: introduced, not yet released */
	uint32_t next_map_id;
	uint32_t gntalloc_limit; /* pages domain 0 may share */
	bool stopping; /* connections closing at exit are no crashes */
};

/* broker.c */
/* Takes the lock of a loop from outside its poll loop. */
void loop_lock(struct loop *loop);
void loop_unlock(struct loop *loop);
/* The caller holds the connection's loop's lock, conn_shutdown both. */
void conn_send(struct conn *conn, struct simwire_buf *buf, const int *fds, size_t nfds);
void conn_send_async(struct conn *conn, struct simwire_buf *buf);
void conn_reply(struct conn *conn, uint32_t type, int err);
void conn_shutdown(struct conn *conn);

/* broker_domain.c */
struct domain *domain_create(struct broker *broker, uint32_t domid, const char *name);
struct domain *domain_lookup(struct broker *broker, uint32_t domid); /* alive ones only */
/* With both locks held. */
void domain_teardown(struct broker *broker, struct domain *dom);
/* An arena of the domain went away. */
void domain_unref(struct domain *dom);
void domain_handle(struct conn *conn, struct simwire_msg *msg);
void domain_finish_all(struct broker *broker);

/* broker_store.c: with store_lock held */
bool store_init(struct broker *broker);
void store_finish(struct broker *broker);
void store_handle(struct conn *conn, struct simwire_msg *msg);
void store_release_conn(struct conn *conn);
/* Privileged helpers for domain creation and teardown. */
bool store_write_internal(struct broker *broker, const char *path, const char *value);
void store_rm_internal(struct broker *broker, const char *path);
void store_rm_backends(struct broker *broker, uint32_t domid);
void store_fire_special(struct broker *broker, const char *name);

/* broker_grant.c and broker_evtchn.c: with hv_lock held */
void grant_handle(struct conn *conn, struct simwire_msg *msg);
/* Takes the memfd of a gntshr handle; returns 0 or an errno. */
int grant_attach_arena(struct conn *conn, struct domain *dom, int fd);
void grant_release_conn(struct conn *conn);
void grant_print_mappings(struct broker *broker, FILE *out);

void evtchn_handle(struct conn *conn, struct simwire_msg *msg);
void evtchn_release_conn(struct conn *conn);

int broker_run(void);

#endif
