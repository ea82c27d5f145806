#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "lib_conn.h"

struct xs_handle {
	struct simconn conn;
};

struct xs_handle *xs_open(unsigned long flags) {
	(void)flags; /* XS_OPEN_READONLY and XS_OPEN_SOCKETONLY are ignored, as in Xen */
	struct xs_handle *h = calloc(1, sizeof(*h));
	if (!h) {
		return NULL;
	}
	if (simconn_open(&h->conn, SIMWIRE_KIND_XS, -1) < 0) {
		int err = errno;
		free(h);
		errno = err;
		return NULL;
	}
	return h;
}

void xs_close(struct xs_handle *h) {
	if (!h) {
		return;
	}
	simconn_close(&h->conn);
	free(h);
}

struct xs_handle *xs_daemon_open(void) {
	return xs_open(0);
}

struct xs_handle *xs_domain_open(void) {
	return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void) {
	return xs_open(XS_OPEN_READONLY);
}

void xs_daemon_close(struct xs_handle *h) {
	xs_close(h);
}

void xs_daemon_destroy_postfork(struct xs_handle *h) {
	xs_close(h);
}

bool xs_restrict(struct xs_handle *h, unsigned domid) {
	(void)h;
	(void)domid;
	return false;
}

/* A request about one path; 0 with the reply to read, or -1 with errno. */
static int call_path(struct xs_handle *h, uint32_t type, xs_transaction_t t, const char *path,
		struct simwire_msg *reply) {
	if (!h || !path) {
		errno = EINVAL;
		return -1;
	}
	struct simwire_buf req;
	simwire_start(&req, type, t, 0);
	simwire_put_str(&req, path);
	return simconn_call(&h->conn, &req, reply);
}

static bool call_ack(struct xs_handle *h, uint32_t type, xs_transaction_t t, const char *path) {
	struct simwire_msg reply;
	if (call_path(h, type, t, path, &reply) < 0 || simconn_done(&reply) < 0) {
		return false;
	}
	simwire_release(&reply);
	return true;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len) {
	struct simwire_msg reply;
	if (call_path(h, SIMWIRE_XS_READ, t, path, &reply) < 0) {
		return NULL;
	}
	uint32_t size;
	const void *data = simwire_get_blob(&reply, &size);
	if (simconn_done(&reply) < 0) {
		return NULL;
	}
	char *value = malloc((size_t)size + 1);
	if (value) {
		if (size > 0) {
			memcpy(value, data, size);
		}
		value[size] = '\0';
		if (len) {
			*len = size;
		}
	}
	simwire_release(&reply);
	return value;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
		unsigned int len) {
	if (!h || !path || (len > 0 && !data)) {
		errno = EINVAL;
		return false;
	}
	if (strlen(path) + 1 + len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return false;
	}
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_XS_WRITE, t, 0);
	simwire_put_str(&req, path);
	simwire_put_blob(&req, data, len);
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0 || simconn_done(&reply) < 0) {
		return false;
	}
	simwire_release(&reply);
	return true;
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path) {
	return call_ack(h, SIMWIRE_XS_MKDIR, t, path);
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path) {
	return call_ack(h, SIMWIRE_XS_RM, t, path);
}

/* Packs strings after their pointer array in one allocation, as libxenstore does. */
static char **pack(const char **strs, unsigned int n) {
	size_t size = (n + 1) * sizeof(char *);
	for (unsigned int i = 0; i < n; i++) {
		size += strlen(strs[i]) + 1;
	}
	char **vec = malloc(size);
	if (!vec) {
		return NULL;
	}
	char *p = (char *)(vec + n + 1);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = strlen(strs[i]) + 1;
		memcpy(p, strs[i], len);
		vec[i] = p;
		p += len;
	}
	vec[n] = NULL;
	return vec;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num) {
	struct simwire_msg reply;
	if (call_path(h, SIMWIRE_XS_DIRECTORY, t, path, &reply) < 0) {
		return NULL;
	}
	uint32_t n = simwire_get_u32(&reply);
	if (n > reply.len) {
		simwire_release(&reply);
		errno = EIO;
		return NULL;
	}
	const char **names = calloc((size_t)n + 1, sizeof(*names));
	for (uint32_t i = 0; names && i < n; i++) {
		names[i] = simwire_get_str(&reply);
	}
	char **vec = NULL;
	if (!names) {
		simwire_release(&reply);
		errno = ENOMEM;
	} else if (simconn_done(&reply) == 0) {
		vec = pack(names, n);
		simwire_release(&reply);
		if (vec && num) {
			*num = n;
		}
	}
	free(names);
	return vec;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
		const char *path, unsigned int *num) {
	struct simwire_msg reply;
	if (call_path(h, SIMWIRE_XS_GET_PERMS, t, path, &reply) < 0) {
		return NULL;
	}
	uint32_t n = simwire_get_u32(&reply);
	if (n > reply.len) {
		simwire_release(&reply);
		errno = EIO;
		return NULL;
	}
	struct xs_permissions *perms = calloc((size_t)n + 1, sizeof(*perms));
	for (uint32_t i = 0; perms && i < n; i++) {
		perms[i].id = simwire_get_u32(&reply);
		perms[i].perms = simwire_get_u32(&reply);
	}
	if (!perms) {
		simwire_release(&reply);
		errno = ENOMEM;
		return NULL;
	}
	if (simconn_done(&reply) < 0) {
		free(perms);
		return NULL;
	}
	simwire_release(&reply);
	if (num) {
		*num = n;
	}
	return perms;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
		struct xs_permissions *perms, unsigned int num_perms) {
	if (!h || !path || !perms || num_perms == 0) {
		errno = EINVAL;
		return false;
	}
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_XS_SET_PERMS, t, 0);
	simwire_put_str(&req, path);
	simwire_put_u32(&req, num_perms);
	for (unsigned int i = 0; i < num_perms; i++) {
		simwire_put_u32(&req, perms[i].id);
		simwire_put_u32(&req, perms[i].perms);
	}
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0 || simconn_done(&reply) < 0) {
		return false;
	}
	simwire_release(&reply);
	return true;
}

