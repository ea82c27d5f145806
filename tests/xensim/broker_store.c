#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

/* Quotas in the manner of xenstored's, so that no client exhausts the broker. */
#define MAX_NODES 100000
#define MAX_WATCHES 128
#define MAX_TXS 10
#define MAX_PERMS 1024

static const char path_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_@";

struct node {
	char *name;
	char *value;
	uint32_t len;
	struct xs_permissions *perms; /* [0]: owner and everyone's default */
	uint32_t nperms;
	struct node *parent;
	struct node **kids; /* in creation order, as xenstored lists them */
	uint32_t nkids;
	uint64_t gen; /* the store's clock when it, its kids or its permissions last changed */
};

/*
 * The store's clock: a node changed later has a later gen. Transactions
 * conflict by node, as xenstored's do since Xen 4.9: on the nodes they
 * accessed, never on changes elsewhere (a guest flooding its own directory
 * with writes makes nobody else's transaction fail).
 */
static uint64_t store_clock;

struct watch {
	struct simlist link; /* conn.watches */
	char *path; /* absolute, or a special name */
	char *token;
	bool relative; /* events drop the domain's home prefix */
};

/* A change, kept until watches fire (at once, or when a transaction commits). */
struct event {
	char *path;
	struct xs_permissions *perms; /* who may see the event; NULL for special ones */
	uint32_t nperms;
	bool exact; /* fires watches on this very path only (nodes inside a removed subtree) */
};

struct events {
	struct event *v;
	size_t n, cap;
	bool failed;
};

/* A node a transaction looked at, as it was before the transaction changed anything there. */
struct access {
	char *path;
	uint64_t gen;
	bool present;
};

/* A change a transaction made, made again on the live tree when it commits. */
struct change {
	uint32_t type; /* SIMWIRE_XS_WRITE, _MKDIR, _RM or _SET_PERMS */
	char *path;
	void *data;
	uint32_t len;
	struct xs_permissions *perms;
	uint32_t nperms;
};

/* A transaction sees what it saw at its start, and what it changed itself. */
#define MAX_TX_ACCESSES 4096
#define MAX_TX_CHANGES 4096

struct tx {
	struct simlist link; /* conn.txs */
	uint32_t id;
	uint64_t start; /* store_clock at its start: a later gen in its tree is its own change */
	struct tree tree; /* the transaction's own copy */
	struct access *accesses;
	size_t naccesses;
	struct change *changes;
	size_t nchanges;
	bool overflow; /* more than it can track: it conflicts with any change at all */
	uint64_t generation; /* of the live tree at its start, for an overflowing one */
};

static size_t node_free(struct node *node) {
	size_t count = 1;
	for (uint32_t i = 0; i < node->nkids; i++) {
		count += node_free(node->kids[i]);
	}
	free(node->kids);
	free(node->name);
	free(node->value);
	free(node->perms);
	free(node);
	return count;
}

static void tree_free(struct tree *tree) {
	if (tree->root) {
		node_free(tree->root);
	}
	*tree = (struct tree){0};
}

static struct node *node_clone(const struct node *src, struct node *parent) {
	struct node *node = calloc(1, sizeof(*node));
	if (!node) {
		return NULL;
	}
	node->parent = parent;
	node->name = strdup(src->name);
	node->perms = malloc(src->nperms * sizeof(*node->perms));
	node->value = src->len ? malloc(src->len) : NULL;
	node->kids = src->nkids ? calloc(src->nkids, sizeof(*node->kids)) : NULL;
	if (!node->name || !node->perms || (src->len && !node->value) || (src->nkids && !node->kids)) {
		goto error;
	}
	memcpy(node->perms, src->perms, src->nperms * sizeof(*node->perms));
	node->nperms = src->nperms;
	if (src->len) {
		memcpy(node->value, src->value, src->len);
	}
	node->len = src->len;
	node->gen = src->gen;
	for (uint32_t i = 0; i < src->nkids; i++) {
		node->kids[i] = node_clone(src->kids[i], node);
		if (!node->kids[i]) {
			goto error;
		}
		node->nkids++;
	}
	return node;
error:
	node_free(node);
	return NULL;
}

static struct node *child_named(const struct node *node, const char *name, size_t len) {
	for (uint32_t i = 0; i < node->nkids; i++) {
		const char *kid = node->kids[i]->name;
		if (strncmp(kid, name, len) == 0 && kid[len] == '\0') {
			return node->kids[i];
		}
	}
	return NULL;
}

