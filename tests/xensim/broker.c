#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker.h"

/* A client that leaves this much unread loses its connection. */
#define OUTQ_LIMIT (8u << 20)
/* Requests are read only while fewer replies wait, so replies can't pile up. */
#define OUTQ_PAUSE (256u << 10)
#define MAX_CONNS 4096
/* Messages handled per connection per loop iteration, for fairness. */
#define BATCH 32

/* The loop of the calling thread, NULL on none. */
static _Thread_local struct loop *this_loop;

static void loop_wake(struct loop *loop) {
	eventfd_write(loop->wake_fd, 1);
}

/* Another thread queued output, broke or closed the connection: its loop must look. */
static void conn_changed(struct conn *conn) {
	if (conn->loop != this_loop) {
		loop_wake(conn->loop);
	}
}

/*
 * A mutex is not fair: a loop's thread, busy and taking its lock again as
 * soon as it let go, would keep others out for long. So it lets those
 * waiting in first (lock_own), and others say they wait.
 */
void loop_lock(struct loop *loop) {
	atomic_fetch_add(&loop->waiters, 1);
	pthread_mutex_lock(loop->lock);
	atomic_fetch_sub(&loop->waiters, 1);
}

void loop_unlock(struct loop *loop) {
	pthread_mutex_unlock(loop->lock);
}

/* The calling thread's own loop's lock, in its poll loop (holding no lock). */
static void lock_own(struct loop *loop) {
	while (atomic_load(&loop->waiters) > 0) {
		sched_yield();
	}
	pthread_mutex_lock(loop->lock);
}

static void lock_both(struct broker *broker) {
	loop_lock(&broker->main_loop);
	loop_lock(&broker->store_loop);
}

static void unlock_both(struct broker *broker) {
	loop_unlock(&broker->store_loop);
	loop_unlock(&broker->main_loop);
}

struct outmsg {
	struct simlist link;
	uint8_t *data;
	size_t len;
	int *fds;
	size_t nfds;
};

static void outmsg_free(struct outmsg *msg) {
	for (size_t i = 0; i < msg->nfds; i++) {
		close(msg->fds[i]);
	}
	free(msg->fds);
	free(msg->data);
	free(msg);
}

static void outq_clear(struct outq *queue) {
	struct outmsg *msg, *tmp;
	simlist_for_each_safe(msg, tmp, &queue->msgs, struct outmsg, link) {
		simlist_remove(&msg->link);
		outmsg_free(msg);
	}
	queue->bytes = 0;
}

/* Sends at once if nothing is queued, else queues a copy (never blocks). */
static void enqueue(struct conn *conn, struct outq *queue, int fd, struct simwire_buf *buf,
		const int *fds, size_t nfds) {
	if (conn->closed || conn->broken || fd < 0) {
		goto out;
	}
	if (simlist_empty(&queue->msgs)) {
		int ret = simwire_send(fd, buf, fds, nfds, true);
		if (ret == 0) {
			goto out;
		}
		if (ret != -EAGAIN) {
			goto broken;
		}
	}
	if (queue->bytes + buf->len > OUTQ_LIMIT) {
		fprintf(stderr, "xensim: a client does not read its messages: disconnecting it\n");
		goto broken;
	}
	struct outmsg *msg = calloc(1, sizeof(*msg));
	if (!msg) {
		goto broken;
	}
	if (nfds > 0) {
		msg->fds = calloc(nfds, sizeof(int));
		if (!msg->fds) {
			outmsg_free(msg);
			goto broken;
		}
		for (; msg->nfds < nfds; msg->nfds++) {
			msg->fds[msg->nfds] = fcntl(fds[msg->nfds], F_DUPFD_CLOEXEC, 0);
			if (msg->fds[msg->nfds] < 0) {
				outmsg_free(msg);
				goto broken;
			}
		}
	}
	msg->data = buf->data;
	msg->len = buf->len;
	buf->data = NULL;
	simlist_append(&queue->msgs, &msg->link);
	queue->bytes += msg->len;
	/* Its loop polls for POLLOUT only if it knows. */
	conn_changed(conn);
	goto out;
broken:
	conn->broken = true;
	conn_changed(conn);
out:
	simwire_finish(buf);
}

