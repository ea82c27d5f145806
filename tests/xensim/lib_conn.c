#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib_conn.h"

static int domid_from_env(uint32_t *domid) {
	const char *env = getenv("XENSIM_DOMID");
	*domid = 0;
	if (!env || !*env) {
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long value = strtoul(env, &end, 10);
	if (errno || *end || env[0] == '-' || value >= 0x7ff0) {
		fprintf(stderr, "xensim: XENSIM_DOMID is not a domain id: %s\n", env);
		errno = EINVAL;
		return -1;
	}
	*domid = (uint32_t)value;
	return 0;
}

static int connect_broker(void) {
	const char *path = getenv("XENSIM_SOCKET");
	if (!path || !*path) {
		fprintf(stderr, "xensim: XENSIM_SOCKET is not set: no simulated hypervisor to talk to\n");
		errno = ENOENT;
		return -1;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "xensim: XENSIM_SOCKET is too long: %s\n", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	int ret;
	do {
		ret = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		int err = errno;
		fprintf(stderr, "xensim: cannot reach the broker at %s: %s\n", path, strerror(err));
		close(fd);
		errno = err;
		return -1;
	}
	/* Large grant map requests must fit in the send buffer. */
	int size = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return fd;
}

int simconn_open(struct simconn *conn, uint32_t kind, int shared_fd) {
	*conn = (struct simconn){.fd = -1, .async_fd = -1};
	int sv[2] = {-1, -1};
	if (domid_from_env(&conn->domid) < 0) {
		return -1;
	}
	conn->fd = connect_broker();
	if (conn->fd < 0) {
		return -1;
	}
	int pass = shared_fd;
	if (kind == SIMWIRE_KIND_XS || kind == SIMWIRE_KIND_EVTCHN) {
		/* Events get a socket of their own: readable exactly while some wait. */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
			goto error;
		}
		conn->async_fd = sv[0];
		pass = sv[1];
	}
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_HELLO, 0, 0);
	simwire_put_u32(&req, SIMWIRE_MAGIC);
	simwire_put_u32(&req, kind);
	simwire_put_u32(&req, conn->domid);
	/* The xensim helper commands peek at a domain without being part of it. */
	const char *transient = getenv("XENSIM_TRANSIENT");
	simwire_put_u32(&req, transient && *transient && strcmp(transient, "0") != 0 ?
		SIMWIRE_HELLO_TRANSIENT : 0);
	int ret = simwire_send(conn->fd, &req, &pass, pass >= 0 ? 1 : 0, false);
	simwire_finish(&req);
	if (sv[1] >= 0) {
		close(sv[1]);
	}
	if (ret < 0) {
		errno = -ret;
		goto error;
	}
	struct simwire_msg reply;
	ret = simwire_recv(conn->fd, &reply, false);
	if (ret <= 0) {
		errno = ret == 0 ? ECONNRESET : -ret;
		goto error;
	}
	int err = reply.hdr.type == SIMWIRE_HELLO ? reply.hdr.err : EPROTO;
	simwire_release(&reply);
	if (err) {
		if (err == ESRCH) {
			fprintf(stderr, "xensim: domain %u does not exist (create it with xensim create)\n",
				conn->domid);
		} else {
			fprintf(stderr, "xensim: the broker refused the connection: %s\n", strerror(err));
		}
		errno = err;
		goto error;
	}
	return 0;
error:;
	int err_saved = errno;
	simconn_close(conn);
	errno = err_saved;
	return -1;
}

void simconn_close(struct simconn *conn) {
	if (conn->fd >= 0) {
		close(conn->fd);
	}
	if (conn->async_fd >= 0) {
		close(conn->async_fd);
	}
	conn->fd = conn->async_fd = -1;
}

int simconn_call(struct simconn *conn, struct simwire_buf *req, struct simwire_msg *reply) {
	uint32_t type = 0;
	if (req->data && req->len >= sizeof(struct simwire_hdr)) {
		memcpy(&type, req->data, sizeof(type));
	}
	int ret = simwire_send(conn->fd, req, NULL, 0, false);
	simwire_finish(req);
	if (ret < 0) {
		/* EPIPE: the broker went away, or the domain was destroyed. */
		errno = ret == -EMSGSIZE ? E2BIG : ret == -EPIPE ? ECONNRESET : -ret;
		return -1;
	}
	ret = simwire_recv(conn->fd, reply, false);
	if (ret <= 0) {
		errno = ret == 0 ? ECONNRESET : -ret;
		return -1;
	}
	if (reply->hdr.type != type) {
		simwire_release(reply);
		errno = EPROTO;
		return -1;
	}
	if (reply->hdr.err) {
		int err = reply->hdr.err;
		simwire_release(reply);
		errno = err > 0 ? err : EPROTO;
		return -1;
	}
	return 0;
}

int simconn_done(struct simwire_msg *reply) {
	if (simwire_done(reply)) {
		return 0;
	}
	simwire_release(reply);
	errno = EIO;
	return -1;
}
