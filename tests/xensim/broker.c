#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
			conn->broken = true;
			goto out;
		}
	}
	if (queue->bytes + buf->len > OUTQ_LIMIT) {
		fprintf(stderr, "xensim: a client does not read its messages: disconnecting it\n");
		conn->broken = true;
		goto out;
	}
	struct outmsg *msg = calloc(1, sizeof(*msg));
	if (!msg) {
		conn->broken = true;
		goto out;
	}
	if (nfds > 0) {
		msg->fds = calloc(nfds, sizeof(int));
		if (!msg->fds) {
			conn->broken = true;
			outmsg_free(msg);
			goto out;
		}
		for (; msg->nfds < nfds; msg->nfds++) {
			msg->fds[msg->nfds] = fcntl(fds[msg->nfds], F_DUPFD_CLOEXEC, 0);
			if (msg->fds[msg->nfds] < 0) {
				conn->broken = true;
				outmsg_free(msg);
				goto out;
			}
		}
	}
	msg->data = buf->data;
	msg->len = buf->len;
	buf->data = NULL;
	simlist_append(&queue->msgs, &msg->link);
	queue->bytes += msg->len;
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

static void read_requests(struct conn *conn) {
	for (int i = 0; i < BATCH; i++) {
		if (conn->broken || conn->closed || conn->out.bytes >= OUTQ_PAUSE) {
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

static void accept_clients(struct broker *broker) {
	size_t nconns = 0;
	struct conn *conn;
	simlist_for_each(conn, &broker->conns, struct conn, link) {
		nconns++;
	}
	for (;;) {
		int fd = accept4(broker->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
					errno != ECONNABORTED) {
				fprintf(stderr, "xensim: accept: %s\n", strerror(errno));
			}
			return;
		}
		if (nconns >= MAX_CONNS || !(conn = calloc(1, sizeof(*conn)))) {
			fprintf(stderr, "xensim: refusing a connection: too many\n");
			close(fd);
			continue;
		}
		/* Large grant map replies must fit in the send buffer. */
		int size = 1 << 20;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		conn->broker = broker;
		conn->fd = fd;
		conn->async_fd = -1;
		conn->pfd = conn->async_pfd = -1;
		conn->max_pages = SIM_GNTDEV_LIMIT;
		simlist_init(&conn->out.msgs);
		simlist_init(&conn->async_out.msgs);
		simlist_init(&conn->watches);
		simlist_init(&conn->txs);
		simlist_init(&conn->maps);
		simlist_append(&broker->conns, &conn->link);
		nconns++;
	}
}

/* Shuts broken connections down (which may break others) and frees closed ones. */
static void reap(struct broker *broker) {
	bool again = true;
	while (again) {
		again = false;
		struct conn *conn;
		simlist_for_each(conn, &broker->conns, struct conn, link) {
			if (conn->broken && !conn->closed) {
				conn_shutdown(conn);
				again = true;
			}
		}
	}
	struct conn *conn, *tmp;
	simlist_for_each_safe(conn, tmp, &broker->conns, struct conn, link) {
		if (conn->closed) {
			simlist_remove(&conn->link);
			free(conn);
		}
	}
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

static int serve(struct broker *broker) {
	struct pollfd *pfds = NULL;
	size_t cap = 0;
	int ret = 1;
	for (;;) {
		size_t nconns = 0;
		struct conn *conn;
		simlist_for_each(conn, &broker->conns, struct conn, link) {
			nconns++;
		}
		struct pollfd *grown = grow_pollfds(pfds, &cap, 2 + 2 * nconns);
		if (!grown) {
			fprintf(stderr, "xensim: out of memory\n");
			goto out;
		}
		pfds = grown;
		size_t n = 0;
		pfds[n++] = (struct pollfd){.fd = broker->signal_fd, .events = POLLIN};
		pfds[n++] = (struct pollfd){.fd = broker->listen_fd, .events = POLLIN};
		simlist_for_each(conn, &broker->conns, struct conn, link) {
			short events = 0;
			if (conn->out.bytes < OUTQ_PAUSE) {
				events |= POLLIN;
			}
			if (!simlist_empty(&conn->out.msgs)) {
				events |= POLLOUT;
			}
			conn->pfd = (int)n;
			pfds[n++] = (struct pollfd){.fd = conn->fd, .events = events};
			conn->async_pfd = -1;
			if (conn->async_fd >= 0) {
				conn->async_pfd = (int)n;
				events = simlist_empty(&conn->async_out.msgs) ? 0 : POLLOUT;
				pfds[n++] = (struct pollfd){.fd = conn->async_fd, .events = events};
			}
		}

		if (poll(pfds, n, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			fprintf(stderr, "xensim: poll: %s\n", strerror(errno));
			goto out;
		}
		if (pfds[0].revents) {
			struct signalfd_siginfo info;
			if (read(broker->signal_fd, &info, sizeof(info)) > 0) {
				ret = 0;
				goto out;
			}
		}

		simlist_for_each(conn, &broker->conns, struct conn, link) {
			if (conn->pfd < 0 || conn->closed || conn->broken) {
				continue;
			}
			short revents = pfds[conn->pfd].revents;
			if (revents & POLLOUT) {
				flush(conn, &conn->out, conn->fd);
			}
			if (revents & POLLIN) {
				read_requests(conn);
			} else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
				conn->broken = true;
			}
			if (conn->async_pfd >= 0 && !conn->broken && !conn->closed) {
				revents = pfds[conn->async_pfd].revents;
				if (revents & POLLOUT) {
					flush(conn, &conn->async_out, conn->async_fd);
				}
				if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
					conn->broken = true;
				}
			}
		}
		/* Accept after the loop so that new connections have no poll slot yet. */
		if (pfds[1].revents & POLLIN) {
			accept_clients(broker);
		}
		simlist_for_each(conn, &broker->conns, struct conn, link) {
			conn->pfd = conn->async_pfd = -1;
		}
		reap(broker);
	}
out:
	free(pfds);
	return ret;
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
	broker->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (broker->signal_fd < 0) {
		fprintf(stderr, "xensim: signalfd: %s\n", strerror(errno));
		goto error_broker;
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
	printf("ready\n");
	fflush(stdout);

	ret = serve(broker);

	broker->stopping = true;
	struct conn *conn;
	simlist_for_each(conn, &broker->conns, struct conn, link) {
		conn_shutdown(conn);
	}
	reap(broker);
	close(broker->listen_fd);
	unlink(path);
error_store:
	domain_finish_all(broker);
	store_finish(broker);
error_signal:
	close(broker->signal_fd);
error_broker:
	free(broker);
	return ret;
}