static void flush(struct conn *conn, struct outq *queue, int fd) {
	struct outmsg *msg, *tmp;
	simlist_for_each_safe(msg, tmp, &queue->msgs, struct outmsg, link) {
		struct simwire_buf buf = {.data = msg->data, .len = msg->len};
		int ret = simwire_send(fd, &buf, msg->fds, msg->nfds, true);
		if (ret == -EAGAIN) {
			return;
		}
		if (ret < 0) {
			conn->broken = true;
			return;
		}
		queue->bytes -= msg->len;
		simlist_remove(&msg->link);
		outmsg_free(msg);
	}
}

void conn_send(struct conn *conn, struct simwire_buf *buf, const int *fds, size_t nfds) {
	if (buf->failed) {
		/* The reply did not fit in a message (or memory): say so instead. */
		struct simwire_hdr hdr = {0};
		if (buf->data && buf->len >= sizeof(hdr)) {
			memcpy(&hdr, buf->data, sizeof(hdr));
		}
		simwire_finish(buf);
		conn_reply(conn, hdr.type, E2BIG);
		return;
	}
	enqueue(conn, &conn->out, conn->fd, buf, fds, nfds);
}

void conn_send_async(struct conn *conn, struct simwire_buf *buf) {
	enqueue(conn, &conn->async_out, conn->async_fd, buf, NULL, 0);
}

void conn_reply(struct conn *conn, uint32_t type, int err) {
	struct simwire_buf buf;
	simwire_start(&buf, type, 0, err);
	enqueue(conn, &conn->out, conn->fd, &buf, NULL, 0);
}

void conn_shutdown(struct conn *conn) {
	if (conn->closed) {
		return;
	}
	conn->closed = true;
	store_release_conn(conn);
	grant_release_conn(conn);
	evtchn_release_conn(conn);
	outq_clear(&conn->out);
	outq_clear(&conn->async_out);
	if (conn->async_fd >= 0) {
		close(conn->async_fd);
		conn->async_fd = -1;
	}
	close(conn->fd);
	conn->fd = -1;
	/* Its loop frees it. */
	conn_changed(conn);

	struct domain *dom = conn->dom;
	conn->dom = NULL;
	if (!dom || conn->transient) {
		return;
	}
	dom->nconns--;
	/* A guest whose processes are all gone crashed: on_crash=destroy. */
	if (dom->nconns == 0 && dom->domid != 0 && dom->alive && !dom->dying &&
			!conn->broker->stopping) {
		fprintf(stderr, "xensim: domain %u (%s) has no connection left: destroying it\n",
			dom->domid, dom->name);
		domain_teardown(conn->broker, dom);
	}
}

static bool is_seqpacket_socket(int fd) {
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		return false;
	}
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) {
		return false;
	}
	return type == SOCK_SEQPACKET && domain == AF_UNIX;
}