/* Returns the deepest existing node on the path; *rest is what remains (empty if found). */
static struct node *walk(const struct tree *tree, const char *path, const char **rest) {
	struct node *node = tree->root;
	const char *p = path + 1;
	while (*p) {
		size_t len = strcspn(p, "/");
		struct node *kid = child_named(node, p, len);
		if (!kid) {
			break;
		}
		node = kid;
		p += len;
		if (*p == '/') {
			p++;
		}
	}
	*rest = p;
	return node;
}

/* Adds a child that inherits its parent's permissions; unprivileged creators own it. */
static struct node *node_add(struct tree *tree, struct node *parent, const char *name, size_t len,
		uint32_t domid, int *err) {
	*err = ENOSPC;
	if (tree->nodes >= MAX_NODES) {
		return NULL;
	}
	*err = ENOMEM;
	struct node **kids = realloc(parent->kids, (parent->nkids + 1) * sizeof(*kids));
	if (!kids) {
		return NULL;
	}
	parent->kids = kids;
	struct node *node = calloc(1, sizeof(*node));
	if (!node) {
		return NULL;
	}
	node->name = strndup(name, len);
	node->perms = malloc(parent->nperms * sizeof(*node->perms));
	if (!node->name || !node->perms) {
		node_free(node);
		return NULL;
	}
	memcpy(node->perms, parent->perms, parent->nperms * sizeof(*node->perms));
	node->nperms = parent->nperms;
	if (domid != 0) {
		node->perms[0].id = domid;
	}
	node->parent = parent;
	parent->kids[parent->nkids++] = node;
	node->gen = parent->gen = ++store_clock;
	tree->nodes++;
	return node;
}

static void node_remove(struct tree *tree, struct node *node) {
	struct node *parent = node->parent;
	for (uint32_t i = 0; i < parent->nkids; i++) {
		if (parent->kids[i] == node) {
			memmove(&parent->kids[i], &parent->kids[i + 1],
				(parent->nkids - i - 1) * sizeof(*parent->kids));
			parent->nkids--;
			break;
		}
	}
	parent->gen = ++store_clock;
	tree->nodes -= node_free(node);
}

/* xenstored's perm_for_conn: dom0 and the owner may do anything. */
static unsigned perm_for(uint32_t domid, const struct xs_permissions *perms, uint32_t nperms) {
	if (domid == 0 || perms[0].id == domid) {
		return XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	}
	for (uint32_t i = 1; i < nperms; i++) {
		if (perms[i].id == domid) {
			return perms[i].perms & (XS_PERM_READ | XS_PERM_WRITE);
		}
	}
	return perms[0].perms & (XS_PERM_READ | XS_PERM_WRITE);
}

static unsigned node_perm(uint32_t domid, const struct node *node) {
	return perm_for(domid, node->perms, node->nperms);
}

/* Makes a client's path absolute (relative ones live in the domain's home). */
static int canonical(uint32_t domid, const char *in, bool special_ok, char **out, bool *relative) {
	size_t len = strlen(in);
	*relative = false;
	if (len == 0 || strspn(in, path_chars) != len) {
		return EINVAL;
	}
	if (in[0] == '@') {
		if (!special_ok || len > XENSTORE_REL_PATH_MAX || strchr(in, '/')) {
			return EINVAL;
		}
		*out = strdup(in);
		return *out ? 0 : ENOMEM;
	}
	char *path;
	if (in[0] == '/') {
		if (len > XENSTORE_ABS_PATH_MAX) {
			return EINVAL;
		}
		path = strdup(in);
	} else {
		if (len > XENSTORE_REL_PATH_MAX) {
			return EINVAL;
		}
		path = malloc(len + 32);
		if (path) {
			snprintf(path, len + 32, "/local/domain/%u/%s", domid, in);
		}
		*relative = true;
	}
	if (!path) {
		return ENOMEM;
	}
	size_t plen = strlen(path);
	if (strstr(path, "//") || (plen > 1 && path[plen - 1] == '/')) {
		free(path);
		return EINVAL;
	}
	*out = path;
	return 0;
}

