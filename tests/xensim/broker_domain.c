#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

static void domain_free(struct broker *broker, struct domain *dom) {
	broker->domains[dom->domid] = NULL;
	free(dom->grants);
	free(dom->ports);
	free(dom);
}

struct domain *domain_create(struct broker *broker, uint32_t domid, const char *name) {
	struct domain *old = domid < SIM_DOMID_LIMIT ? broker->domains[domid] : NULL;
	/* Like Xen, a domain id is free again once nothing of the old domain is left. */
	if (domid >= SIM_DOMID_LIMIT || (old && (old->alive || old->narenas > 0))) {
		errno = EEXIST;
		return NULL;
	}
	if (old) {
		domain_free(broker, old);
	}
	struct domain *dom = calloc(1, sizeof(*dom));
	if (!dom) {
		return NULL;
	}
	dom->domid = domid;
	snprintf(dom->name, sizeof(dom->name), "%s", name);
	dom->alive = true;
	dom->next_ref = SIM_GRANT_FIRST;
	broker->domains[domid] = dom;
	return dom;
}

struct domain *domain_lookup(struct broker *broker, uint32_t domid) {
	if (domid >= SIM_DOMID_LIMIT) {
		return NULL;
	}
	struct domain *dom = broker->domains[domid];
	return dom && dom->alive && !dom->dying ? dom : NULL;
}

void domain_unref(struct domain *dom) {
	dom->narenas--;
}

/*
 * What Xen and the toolstack do when a domain goes away without a clean
 * shutdown (on_crash=destroy): its devices are removed from XenStore at once,
 * then the hypervisor revokes its grants and closes its event channels.
 */
void domain_teardown(struct broker *broker, struct domain *dom) {
	char path[64];
	dom->dying = true;
	broker->introduced[dom->domid] = false;
	snprintf(path, sizeof(path), "/local/domain/%u/device", dom->domid);
	store_rm_internal(broker, path);
	store_rm_backends(broker, dom->domid);
	snprintf(path, sizeof(path), "/libxl/%u", dom->domid);
	store_rm_internal(broker, path);

	/* Its grants, channels and mappings all belong to its connections. */
	struct conn *conn;
	simlist_for_each(conn, &broker->conns, struct conn, link) {
		if (conn->dom == dom) {
			conn_shutdown(conn);
		}
	}

	snprintf(path, sizeof(path), "/local/domain/%u", dom->domid);
	store_rm_internal(broker, path);
	dom->alive = false;
	store_fire_special(broker, "@releaseDomain");
	/* The entry stays listed in the stats, with the pages others still map. */
	free(dom->grants);
	free(dom->ports);
	dom->grants = NULL;
	dom->ports = NULL;
}

void domain_finish_all(struct broker *broker) {
	for (uint32_t domid = 0; domid < SIM_DOMID_LIMIT; domid++) {
		if (broker->domains[domid]) {
			domain_free(broker, broker->domains[domid]);
		}
	}
}

static bool valid_name(const char *name) {
	size_t len = strlen(name);
	return len > 0 && len < sizeof(((struct domain *)0)->name) &&
		strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

static void print_domains(struct broker *broker, FILE *out, uint32_t only) {
	for (uint32_t domid = 0; domid < SIM_DOMID_LIMIT; domid++) {
		struct domain *dom = broker->domains[domid];
		if (!dom || (only != UINT32_MAX && only != domid)) {
			continue;
		}
		fprintf(out, "domid=%u name=%s alive=%d grants=%u mapped_by_others=%llu maps_held=%llu "
			"evtchns=%u\n", dom->domid, dom->name, dom->alive ? 1 : 0, dom->ngrants,
			(unsigned long long)dom->mapped_by_others, (unsigned long long)dom->maps_held,
			dom->nports);
	}
}

static void stats(struct conn *conn, uint32_t what, uint32_t only) {
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	if (!out) {
		conn_reply(conn, SIMWIRE_CTL_STATS, ENOMEM);
		return;
	}
	if (what == 0) {
		print_domains(conn->broker, out, only);
	} else {
		grant_print_mappings(conn->broker, out);
	}
	if (fclose(out) != 0) {
		free(text);
		conn_reply(conn, SIMWIRE_CTL_STATS, ENOMEM);
		return;
	}
	struct simwire_buf buf;
	simwire_start(&buf, SIMWIRE_CTL_STATS, 0, 0);
	simwire_put_str(&buf, text);
	free(text);
	conn_send(conn, &buf, NULL, 0);
}

/* Requests from the toolstack (dom0 only, checked at the hello). */
void domain_handle(struct conn *conn, struct simwire_msg *msg) {
	struct broker *broker = conn->broker;
	uint32_t type = msg->hdr.type;
	uint32_t domid = simwire_get_u32(msg);
	struct domain *dom;
	int err = 0;
	switch (type) {
	case SIMWIRE_CTL_CREATE: {
		const char *name = simwire_get_str(msg);
		if (!simwire_done(msg)) {
			break;
		}
		if (domid == 0 || domid >= SIM_DOMID_LIMIT || !valid_name(name)) {
			err = EINVAL;
		} else if (!domain_create(broker, domid, name)) {
			err = errno == EEXIST ? EEXIST : ENOMEM;
		}
		conn_reply(conn, type, err);
		return;
	}
	case SIMWIRE_CTL_INTRODUCE:
		if (!simwire_done(msg)) {
			break;
		}
		dom = domain_lookup(broker, domid);
		if (!dom) {
			err = ESRCH;
		} else {
			loop_lock(&broker->store_loop);
			broker->introduced[domid] = true;
			store_fire_special(broker, "@introduceDomain");
			loop_unlock(&broker->store_loop);
		}
		conn_reply(conn, type, err);
		return;
	case SIMWIRE_CTL_DESTROY:
		if (!simwire_done(msg)) {
			break;
		}
		dom = domain_lookup(broker, domid);
		if (domid == 0) {
			err = EPERM;
		} else if (!dom) {
			err = ESRCH;
		} else {
			loop_lock(&broker->store_loop);
			domain_teardown(broker, dom);
			loop_unlock(&broker->store_loop);
		}
		conn_reply(conn, type, err);
		return;
	case SIMWIRE_CTL_STATS: {
		uint32_t what = domid;
		uint32_t only = simwire_get_u32(msg);
		if (!simwire_done(msg)) {
			break;
		}
		stats(conn, what, only);
		return;
	}
	}
	conn->broken = true;
}
