#define _GNU_SOURCE
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void reserve(struct simwire_buf *buf, size_t more) {
	if (buf->failed) {
		return;
	}
	if (buf->len + more > SIMWIRE_MAX_MSG) {
		buf->failed = true;
		return;
	}
	if (buf->len + more <= buf->cap) {
		return;
	}
	size_t cap = buf->cap ? buf->cap : 256;
	while (cap < buf->len + more) {
		cap *= 2;
	}
	uint8_t *data = realloc(buf->data, cap);
	if (!data) {
		buf->failed = true;
		return;
	}
	buf->data = data;
	buf->cap = cap;
}

static void put(struct simwire_buf *buf, const void *data, size_t len) {
	reserve(buf, len);
	if (buf->failed) {
		return;
	}
	if (len > 0) {
		memcpy(buf->data + buf->len, data, len);
	}
	buf->len += len;
}

void simwire_start(struct simwire_buf *buf, uint32_t type, uint32_t tx, int32_t err) {
	*buf = (struct simwire_buf){0};
	struct simwire_hdr hdr = {.type = type, .tx = tx, .err = err};
	put(buf, &hdr, sizeof(hdr));
}

void simwire_put_u32(struct simwire_buf *buf, uint32_t value) {
	put(buf, &value, sizeof(value));
}

void simwire_put_str(struct simwire_buf *buf, const char *str) {
	put(buf, str, strlen(str) + 1);
}

void simwire_put_blob(struct simwire_buf *buf, const void *data, uint32_t len) {
	simwire_put_u32(buf, len);
	put(buf, data, len);
}

void simwire_finish(struct simwire_buf *buf) {
	free(buf->data);
	*buf = (struct simwire_buf){0};
}

int simwire_send(int fd, const struct simwire_buf *buf, const int *fds, size_t nfds, bool dontwait) {
	if (buf->failed) {
		return -ENOMEM;
	}
	if (nfds > SIMWIRE_MAX_FDS) {
		return -E2BIG;
	}
	struct iovec iov = {.iov_base = buf->data, .iov_len = buf->len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	union {
		char raw[CMSG_SPACE(sizeof(int) * SIMWIRE_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	if (nfds > 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.raw;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	int flags = MSG_NOSIGNAL | (dontwait ? MSG_DONTWAIT : 0);
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, flags);
		if (n >= 0) {
			return (size_t)n == buf->len ? 0 : -EIO;
		}
		if (errno != EINTR) {
			return -errno;
		}
	}
}

static void close_fds(const int *fds, size_t n) {
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
}

int simwire_recv(int fd, struct simwire_msg *msg, bool dontwait) {
	*msg = (struct simwire_msg){0};
	int flags = dontwait ? MSG_DONTWAIT : 0;
	ssize_t size;
	/* Peek at the size first so that buffers fit the message. */
	do {
		size = recv(fd, NULL, 0, flags | MSG_PEEK | MSG_TRUNC);
	} while (size < 0 && errno == EINTR);
	if (size < 0) {
		return -errno;
	}
	if (size > SIMWIRE_MAX_MSG) {
		return -EMSGSIZE;
	}
	msg->data = malloc(size > 0 ? (size_t)size : 1);
	if (!msg->data) {
		return -ENOMEM;
	}
	struct iovec iov = {.iov_base = msg->data, .iov_len = size > 0 ? (size_t)size : 1};
	union {
		char raw[CMSG_SPACE(sizeof(int) * SIMWIRE_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.raw,
		.msg_controllen = sizeof(ctl.raw),
	};
	ssize_t n;
	do {
		n = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int err = -errno;
		simwire_release(msg);
		return err;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
			continue;
		}
		size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (msg->nfds + count > SIMWIRE_MAX_FDS) {
			count = SIMWIRE_MAX_FDS - msg->nfds;
		}
		memcpy(msg->fds + msg->nfds, CMSG_DATA(cm), count * sizeof(int));
		msg->nfds += count;
	}
	if (n == 0) {
		simwire_release(msg);
		return 0;
	}
	msg->len = (size_t)n;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || msg->len < sizeof(msg->hdr)) {
		simwire_release(msg);
		return -EBADMSG;
	}
	memcpy(&msg->hdr, msg->data, sizeof(msg->hdr));
	msg->pos = sizeof(msg->hdr);
	return 1;
}

void simwire_release(struct simwire_msg *msg) {
	close_fds(msg->fds, msg->nfds);
	free(msg->data);
	msg->data = NULL;
	msg->nfds = 0;
	msg->len = 0;
}

static const void *get(struct simwire_msg *msg, size_t len) {
	if (msg->bad || msg->len - msg->pos < len) {
		msg->bad = true;
		return NULL;
	}
	const void *p = msg->data + msg->pos;
	msg->pos += len;
	return p;
}

uint32_t simwire_get_u32(struct simwire_msg *msg) {
	uint32_t value = 0;
	const void *p = get(msg, sizeof(value));
	if (p) {
		memcpy(&value, p, sizeof(value));
	}
	return value;
}

const char *simwire_get_str(struct simwire_msg *msg) {
	if (msg->bad) {
		return NULL;
	}
	const char *start = (const char *)msg->data + msg->pos;
	const char *nul = memchr(start, '\0', msg->len - msg->pos);
	if (!nul) {
		msg->bad = true;
		return NULL;
	}
	msg->pos += (size_t)(nul - start) + 1;
	return start;
}

const void *simwire_get_blob(struct simwire_msg *msg, uint32_t *len) {
	*len = simwire_get_u32(msg);
	const void *p = get(msg, *len);
	if (!p) {
		*len = 0;
	}
	return p;
}

int simwire_take_fd(struct simwire_msg *msg, size_t i) {
	if (i >= msg->nfds) {
		return -1;
	}
	int fd = msg->fds[i];
	msg->fds[i] = -1;
	return fd;
}

bool simwire_done(const struct simwire_msg *msg) {
	return !msg->bad && msg->pos == msg->len;
}