static void events_add(struct events *ev, const char *path, const struct node *node, bool exact) {
	if (ev->n == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : 8;
		struct event *v = realloc(ev->v, cap * sizeof(*v));
		if (!v) {
			ev->failed = true;
			return;
		}
		ev->v = v;
		ev->cap = cap;
	}
	struct event *e = &ev->v[ev->n];
	*e = (struct event){.exact = exact};
	e->path = strdup(path);
	if (node) {
		e->perms = malloc(node->nperms * sizeof(*e->perms));
		if (e->perms) {
			memcpy(e->perms, node->perms, node->nperms * sizeof(*e->perms));
			e->nperms = node->nperms;
		}
	}
	if (!e->path || (node && !e->perms)) {
		free(e->path);
		free(e->perms);
		ev->failed = true;
		return;
	}
	ev->n++;
}

static void events_clear(struct events *ev) {
	for (size_t i = 0; i < ev->n; i++) {
		free(ev->v[i].path);
		free(ev->v[i].perms);
	}
	free(ev->v);
	*ev = (struct events){0};
}

static void send_event(struct conn *conn, const struct watch *watch, const char *path) {
	const char *shown = path;
	if (watch->relative) {
		char home[32];
		int n = snprintf(home, sizeof(home), "/local/domain/%u/", conn->dom->domid);
		if (strncmp(path, home, (size_t)n) == 0 && path[n]) {
			shown = path + n;
		}
	}
	struct simwire_buf buf;
	simwire_start(&buf, SIMWIRE_XS_EVENT, 0, 0);
	simwire_put_str(&buf, shown);
	simwire_put_str(&buf, watch->token);
	conn_send_async(conn, &buf);
}