static bool call_watch(struct xs_handle *h, uint32_t type, const char *path, const char *token) {
	if (!h || !path || !token) {
		errno = EINVAL;
		return false;
	}
	struct simwire_buf req;
	simwire_start(&req, type, 0, 0);
	simwire_put_str(&req, path);
	simwire_put_str(&req, token);
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0 || simconn_done(&reply) < 0) {
		return false;
	}
	simwire_release(&reply);
	return true;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token) {
	return call_watch(h, SIMWIRE_XS_WATCH, path, token);
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token) {
	return call_watch(h, SIMWIRE_XS_UNWATCH, path, token);
}

int xs_fileno(struct xs_handle *h) {
	if (!h) {
		errno = EINVAL;
		return -1;
	}
	return h->conn.async_fd;
}

static char **read_watch(struct xs_handle *h, unsigned int *num, bool dontwait) {
	if (!h) {
		errno = EINVAL;
		return NULL;
	}
	struct simwire_msg event;
	int ret = simwire_recv(h->conn.async_fd, &event, dontwait);
	if (ret <= 0) {
		errno = ret == 0 ? ECONNRESET : -ret;
		return NULL;
	}
	const char *strs[2];
	strs[XS_WATCH_PATH] = simwire_get_str(&event);
	strs[XS_WATCH_TOKEN] = simwire_get_str(&event);
	if (event.hdr.type != SIMWIRE_XS_EVENT || event.nfds > 0 || !simwire_done(&event)) {
		simwire_release(&event);
		errno = EIO;
		return NULL;
	}
	char **vec = pack(strs, 2);
	simwire_release(&event);
	if (vec && num) {
		*num = 2;
	}
	return vec;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num) {
	return read_watch(h, num, false);
}

char **xs_check_watch(struct xs_handle *h) {
	return read_watch(h, NULL, true);
}

xs_transaction_t xs_transaction_start(struct xs_handle *h) {
	if (!h) {
		errno = EINVAL;
		return XBT_NULL;
	}
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_XS_TX_START, 0, 0);
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0) {
		return XBT_NULL;
	}
	uint32_t id = simwire_get_u32(&reply);
	if (simconn_done(&reply) < 0) {
		return XBT_NULL;
	}
	simwire_release(&reply);
	return id;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort) {
	if (!h || t == XBT_NULL) {
		errno = EINVAL;
		return false;
	}
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_XS_TX_END, t, 0);
	simwire_put_u32(&req, abort ? 0 : 1);
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0 || simconn_done(&reply) < 0) {
		return false;
	}
	simwire_release(&reply);
	return true;
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid) {
	if (!h) {
		errno = EINVAL;
		return NULL;
	}
	char *path = malloc(32);
	if (path) {
		snprintf(path, 32, "/local/domain/%u", domid);
	}
	return path;
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid) {
	if (!h) {
		errno = EINVAL;
		return false;
	}
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_XS_INTRODUCED, 0, 0);
	simwire_put_u32(&req, domid);
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0) {
		return false;
	}
	bool introduced = simwire_get_u32(&reply) != 0;
	if (simconn_done(&reply) < 0) {
		return false;
	}
	simwire_release(&reply);
	return introduced;
}

bool xs_path_is_subpath(const char *parent, const char *child) {
	size_t plen = strlen(parent), clen = strlen(child);
	return clen >= plen && memcmp(child, parent, plen) == 0 && (clen == plen || child[plen] == '/');
}