static void handle_hello(struct conn *conn, struct simwire_msg *msg) {
	uint32_t magic = simwire_get_u32(msg);
	uint32_t kind = simwire_get_u32(msg);
	uint32_t domid = simwire_get_u32(msg);
	uint32_t flags = simwire_get_u32(msg);
	if (msg->hdr.type != SIMWIRE_HELLO || !simwire_done(msg) || magic != SIMWIRE_MAGIC ||
			kind < SIMWIRE_KIND_XS || kind > SIMWIRE_KIND_CTL ||
			(flags & ~SIMWIRE_HELLO_TRANSIENT)) {
		conn->broken = true;
		return;
	}
	bool with_fd = kind == SIMWIRE_KIND_XS || kind == SIMWIRE_KIND_EVTCHN ||
		kind == SIMWIRE_KIND_GNTSHR;
	if (msg->nfds != (with_fd ? 1u : 0u)) {
		conn->broken = true;
		return;
	}

	int err = 0;
	struct domain *dom = domain_lookup(conn->broker, domid);
	if (!dom) {
		err = ESRCH;
	} else if (kind == SIMWIRE_KIND_CTL && domid != 0) {
		err = EPERM;
	} else if (kind == SIMWIRE_KIND_GNTSHR) {
		err = grant_attach_arena(conn, dom, simwire_take_fd(msg, 0));
	} else if (with_fd) {
		int fd = simwire_take_fd(msg, 0);
		if (!is_seqpacket_socket(fd)) {
			close(fd);
			conn->broken = true;
			return;
		}
		conn->async_fd = fd;
	}
	if (err) {
		conn_reply(conn, SIMWIRE_HELLO, err);
		conn->broken = true;
		return;
	}
	conn->kind = kind;
	conn->dom = dom;
	conn->transient = flags & SIMWIRE_HELLO_TRANSIENT;
	if (kind == SIMWIRE_KIND_XS) {
		/* xenstored's: this loop hands it over in its reap. */
		conn->loop = &conn->broker->store_loop;
	}
	if (!conn->transient) {
		dom->nconns++;
	}
	conn_reply(conn, SIMWIRE_HELLO, 0);
}

static void handle_message(struct conn *conn, struct simwire_msg *msg) {
	if (conn->kind == 0) {
		handle_hello(conn, msg);
		return;
	}
	if (msg->nfds > 0) {
		/* Only the hello carries file descriptors. */
		conn->broken = true;
		return;
	}
	switch (conn->kind) {
	case SIMWIRE_KIND_XS:
		store_handle(conn, msg);
		break;
	case SIMWIRE_KIND_GNTTAB:
	case SIMWIRE_KIND_GNTSHR:
		grant_handle(conn, msg);
		break;
	case SIMWIRE_KIND_EVTCHN:
		evtchn_handle(conn, msg);
		break;
	case SIMWIRE_KIND_CTL:
		domain_handle(conn, msg);
		break;
	}
}

static void read_requests(struct loop *loop, struct conn *conn) {
	for (int i = 0; i < BATCH; i++) {
		/* After its hello, a XenStore connection's requests are the store loop's. */
		if (conn->broken || conn->closed || conn->out.bytes >= OUTQ_PAUSE ||
				conn->loop != loop) {
			return;
		}
		/* Another thread waits for the lock: the rest can wait for the next round. */
		if (i > 0 && atomic_load(&loop->waiters) > 0) {
			return;
		}
		struct simwire_msg msg;
		int ret = simwire_recv(conn->fd, &msg, true);
		if (ret == -EAGAIN) {
			return;
		}
		if (ret <= 0) {
			conn->broken = true;
			return;
		}
		handle_message(conn, &msg);
		simwire_release(&msg);
	}
}

static void accept_clients(struct loop *loop) {
	struct broker *broker = loop->broker;
	for (;;) {
		int fd = accept4(broker->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
					errno != ECONNABORTED) {
				fprintf(stderr, "xensim: accept: %s\n", strerror(errno));
			}
			return;
		}
		struct conn *conn = calloc(1, sizeof(*conn));
		if (!conn) {
			fprintf(stderr, "xensim: refusing a connection: out of memory\n");
			close(fd);
			continue;
		}
		/* Large grant map replies must fit in the send buffer. */
		int size = 1 << 20;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		conn->broker = broker;
		conn->loop = loop;
		conn->fd = fd;
		conn->async_fd = -1;
		conn->pfd = conn->async_pfd = -1;
		conn->max_pages = SIM_GNTDEV_LIMIT;
		simlist_init(&conn->out.msgs);
		simlist_init(&conn->async_out.msgs);
		simlist_init(&conn->watches);
		simlist_init(&conn->txs);
		simlist_init(&conn->maps);
		lock_own(loop);
		bool full = broker->nconns >= MAX_CONNS;
		if (!full) {
			simlist_append(&broker->conns, &conn->link);
			broker->nconns++;
		}
		loop_unlock(loop);
		if (full) {
			fprintf(stderr, "xensim: refusing a connection: too many\n");
			close(fd);
			free(conn);
			continue;
		}
		simlist_append(&loop->conns, &conn->loop_link);
	}
}

