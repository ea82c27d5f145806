#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib_conn.h"
#include "xensim_ctl.h"

struct xensim_ctl {
	struct simconn conn;
};

struct xensim_ctl *xensim_ctl_open(void) {
	struct xensim_ctl *ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		return NULL;
	}
	if (simconn_open(&ctl->conn, SIMWIRE_KIND_CTL, -1) < 0) {
		int err = errno;
		free(ctl);
		errno = err;
		return NULL;
	}
	return ctl;
}

void xensim_ctl_close(struct xensim_ctl *ctl) {
	if (ctl) {
		simconn_close(&ctl->conn);
		free(ctl);
	}
}

static int call(struct xensim_ctl *ctl, uint32_t type, uint32_t domid, const char *name) {
	struct simwire_buf req;
	simwire_start(&req, type, 0, 0);
	simwire_put_u32(&req, domid);
	if (name) {
		simwire_put_str(&req, name);
	}
	struct simwire_msg reply;
	if (simconn_call(&ctl->conn, &req, &reply) < 0 || simconn_done(&reply) < 0) {
		return -1;
	}
	simwire_release(&reply);
	return 0;
}

int xensim_ctl_create(struct xensim_ctl *ctl, uint32_t domid, const char *name) {
	return call(ctl, SIMWIRE_CTL_CREATE, domid, name);
}

int xensim_ctl_introduce(struct xensim_ctl *ctl, uint32_t domid) {
	return call(ctl, SIMWIRE_CTL_INTRODUCE, domid, NULL);
}

int xensim_ctl_destroy(struct xensim_ctl *ctl, uint32_t domid) {
	return call(ctl, SIMWIRE_CTL_DESTROY, domid, NULL);
}

char *xensim_ctl_stats(struct xensim_ctl *ctl, enum xensim_ctl_stats what, uint32_t domid) {
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_CTL_STATS, 0, 0);
	simwire_put_u32(&req, what);
	simwire_put_u32(&req, domid);
	struct simwire_msg reply;
	if (simconn_call(&ctl->conn, &req, &reply) < 0) {
		return NULL;
	}
	const char *text = simwire_get_str(&reply);
	if (simconn_done(&reply) < 0) {
		return NULL;
	}
	char *copy = strdup(text);
	simwire_release(&reply);
	return copy;
}