static bool is_within(const char *path, const char *top) {
	if (top[0] != '/') {
		return false;
	}
	if (strcmp(top, "/") == 0) {
		return path[0] == '/';
	}
	size_t len = strlen(top);
	return strncmp(path, top, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static void fire(struct broker *broker, const struct event *e) {
	bool special = e->path[0] == '@';
	/* A connection has watches only once the store loop serves it. */
	struct conn *conn;
	simlist_for_each(conn, &broker->store_loop.conns, struct conn, loop_link) {
		if (conn->closed || conn->broken || !conn->dom) {
			continue;
		}
		uint32_t domid = conn->dom->domid;
		/* Only those who may read the node hear of it; special events go to dom0. */
		if (special ? domid != 0 :
				!(perm_for(domid, e->perms, e->nperms) & XS_PERM_READ)) {
			continue;
		}
		struct watch *watch;
		simlist_for_each(watch, &conn->watches, struct watch, link) {
			bool match = special || e->exact ? strcmp(watch->path, e->path) == 0 :
				is_within(e->path, watch->path);
			if (match) {
				send_event(conn, watch, e->path);
			}
		}
	}
}

/* A change of the live tree fires at once; one inside a transaction waits for the commit. */
static void record(struct broker *broker, struct tx *tx, struct events *ev) {
	if (ev->n == 0 && !ev->failed) {
		return;
	}
	if (ev->failed) {
		fprintf(stderr, "xensim: out of memory: watch events lost\n");
	}
	if (!tx) {
		broker->generation++;
		for (size_t i = 0; i < ev->n; i++) {
			fire(broker, &ev->v[i]);
		}
		return;
	}
	/* Its changes fire watches when they are made again on the live tree, at the commit. */
}

static int find_readable(const struct tree *tree, uint32_t domid, const char *path,
		struct node **out) {
	const char *rest;
	struct node *node = walk(tree, path, &rest);
	unsigned perm = node_perm(domid, node);
	if (*rest) {
		/* Like xenstored: a missing node under an unreadable one is EACCES. */
		return perm & XS_PERM_READ ? ENOENT : EACCES;
	}
	if (!(perm & XS_PERM_READ)) {
		return EACCES;
	}
	*out = node;
	return 0;
}

static int op_write(struct tree *tree, uint32_t domid, const char *path, const void *data,
		uint32_t len, bool mkdir, struct events *ev) {
	const char *rest;
	struct node *node = walk(tree, path, &rest);
	if (!*rest && mkdir) {
		return 0;
	}
	/* The node, or else its first existing ancestor, must be writable. */
	if (!(node_perm(domid, node) & XS_PERM_WRITE)) {
		return EACCES;
	}
	char *value = NULL;
	if (len > 0) {
		value = malloc(len);
		if (!value) {
			return ENOMEM;
		}
		memcpy(value, data, len);
	}
	struct node *first = NULL;
	while (*rest) {
		size_t n = strcspn(rest, "/");
		int err;
		struct node *kid = node_add(tree, node, rest, n, domid, &err);
		if (!kid) {
			if (first) {
				node_remove(tree, first);
			}
			free(value);
			return err;
		}
		first = first ? first : kid;
		node = kid;
		rest += n;
		if (*rest == '/') {
			rest++;
		}
	}
	if (!mkdir) {
		free(node->value);
		node->value = value;
		node->len = len;
		node->gen = ++store_clock;
	}
	events_add(ev, path, node, false);
	return 0;
}

static void subtree_events(struct events *ev, const struct node *node, char *path, size_t len) {
	for (uint32_t i = 0; i < node->nkids; i++) {
		const struct node *kid = node->kids[i];
		size_t klen = strlen(kid->name);
		if (len + 1 + klen > XENSTORE_ABS_PATH_MAX) {
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, kid->name, klen + 1);
		events_add(ev, path, kid, true);
		subtree_events(ev, kid, path, len + 1 + klen);
	}
	path[len] = '\0';
}

static int op_rm(struct tree *tree, uint32_t domid, const char *path, struct events *ev) {
	const char *rest;
	struct node *node = walk(tree, path, &rest);
	if (*rest) {
		/* Removing a missing node is fine if its parent exists. */
		return strchr(rest, '/') ? ENOENT : 0;
	}
	if (node == tree->root) {
		return EINVAL;
	}
	if (!(node_perm(domid, node) & XS_PERM_WRITE)) {
		return EACCES;
	}
	/* Watches on nodes inside the subtree fire with their own path. */
	char *buf = malloc(XENSTORE_ABS_PATH_MAX + 1);
	if (!buf) {
		return ENOMEM;
	}
	snprintf(buf, XENSTORE_ABS_PATH_MAX + 1, "%s", path);
	subtree_events(ev, node, buf, strlen(buf));
	free(buf);
	events_add(ev, path, node, false);
	node_remove(tree, node);
	return 0;
}

static int op_set_perms(struct tree *tree, uint32_t domid, const char *path,
		const struct xs_permissions *perms, uint32_t nperms, struct events *ev) {
	const char *rest;
	struct node *node = walk(tree, path, &rest);
	if (*rest) {
		return ENOENT;
	}
	if (!(node_perm(domid, node) & XS_PERM_OWNER)) {
		return EACCES;
	}
	if (domid != 0 && perms[0].id != node->perms[0].id) {
		return EPERM;
	}
	struct xs_permissions *copy = malloc(nperms * sizeof(*copy));
	if (!copy) {
		return ENOMEM;
	}
	memcpy(copy, perms, nperms * sizeof(*copy));
	/* Told with the old permissions, so that those losing access hear of it. */
	events_add(ev, path, node, false);
	free(node->perms);
	node->perms = copy;
	node->nperms = nperms;
	node->gen = ++store_clock;
	return 0;
}

static struct tx *find_tx(struct conn *conn, uint32_t id) {
	struct tx *tx;
	simlist_for_each(tx, &conn->txs, struct tx, link) {
		if (tx->id == id) {
			return tx;
		}
	}
	return NULL;
}

static void tx_free(struct conn *conn, struct tx *tx) {
	simlist_remove(&tx->link);
	tree_free(&tx->tree);
	for (size_t i = 0; i < tx->naccesses; i++) {
		free(tx->accesses[i].path);
	}
	free(tx->accesses);
	for (size_t i = 0; i < tx->nchanges; i++) {
		free(tx->changes[i].path);
		free(tx->changes[i].data);
		free(tx->changes[i].perms);
	}
	free(tx->changes);
	free(tx);
	conn->ntxs--;
}

static void tx_note(struct tx *tx, const char *path, size_t len, uint64_t gen, bool present) {
	for (size_t i = 0; i < tx->naccesses; i++) {
		if (strncmp(tx->accesses[i].path, path, len) == 0 && tx->accesses[i].path[len] == '\0') {
			return;
		}
	}
	if (tx->naccesses == MAX_TX_ACCESSES) {
		tx->overflow = true;
		return;
	}
	if (tx->naccesses % 64 == 0) {
		struct access *v = realloc(tx->accesses, (tx->naccesses + 64) * sizeof(*v));
		if (!v) {
			tx->overflow = true;
			return;
		}
		tx->accesses = v;
	}
	char *copy = strndup(path, len);
	if (!copy) {
		tx->overflow = true;
		return;
	}
	tx->accesses[tx->naccesses++] = (struct access){copy, gen, present};
}

/*
 * The transaction is about to look at path (and, changing it, at its
 * parent's list of kids): what is there, unless the transaction itself
 * made it so (then what it first saw decides).
 */
static void tx_access(struct tx *tx, const char *path, bool parent_too) {
	const char *rest;
	struct node *node = walk(&tx->tree, path, &rest);
	if (!*rest) {
		if (node->gen <= tx->start) {
			tx_note(tx, path, strlen(path), node->gen, true);
		}
		if (!parent_too || node->parent == NULL) {
			return;
		}
		node = node->parent;
		rest = path + strlen(path);
		while (rest > path && rest[-1] != '/') {
			rest--;
		}
	} else if (node->gen <= tx->start) {
		tx_note(tx, path, strlen(path), 0, false);
	}
	/* The deepest node there is on the way: its kids decide whether path comes or goes. */
	if (node->gen <= tx->start) {
		size_t len = (size_t)(rest - path);
		while (len > 1 && path[len - 1] == '/') {
			len--;
		}
		tx_note(tx, path, len, node->gen, true);
	}
}

static bool tx_keep(struct tx *tx, uint32_t type, const char *path, const void *data,
		uint32_t len, const struct xs_permissions *perms, uint32_t nperms) {
	if (tx->nchanges == MAX_TX_CHANGES) {
		return false;
	}
	if (tx->nchanges % 64 == 0) {
		struct change *v = realloc(tx->changes, (tx->nchanges + 64) * sizeof(*v));
		if (!v) {
			return false;
		}
		tx->changes = v;
	}
	struct change c = {.type = type, .len = len, .nperms = nperms};
	c.path = strdup(path);
	c.data = len ? malloc(len) : NULL;
	c.perms = nperms ? malloc(nperms * sizeof(*perms)) : NULL;
	if (!c.path || (len && !c.data) || (nperms && !c.perms)) {
		free(c.path);
		free(c.data);
		free(c.perms);
		return false;
	}
	if (len) {
		memcpy(c.data, data, len);
	}
	if (nperms) {
		memcpy(c.perms, perms, nperms * sizeof(*perms));
	}
	tx->changes[tx->nchanges++] = c;
	return true;
}

/* Whether every node the transaction accessed is as it was then. */
static bool tx_unchanged(struct broker *broker, const struct tx *tx) {
	if (tx->overflow) {
		return tx->generation == broker->generation;
	}
	for (size_t i = 0; i < tx->naccesses; i++) {
		const struct access *a = &tx->accesses[i];
		const char *rest;
		struct node *node = walk(&broker->tree, a->path, &rest);
		bool present = !*rest;
		if (present != a->present || (present && node->gen != a->gen)) {
			return false;
		}
	}
	return true;
}

static void reply_node(struct simwire_buf *buf, uint32_t type, const struct node *node) {
	switch (type) {
	case SIMWIRE_XS_READ:
		simwire_put_blob(buf, node->value, node->len);
		break;
	case SIMWIRE_XS_DIRECTORY:
		simwire_put_u32(buf, node->nkids);
		for (uint32_t i = 0; i < node->nkids; i++) {
			simwire_put_str(buf, node->kids[i]->name);
		}
		break;
	case SIMWIRE_XS_GET_PERMS:
		simwire_put_u32(buf, node->nperms);
		for (uint32_t i = 0; i < node->nperms; i++) {
			simwire_put_u32(buf, node->perms[i].id);
			simwire_put_u32(buf, node->perms[i].perms);
		}
		break;
	}
}

static void handle_node_op(struct conn *conn, struct simwire_msg *msg) {
	struct broker *broker = conn->broker;
	uint32_t type = msg->hdr.type;
	uint32_t domid = conn->dom->domid;
	const char *in = simwire_get_str(msg);
	const void *data = NULL;
	uint32_t len = 0, nperms = 0;
	struct xs_permissions *perms = NULL;
	if (type == SIMWIRE_XS_WRITE) {
		data = simwire_get_blob(msg, &len);
	} else if (type == SIMWIRE_XS_SET_PERMS) {
		nperms = simwire_get_u32(msg);
		if (nperms > MAX_PERMS || !(perms = calloc(nperms + 1, sizeof(*perms)))) {
			conn->broken = true;
			return;
		}
		for (uint32_t i = 0; i < nperms; i++) {
			perms[i].id = simwire_get_u32(msg);
			perms[i].perms = simwire_get_u32(msg);
		}
	}
	if (!simwire_done(msg)) {
		conn->broken = true;
		free(perms);
		return;
	}

	struct simwire_buf buf;
	simwire_start(&buf, type, 0, 0);
	struct events ev = {0};
	struct tx *tx = NULL;
	char *path = NULL;
	bool relative;
	int err = 0;
	if (msg->hdr.tx && !(tx = find_tx(conn, msg->hdr.tx))) {
		err = ENOENT;
		goto reply;
	}
	err = canonical(domid, in, false, &path, &relative);
	if (err) {
		goto reply;
	}
	if (len > XENSTORE_PAYLOAD_MAX) {
		err = E2BIG;
		goto reply;
	}
	if (type == SIMWIRE_XS_SET_PERMS) {
		err = nperms == 0 ? EINVAL : 0;
		for (uint32_t i = 0; i < nperms; i++) {
			if (perms[i].id > UINT16_MAX ||
					(perms[i].perms & ~(unsigned)(XS_PERM_READ | XS_PERM_WRITE))) {
				err = EINVAL;
			}
		}
		if (err) {
			goto reply;
		}
	}

	struct tree *tree = tx ? &tx->tree : &broker->tree;
	bool changes = type != SIMWIRE_XS_READ && type != SIMWIRE_XS_DIRECTORY &&
		type != SIMWIRE_XS_GET_PERMS;
	if (tx) {
		tx_access(tx, path, changes);
		/* As xenstored's quota of a transaction's nodes: past it, ENOSPC. */
		if (changes && !tx_keep(tx, type, path, data, len, perms, nperms)) {
			err = tx->nchanges == MAX_TX_CHANGES ? ENOSPC : ENOMEM;
			changes = false;
			goto reply;
		}
	}
	struct node *node;
	switch (type) {
	case SIMWIRE_XS_READ:
	case SIMWIRE_XS_DIRECTORY:
	case SIMWIRE_XS_GET_PERMS:
		err = find_readable(tree, domid, path, &node);
		if (!err) {
			reply_node(&buf, type, node);
		}
		break;
	case SIMWIRE_XS_WRITE:
	case SIMWIRE_XS_MKDIR:
		err = op_write(tree, domid, path, data, len, type == SIMWIRE_XS_MKDIR, &ev);
		break;
	case SIMWIRE_XS_RM:
		err = op_rm(tree, domid, path, &ev);
		break;
	case SIMWIRE_XS_SET_PERMS:
		err = op_set_perms(tree, domid, path, perms, nperms, &ev);
		break;
	}
	if (tx && err && changes) {
		/* Not made: not made again either. */
		struct change *c = &tx->changes[--tx->nchanges];
		free(c->path);
		free(c->data);
		free(c->perms);
	}
	record(broker, tx, &ev);
	events_clear(&ev);
reply:
	free(path);
	free(perms);
	if (err) {
		simwire_finish(&buf);
		conn_reply(conn, type, err);
	} else {
		conn_send(conn, &buf, NULL, 0);
	}
}

static int watch_add(struct conn *conn, char **path, bool relative, const char *token) {
	struct watch *watch;
	simlist_for_each(watch, &conn->watches, struct watch, link) {
		if (strcmp(watch->path, *path) == 0 && strcmp(watch->token, token) == 0) {
			return EEXIST;
		}
	}
	if (conn->nwatches >= MAX_WATCHES) {
		return E2BIG;
	}
	watch = calloc(1, sizeof(*watch));
	if (!watch || !(watch->token = strdup(token))) {
		free(watch);
		return ENOMEM;
	}
	watch->path = *path;
	*path = NULL;
	watch->relative = relative;
	simlist_append(&conn->watches, &watch->link);
	conn->nwatches++;
	/* Like xenstored: every new watch fires once, with the path it names. */
	send_event(conn, watch, watch->path);
	return 0;
}

static void watch_free(struct conn *conn, struct watch *watch) {
	simlist_remove(&watch->link);
	free(watch->path);
	free(watch->token);
	free(watch);
	conn->nwatches--;
}

static int watch_remove(struct conn *conn, const char *path, const char *token) {
	struct watch *watch;
	simlist_for_each(watch, &conn->watches, struct watch, link) {
		if (strcmp(watch->path, path) == 0 && strcmp(watch->token, token) == 0) {
			watch_free(conn, watch);
			return 0;
		}
	}
	return ENOENT;
}

static void handle_watch(struct conn *conn, struct simwire_msg *msg) {
	uint32_t type = msg->hdr.type;
	const char *in = simwire_get_str(msg);
	const char *token = simwire_get_str(msg);
	if (!simwire_done(msg)) {
		conn->broken = true;
		return;
	}
	char *path = NULL;
	bool relative;
	int err = canonical(conn->dom->domid, in, true, &path, &relative);
	if (!err && strlen(token) > XENSTORE_PAYLOAD_MAX) {
		err = EINVAL;
	}
	if (!err) {
		err = type == SIMWIRE_XS_WATCH ? watch_add(conn, &path, relative, token) :
			watch_remove(conn, path, token);
	}
	free(path);
	conn_reply(conn, type, err);
}

static void handle_tx(struct conn *conn, struct simwire_msg *msg) {
	struct broker *broker = conn->broker;
	uint32_t type = msg->hdr.type;
	uint32_t commit = type == SIMWIRE_XS_TX_END ? simwire_get_u32(msg) : 0;
	if (!simwire_done(msg)) {
		conn->broken = true;
		return;
	}
	struct tx *tx;
	if (type == SIMWIRE_XS_TX_END) {
		tx = msg->hdr.tx ? find_tx(conn, msg->hdr.tx) : NULL;
		if (!tx) {
			conn_reply(conn, type, ENOENT);
			return;
		}
		int err = 0;
		if (commit && !tx_unchanged(broker, tx)) {
			err = EAGAIN;
		} else if (commit) {
			/* What it saw is as it was: its changes come out the same on the live tree. */
			uint32_t domid = conn->dom->domid;
			for (size_t i = 0; i < tx->nchanges; i++) {
				const struct change *c = &tx->changes[i];
				struct events ev = {0};
				switch (c->type) {
				case SIMWIRE_XS_WRITE:
				case SIMWIRE_XS_MKDIR:
					op_write(&broker->tree, domid, c->path, c->data, c->len,
						c->type == SIMWIRE_XS_MKDIR, &ev);
					break;
				case SIMWIRE_XS_RM:
					op_rm(&broker->tree, domid, c->path, &ev);
					break;
				case SIMWIRE_XS_SET_PERMS:
					op_set_perms(&broker->tree, domid, c->path, c->perms, c->nperms, &ev);
					break;
				}
				record(broker, NULL, &ev);
				events_clear(&ev);
			}
		}
		tx_free(conn, tx);
		conn_reply(conn, type, err);
		return;
	}

	if (conn->ntxs >= MAX_TXS) {
		conn_reply(conn, type, ENOSPC);
		return;
	}
	tx = calloc(1, sizeof(*tx));
	if (!tx || !(tx->tree.root = node_clone(broker->tree.root, NULL))) {
		free(tx);
		conn_reply(conn, type, ENOMEM);
		return;
	}
	tx->tree.nodes = broker->tree.nodes;
	tx->generation = broker->generation;
	tx->start = store_clock;
	do {
		tx->id = ++conn->next_tx;
	} while (tx->id == 0 || find_tx(conn, tx->id));
	simlist_append(&conn->txs, &tx->link);
	conn->ntxs++;
	struct simwire_buf buf;
	simwire_start(&buf, type, 0, 0);
	simwire_put_u32(&buf, tx->id);
	conn_send(conn, &buf, NULL, 0);
}

void store_handle(struct conn *conn, struct simwire_msg *msg) {
	switch (msg->hdr.type) {
	case SIMWIRE_XS_READ:
	case SIMWIRE_XS_WRITE:
	case SIMWIRE_XS_MKDIR:
	case SIMWIRE_XS_RM:
	case SIMWIRE_XS_DIRECTORY:
	case SIMWIRE_XS_GET_PERMS:
	case SIMWIRE_XS_SET_PERMS:
		handle_node_op(conn, msg);
		return;
	case SIMWIRE_XS_WATCH:
	case SIMWIRE_XS_UNWATCH:
		handle_watch(conn, msg);
		return;
	case SIMWIRE_XS_TX_START:
	case SIMWIRE_XS_TX_END:
		handle_tx(conn, msg);
		return;
	case SIMWIRE_XS_INTRODUCED: {
		uint32_t domid = simwire_get_u32(msg);
		if (!simwire_done(msg)) {
			break;
		}
		/* Answered from xenstored's own list, as the domains are the hypervisor's. */
		struct simwire_buf buf;
		simwire_start(&buf, SIMWIRE_XS_INTRODUCED, 0, 0);
		simwire_put_u32(&buf, domid < SIM_DOMID_LIMIT && conn->broker->introduced[domid]);
		conn_send(conn, &buf, NULL, 0);
		return;
	}
	}
	conn->broken = true;
}

void store_release_conn(struct conn *conn) {
	if (conn->kind != SIMWIRE_KIND_XS) {
		return;
	}
	struct watch *watch, *wtmp;
	simlist_for_each_safe(watch, wtmp, &conn->watches, struct watch, link) {
		watch_free(conn, watch);
	}
	struct tx *tx, *ttmp;
	simlist_for_each_safe(tx, ttmp, &conn->txs, struct tx, link) {
		tx_free(conn, tx);
	}
}

bool store_write_internal(struct broker *broker, const char *path, const char *value) {
	struct events ev = {0};
	int err = op_write(&broker->tree, 0, path, value, (uint32_t)strlen(value), false, &ev);
	record(broker, NULL, &ev);
	events_clear(&ev);
	return err == 0;
}

void store_rm_internal(struct broker *broker, const char *path) {
	struct events ev = {0};
	op_rm(&broker->tree, 0, path, &ev);
	record(broker, NULL, &ev);
	events_clear(&ev);
}

/* Removes /local/domain/X/backend/KIND/<domid> for every X and KIND. */
void store_rm_backends(struct broker *broker, uint32_t domid) {
	const char *rest;
	struct node *domains = walk(&broker->tree, "/local/domain", &rest);
	if (*rest) {
		return;
	}
	char name[16];
	snprintf(name, sizeof(name), "%u", domid);
	size_t npaths = 0;
	char **paths = NULL;
	for (uint32_t i = 0; i < domains->nkids; i++) {
		struct node *backend = child_named(domains->kids[i], "backend", strlen("backend"));
		for (uint32_t j = 0; backend && j < backend->nkids; j++) {
			if (!child_named(backend->kids[j], name, strlen(name))) {
				continue;
			}
			const char *dname = domains->kids[i]->name, *kind = backend->kids[j]->name;
			size_t size = strlen(dname) + strlen(kind) + strlen(name) + 32;
			char *path = malloc(size);
			char **grown = realloc(paths, (npaths + 1) * sizeof(*paths));
			if (grown) {
				paths = grown;
			}
			if (!path || !grown) {
				free(path);
				fprintf(stderr, "xensim: out of memory removing backends of %u\n", domid);
				goto remove;
			}
			snprintf(path, size, "/local/domain/%s/backend/%s/%s", dname, kind, name);
			paths[npaths++] = path;
		}
	}
remove:
	for (size_t i = 0; i < npaths; i++) {
		store_rm_internal(broker, paths[i]);
		free(paths[i]);
	}
	free(paths);
}

void store_fire_special(struct broker *broker, const char *name) {
	char path[32];
	snprintf(path, sizeof(path), "%s", name);
	struct event e = {.path = path, .exact = true};
	fire(broker, &e);
}

bool store_init(struct broker *broker) {
	struct node *root = calloc(1, sizeof(*root));
	if (!root) {
		return false;
	}
	root->name = strdup("");
	root->perms = calloc(1, sizeof(*root->perms));
	if (!root->name || !root->perms) {
		node_free(root);
		return false;
	}
	/* Owned by dom0, nothing for anybody else: xenstored's "n0". */
	root->nperms = 1;
	broker->tree = (struct tree){.root = root, .nodes = 1};
	return true;
}

void store_finish(struct broker *broker) {
	tree_free(&broker->tree);
}