/*
 * Shuts the loop's broken connections down (which may break others), frees
 * its closed ones and hands over those another loop serves now. Both locks
 * are taken only if there is anything to do.
 */
static void reap(struct loop *loop) {
	struct broker *broker = loop->broker;
	bool work = false;
	struct conn *conn, *tmp;
	lock_own(loop);
	simlist_for_each(conn, &loop->conns, struct conn, loop_link) {
		work = work || conn->broken || conn->closed || conn->loop != loop;
	}
	loop_unlock(loop);
	if (!work) {
		return;
	}

	lock_both(broker);
	bool again = true;
	while (again) {
		again = false;
		simlist_for_each(conn, &loop->conns, struct conn, loop_link) {
			if (conn->broken && !conn->closed) {
				conn_shutdown(conn);
				again = true;
			}
		}
	}
	simlist_for_each_safe(conn, tmp, &loop->conns, struct conn, loop_link) {
		if (conn->closed) {
			simlist_remove(&conn->loop_link);
			simlist_remove(&conn->link);
			broker->nconns--;
			free(conn);
		} else if (conn->loop != loop) {
			simlist_remove(&conn->loop_link);
			simlist_append(&conn->loop->incoming, &conn->loop_link);
			loop_wake(conn->loop);
		}
	}
	unlock_both(broker);
}

static struct pollfd *grow_pollfds(struct pollfd *pfds, size_t *cap, size_t need) {
	if (need <= *cap) {
		return pfds;
	}
	size_t cap_new = *cap ? *cap * 2 : 64;
	while (cap_new < need) {
		cap_new *= 2;
	}
	struct pollfd *grown = realloc(pfds, cap_new * sizeof(*pfds));
	if (grown) {
		*cap = cap_new;
	}
	return grown;
}

/* Fills the poll array with the loop's connections; false if out of memory. */
static bool prepare_poll(struct loop *loop, struct pollfd **pfds, size_t *cap, size_t *n) {
	struct conn *conn;
	while (!simlist_empty(&loop->incoming)) {
		conn = simlist_entry(loop->incoming.next, struct conn, loop_link);
		simlist_remove(&conn->loop_link);
		simlist_append(&loop->conns, &conn->loop_link);
	}
	size_t nconns = 0;
	simlist_for_each(conn, &loop->conns, struct conn, loop_link) {
		nconns++;
	}
	struct pollfd *grown = grow_pollfds(*pfds, cap, *n + 2 * nconns);
	if (!grown) {
		fprintf(stderr, "xensim: out of memory\n");
		return false;
	}
	*pfds = grown;
	simlist_for_each(conn, &loop->conns, struct conn, loop_link) {
		conn->pfd = conn->async_pfd = -1;
		/* Shut down by another thread since the reap: next time. */
		if (conn->closed || conn->broken) {
			continue;
		}
		short events = 0;
		if (conn->out.bytes < OUTQ_PAUSE) {
			events |= POLLIN;
		}
		if (!simlist_empty(&conn->out.msgs)) {
			events |= POLLOUT;
		}
		conn->pfd = (int)*n;
		grown[(*n)++] = (struct pollfd){.fd = conn->fd, .events = events};
		if (conn->async_fd >= 0) {
			conn->async_pfd = (int)*n;
			events = simlist_empty(&conn->async_out.msgs) ? 0 : POLLOUT;
			grown[(*n)++] = (struct pollfd){.fd = conn->async_fd, .events = events};
		}
	}
	return true;
}

/* Flushes and reads a connection poll found ready. */
static void serve_conn(struct loop *loop, struct conn *conn, const struct pollfd *pfds) {
	if (conn->pfd < 0 || conn->closed || conn->broken || conn->loop != loop) {
		return;
	}
	short revents = pfds[conn->pfd].revents;
	if (revents & POLLOUT) {
		flush(conn, &conn->out, conn->fd);
	}
	if (revents & POLLIN) {
		read_requests(loop, conn);
	} else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		conn->broken = true;
	}
	if (conn->async_pfd >= 0 && !conn->broken && !conn->closed && conn->loop == loop) {
		revents = pfds[conn->async_pfd].revents;
		if (revents & POLLOUT) {
			flush(conn, &conn->async_out, conn->async_fd);
		}
		if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
			conn->broken = true;
		}
	}
}

/*
 * A loop's poll loop. The main loop also accepts clients and stops at a
 * signal, or when the store loop failed; the store loop stops when told.
 * Returns 0 on a stop, 1 on an error.
 */
static int serve(struct loop *loop) {
	struct broker *broker = loop->broker;
	bool is_main = loop == &broker->main_loop;
	struct pollfd *pfds = NULL;
	size_t cap = 0;
	int ret = 1;
	this_loop = loop;
	for (;;) {
		size_t n = 0;
		struct pollfd *grown = grow_pollfds(pfds, &cap, 3);
		if (!grown) {
			fprintf(stderr, "xensim: out of memory\n");
			goto out;
		}
		pfds = grown;
		pfds[n++] = (struct pollfd){.fd = loop->wake_fd, .events = POLLIN};
		if (is_main) {
			pfds[n++] = (struct pollfd){.fd = broker->signal_fd, .events = POLLIN};
			pfds[n++] = (struct pollfd){.fd = broker->listen_fd, .events = POLLIN};
		}
		lock_own(loop);
		bool stop = loop->stop;
		bool ok = !stop && prepare_poll(loop, &pfds, &cap, &n);
		loop_unlock(loop);
		if (stop) {
			ret = 0;
			goto out;
		}
		if (!ok) {
			goto out;
		}

		if (poll(pfds, n, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			fprintf(stderr, "xensim: poll: %s\n", strerror(errno));
			goto out;
		}
		if (pfds[0].revents) {
			eventfd_t value;
			eventfd_read(loop->wake_fd, &value);
			if (is_main) {
				loop_lock(&broker->store_loop);
				bool failed = broker->store_loop.failed;
				loop_unlock(&broker->store_loop);
				if (failed) {
					goto out;
				}
			}
		}
		if (is_main && pfds[1].revents) {
			struct signalfd_siginfo info;
			if (read(broker->signal_fd, &info, sizeof(info)) > 0) {
				ret = 0;
				goto out;
			}
		}

		/* Only this thread changes the list: the lock guards the connections. */
		struct conn *conn;
		simlist_for_each(conn, &loop->conns, struct conn, loop_link) {
			lock_own(loop);
			serve_conn(loop, conn, pfds);
			loop_unlock(loop);
		}
		/* Accept after the loop so that new connections have no poll slot yet. */
		if (is_main && (pfds[2].revents & POLLIN)) {
			accept_clients(loop);
		}
		reap(loop);
	}
out:
	free(pfds);
	return ret;
}

static void *store_thread(void *data) {
	struct loop *loop = data;
	if (serve(loop) != 0) {
		lock_own(loop);
		loop->failed = true;
		loop_unlock(loop);
		loop_wake(&loop->broker->main_loop);
	}
	return NULL;
}

static bool loop_init(struct loop *loop, struct broker *broker, pthread_mutex_t *lock) {
	loop->broker = broker;
	loop->lock = lock;
	simlist_init(&loop->conns);
	simlist_init(&loop->incoming);
	loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->wake_fd < 0) {
		fprintf(stderr, "xensim: eventfd: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static int listen_on(const char *path) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "xensim: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	/* Remove a stale socket, but never anything else. */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "xensim: socket: %s\n", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 128) < 0) {
		fprintf(stderr, "xensim: cannot listen on %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int broker_run(void) {
	const char *path = getenv("XENSIM_SOCKET");
	if (!path || !*path) {
		fprintf(stderr, "xensim: XENSIM_SOCKET is not set\n");
		return 1;
	}
	/* Every shared memory file and connection costs the broker descriptors. */
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	signal(SIGPIPE, SIG_IGN);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		fprintf(stderr, "xensim: sigprocmask: %s\n", strerror(errno));
		return 1;
	}

	int ret = 1;
	struct broker *broker = calloc(1, sizeof(*broker));
	if (!broker) {
		fprintf(stderr, "xensim: out of memory\n");
		return 1;
	}
	broker->listen_fd = -1;
	simlist_init(&broker->conns);
	broker->gntalloc_limit = SIM_GNTALLOC_LIMIT;
	const char *limit = getenv("XENSIM_GNTALLOC_LIMIT");
	if (limit && *limit) {
		char *end;
		unsigned long value = strtoul(limit, &end, 10);
		if (*end || value == 0 || value > SIM_GRANT_REFS) {
			fprintf(stderr, "xensim: bad XENSIM_GNTALLOC_LIMIT %s\n", limit);
			free(broker);
			return 1;
		}
		broker->gntalloc_limit = (uint32_t)value;
	}
	pthread_mutex_init(&broker->hv_lock, NULL);
	pthread_mutex_init(&broker->store_lock, NULL);
	if (!loop_init(&broker->main_loop, broker, &broker->hv_lock)) {
		goto error_broker;
	}
	if (!loop_init(&broker->store_loop, broker, &broker->store_lock)) {
		goto error_main_loop;
	}
	broker->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (broker->signal_fd < 0) {
		fprintf(stderr, "xensim: signalfd: %s\n", strerror(errno));
		goto error_store_loop;
	}
	if (!store_init(broker)) {
		fprintf(stderr, "xensim: out of memory\n");
		goto error_signal;
	}
	struct domain *dom0 = domain_create(broker, 0, "Domain-0");
	if (!dom0 || !store_write_internal(broker, "/local/domain/0/name", "Domain-0") ||
			!store_write_internal(broker, "/local/domain/0/domid", "0")) {
		fprintf(stderr, "xensim: out of memory\n");
		goto error_store;
	}
	broker->introduced[0] = true;
	broker->listen_fd = listen_on(path);
	if (broker->listen_fd < 0) {
		goto error_store;
	}
	/* Signals stay blocked in the store thread too: the main loop reads them. */
	pthread_t store;
	int err = pthread_create(&store, NULL, store_thread, &broker->store_loop);
	if (err) {
		fprintf(stderr, "xensim: cannot start the store thread: %s\n", strerror(err));
		goto error_listen;
	}
	printf("ready\n");
	fflush(stdout);

	ret = serve(&broker->main_loop);

	loop_lock(&broker->store_loop);
	broker->store_loop.stop = true;
	loop_unlock(&broker->store_loop);
	loop_wake(&broker->store_loop);
	pthread_join(store, NULL);

	/* Alone now. */
	broker->stopping = true;
	struct conn *conn, *tmp;
	lock_both(broker);
	simlist_for_each(conn, &broker->conns, struct conn, link) {
		conn_shutdown(conn);
	}
	unlock_both(broker);
	simlist_for_each_safe(conn, tmp, &broker->conns, struct conn, link) {
		free(conn);
	}
error_listen:
	close(broker->listen_fd);
	unlink(path);
error_store:
	domain_finish_all(broker);
	store_finish(broker);
error_signal:
	close(broker->signal_fd);
error_store_loop:
	close(broker->store_loop.wake_fd);
error_main_loop:
	close(broker->main_loop.wake_fd);
error_broker:
	pthread_mutex_destroy(&broker->store_lock);
	pthread_mutex_destroy(&broker->hv_lock);
	free(broker);
	return ret;
}
