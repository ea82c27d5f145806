#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "test_util.h"

/*
 * An agent is a child process acting as a guest: it runs XenStore
 * operations the test sends it and answers with the outcome.
 */
struct cmd {
	char op; /* r read, w write, p set perms, W watch, e/n next event, q quit */
	char path[128];
	char value[128];
	unsigned nperms;
	struct xs_permissions perms[4];
};

struct res {
	int ok;
	int err;
	char a[128], b[128];
};

static int agent_main(int fd, void *data) {
	(void)data;
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	for (;;) {
		struct cmd cmd;
		msg_recv(fd, &cmd, sizeof(cmd));
		struct res res = {0};
		errno = 0;
		char *value = NULL;
		char **event = NULL;
		switch (cmd.op) {
		case 'r':
			value = xs_read(xs, XBT_NULL, cmd.path, NULL);
			res.ok = value != NULL;
			snprintf(res.a, sizeof(res.a), "%s", value ? value : "");
			free(value);
			break;
		case 'w':
			res.ok = xs_write(xs, XBT_NULL, cmd.path, cmd.value, (unsigned)strlen(cmd.value));
			break;
		case 'p':
			res.ok = xs_set_permissions(xs, XBT_NULL, cmd.path, cmd.perms, cmd.nperms);
			break;
		case 'W':
			res.ok = xs_watch(xs, cmd.path, cmd.value);
			break;
		case 'e': /* an event expected: waits long */
		case 'n': /* none expected: waits briefly */
			if (readable(xs_fileno(xs), cmd.op == 'e' ? 5000 : 200)) {
				event = xs_check_watch(xs);
			}
			res.ok = event != NULL;
			if (event) {
				snprintf(res.a, sizeof(res.a), "%s", event[XS_WATCH_PATH]);
				snprintf(res.b, sizeof(res.b), "%s", event[XS_WATCH_TOKEN]);
			}
			free(event);
			break;
		case 'q':
			xs_close(xs);
			return 0;
		}
		res.err = res.ok ? 0 : errno;
		msg_send(fd, &res, sizeof(res));
	}
}

static struct res agent(struct child *child, char op, const char *path, const char *value) {
	struct cmd cmd = {.op = op};
	snprintf(cmd.path, sizeof(cmd.path), "%s", path ? path : "");
	snprintf(cmd.value, sizeof(cmd.value), "%s", value ? value : "");
	msg_send(child->fd, &cmd, sizeof(cmd));
	struct res res;
	msg_recv(child->fd, &res, sizeof(res));
	return res;
}

static struct res agent_perms(struct child *child, const char *path,
		const struct xs_permissions *perms, unsigned nperms) {
	struct cmd cmd = {.op = 'p', .nperms = nperms};
	snprintf(cmd.path, sizeof(cmd.path), "%s", path);
	memcpy(cmd.perms, perms, nperms * sizeof(*perms));
	msg_send(child->fd, &cmd, sizeof(cmd));
	struct res res;
	msg_recv(child->fd, &res, sizeof(res));
	return res;
}

static void agent_quit(struct child *child) {
	struct cmd cmd = {.op = 'q'};
	msg_send(child->fd, &cmd, sizeof(cmd));
	CHECK_EQ(child_wait(child), 0);
}

/* Expects one watch event (path, token) within 2 s. */
static void expect_event(struct xs_handle *xs, const char *path, const char *token) {
	CHECK(readable(xs_fileno(xs), 5000));
	unsigned int num = 0;
	char **event = xs_read_watch(xs, &num);
	CHECK(event);
	CHECK_EQ(num, 2);
	if (strcmp(event[XS_WATCH_PATH], path) != 0 || strcmp(event[XS_WATCH_TOKEN], token) != 0) {
		fprintf(stderr, "event %s %s, expected %s %s\n", event[XS_WATCH_PATH],
			event[XS_WATCH_TOKEN], path, token);
		CHECK(!"unexpected event");
	}
	free(event);
}

static void expect_no_event(struct xs_handle *xs) {
	CHECK(!readable(xs_fileno(xs), 100));
	CHECK_ERRNO(!xs_check_watch(xs), EAGAIN);
}

static void test_basics(void) {
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK(xs_write(xs, XBT_NULL, "/t/a/b", "v", 1));
	unsigned int len = 99;
	char *value = xs_read(xs, XBT_NULL, "/t/a/b", &len);
	CHECK(value && strcmp(value, "v") == 0);
	CHECK_EQ(len, 1);
	free(value);
	value = xs_read(xs, XBT_NULL, "/t/a", &len);
	CHECK(value && len == 0 && value[0] == '\0');
	free(value);
	CHECK(xs_write(xs, XBT_NULL, "/t/a/c", "", 0));
	CHECK(xs_mkdir(xs, XBT_NULL, "/t/a/aa"));
	unsigned int n = 0;
	char **dir = xs_directory(xs, XBT_NULL, "/t/a", &n);
	CHECK(dir);
	CHECK_EQ(n, 3);
	CHECK(strcmp(dir[0], "b") == 0 && strcmp(dir[1], "c") == 0 && strcmp(dir[2], "aa") == 0);
	free(dir);
	dir = xs_directory(xs, XBT_NULL, "/t/a/b", &n);
	CHECK(dir && n == 0);
	free(dir);

	CHECK(xs_write(xs, XBT_NULL, "/t/bin", "a\0b", 3));
	value = xs_read(xs, XBT_NULL, "/t/bin", &len);
	CHECK(value && len == 3 && memcmp(value, "a\0b", 4) == 0);
	free(value);

	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/t/missing", NULL), ENOENT);
	CHECK(xs_rm(xs, XBT_NULL, "/t/a/missing")); /* fine: the parent exists */
	CHECK_ERRNO(!xs_rm(xs, XBT_NULL, "/t/nope/x"), ENOENT);
	CHECK(xs_mkdir(xs, XBT_NULL, "/t/a"));
	CHECK_ERRNO(!xs_rm(xs, XBT_NULL, "/"), EINVAL);
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "/t//a", "x", 1), EINVAL);
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "/t/a/", "x", 1), EINVAL);
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "/t/a b", "x", 1), EINVAL);
	char big[5000] = {0};
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "/t/big", big, sizeof(big)), E2BIG);

	CHECK(xs_rm(xs, XBT_NULL, "/t/a"));
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/t/a/b", NULL), ENOENT);
	char *home = xs_get_domain_path(xs, 5);
	CHECK(home && strcmp(home, "/local/domain/5") == 0);
	free(home);
	CHECK(xs_path_is_subpath("/a", "/a/b") && !xs_path_is_subpath("/a", "/ab"));
	xs_close(xs);
}

static void test_perms(void) {
	sim_create(1);
	sim_create(2);
	struct child g1 = child_start(1, agent_main, NULL);
	struct child g2 = child_start(2, agent_main, NULL);
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);

	/* Relative paths live in the domain's home; its creations are its own. */
	CHECK(agent(&g1, 'w', "data/dir/secret", "s1").ok);
	unsigned int n = 0;
	struct xs_permissions *perms = xs_get_permissions(xs, XBT_NULL,
		"/local/domain/1/data/dir/secret", &n);
	CHECK(perms && n == 1 && perms[0].id == 1 && perms[0].perms == XS_PERM_NONE);
	free(perms);
	perms = xs_get_permissions(xs, XBT_NULL, "/local/domain/1/data/dir", &n);
	CHECK(perms && n == 1 && perms[0].id == 1);
	free(perms);
	CHECK(strcmp(agent(&g1, 'r', "/local/domain/1/data/dir/secret", NULL).a, "s1") == 0);
	CHECK(strcmp(agent(&g1, 'r', "name", NULL).a, "guest1") == 0);

	/* Not the owner, no entry: nothing. dom0 may do anything. */
	struct res res = agent(&g2, 'r', "/local/domain/1/data/dir/secret", NULL);
	CHECK(!res.ok && res.err == EACCES);
	res = agent(&g2, 'w', "/local/domain/1/data/dir/secret", "x");
	CHECK(!res.ok && res.err == EACCES);
	res = agent(&g2, 'w', "/local/domain/0/x", "x");
	CHECK(!res.ok && res.err == EACCES);
	res = agent(&g2, 'r', "/local/domain/1/nope", NULL);
	CHECK(!res.ok && res.err == EACCES); /* its parent is unreadable too */
	res = agent(&g2, 'r', "/local/domain/2/nope", NULL);
	CHECK(!res.ok && res.err == ENOENT);
	char *value = xs_read(xs, XBT_NULL, "/local/domain/1/data/dir/secret", NULL);
	CHECK(value && strcmp(value, "s1") == 0);
	free(value);

	/* An explicit entry for dom2; only the owner may set them, and not give the node away. */
	struct xs_permissions grant[2] = {{1, XS_PERM_NONE}, {2, XS_PERM_READ}};
	res = agent_perms(&g2, "/local/domain/1/data/dir/secret", grant, 2);
	CHECK(!res.ok && res.err == EACCES);
	CHECK(agent_perms(&g1, "data/dir/secret", grant, 2).ok);
	CHECK(strcmp(agent(&g2, 'r', "/local/domain/1/data/dir/secret", NULL).a, "s1") == 0);
	res = agent(&g2, 'w', "/local/domain/1/data/dir/secret", "x");
	CHECK(!res.ok && res.err == EACCES);
	struct xs_permissions give[1] = {{2, XS_PERM_NONE}};
	res = agent_perms(&g1, "data/dir/secret", give, 1);
	CHECK(!res.ok && res.err == EPERM);
	/* The default entry: everybody may read and write. */
	struct xs_permissions everyone[1] = {{1, XS_PERM_READ | XS_PERM_WRITE}};
	CHECK(agent_perms(&g1, "data/dir", everyone, 1).ok);
	CHECK(agent(&g2, 'w', "/local/domain/1/data/dir/from2", "x").ok);
	perms = xs_get_permissions(xs, XBT_NULL, "/local/domain/1/data/dir/from2", &n);
	CHECK(perms && n == 1 && perms[0].id == 2 && perms[0].perms == (XS_PERM_READ | XS_PERM_WRITE));
	free(perms);

	agent_quit(&g1);
	agent_quit(&g2);
	xs_close(xs);
}

static void test_watches(void) {
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	expect_no_event(xs);
	/* A new watch fires once at once. */
	CHECK(xs_watch(xs, "/w", "t1"));
	expect_event(xs, "/w", "t1");
	expect_no_event(xs);
	CHECK_ERRNO(!xs_watch(xs, "/w", "t1"), EEXIST);

	CHECK(xs_write(xs, XBT_NULL, "/w/a/b", "1", 1));
	CHECK(readable(xs_fileno(xs), 0));
	expect_event(xs, "/w/a/b", "t1");
	expect_no_event(xs);
	CHECK(xs_mkdir(xs, XBT_NULL, "/w/a")); /* exists: no change */
	expect_no_event(xs);
	CHECK(xs_write(xs, XBT_NULL, "/wx", "1", 1)); /* not under /w */
	expect_no_event(xs);

	/* Removing a subtree fires watches inside it, with their own path. */
	CHECK(xs_watch(xs, "/w/a/b", "t2"));
	expect_event(xs, "/w/a/b", "t2");
	CHECK(xs_rm(xs, XBT_NULL, "/w/a"));
	bool seen_t1 = false, seen_t2 = false;
	for (int i = 0; i < 2; i++) {
		CHECK(readable(xs_fileno(xs), 5000));
		char **event = xs_check_watch(xs);
		CHECK(event);
		if (strcmp(event[XS_WATCH_TOKEN], "t1") == 0) {
			CHECK(strcmp(event[XS_WATCH_PATH], "/w/a") == 0);
			seen_t1 = true;
		} else {
			CHECK(strcmp(event[XS_WATCH_PATH], "/w/a/b") == 0);
			seen_t2 = true;
		}
		free(event);
	}
	CHECK(seen_t1 && seen_t2);
	expect_no_event(xs);
	CHECK(xs_unwatch(xs, "/w/a/b", "t2"));
	CHECK_ERRNO(!xs_unwatch(xs, "/w/a/b", "t2"), ENOENT);
	CHECK(xs_write(xs, XBT_NULL, "/w/a/b", "2", 1));
	expect_event(xs, "/w/a/b", "t1");
	struct xs_permissions perms[1] = {{0, XS_PERM_READ}};
	CHECK(xs_set_permissions(xs, XBT_NULL, "/w/a", perms, 1));
	expect_event(xs, "/w/a", "t1");
	expect_no_event(xs);

	/* Relative watches see relative paths; a watcher hears only of what it may read. */
	sim_create(1);
	sim_create(2);
	struct child g1 = child_start(1, agent_main, NULL);
	struct child g2 = child_start(2, agent_main, NULL);
	CHECK(agent(&g1, 'W', "data", "rel").ok);
	struct res res = agent(&g1, 'e', NULL, NULL);
	CHECK(res.ok && strcmp(res.a, "data") == 0 && strcmp(res.b, "rel") == 0);
	CHECK(agent(&g2, 'W', "/local/domain/1/data", "spy").ok);
	res = agent(&g2, 'e', NULL, NULL);
	CHECK(res.ok && strcmp(res.a, "/local/domain/1/data") == 0);
	CHECK(xs_watch(xs, "/local/domain/1/data", "dom0"));
	expect_event(xs, "/local/domain/1/data", "dom0");

	CHECK(agent(&g1, 'w', "data/x", "1").ok);
	res = agent(&g1, 'e', NULL, NULL);
	CHECK(res.ok && strcmp(res.a, "data/x") == 0 && strcmp(res.b, "rel") == 0);
	expect_event(xs, "/local/domain/1/data/x", "dom0");
	CHECK(!agent(&g2, 'n', NULL, NULL).ok);

	struct xs_permissions readable2[2] = {{1, XS_PERM_NONE}, {2, XS_PERM_READ}};
	CHECK(agent_perms(&g1, "data/x", readable2, 2).ok);
	CHECK(agent(&g1, 'e', NULL, NULL).ok);
	expect_event(xs, "/local/domain/1/data/x", "dom0");
	CHECK(agent(&g1, 'w', "data/x", "2").ok);
	CHECK(agent(&g1, 'e', NULL, NULL).ok);
	expect_event(xs, "/local/domain/1/data/x", "dom0");
	res = agent(&g2, 'e', NULL, NULL);
	CHECK(res.ok && strcmp(res.a, "/local/domain/1/data/x") == 0 && strcmp(res.b, "spy") == 0);
	CHECK(xs_unwatch(xs, "/local/domain/1/data", "dom0"));

	/* Domains coming and going: only dom0 hears of them. */
	CHECK(agent(&g1, 'W', "@releaseDomain", "rel").ok);
	CHECK(agent(&g1, 'e', NULL, NULL).ok);
	CHECK(xs_watch(xs, "@introduceDomain", "intro"));
	expect_event(xs, "@introduceDomain", "intro");
	CHECK(xs_watch(xs, "@releaseDomain", "release"));
	expect_event(xs, "@releaseDomain", "release");
	CHECK(xs_is_domain_introduced(xs, 0));
	CHECK(!xs_is_domain_introduced(xs, 7));
	sim_create(7);
	expect_event(xs, "@introduceDomain", "intro");
	CHECK(xs_is_domain_introduced(xs, 7));
	CHECK_EQ(sim_run(NULL, "destroy", "--domid", "7", NULL), 0);
	expect_event(xs, "@releaseDomain", "release");
	CHECK(!xs_is_domain_introduced(xs, 7));
	expect_no_event(xs);
	CHECK(!agent(&g1, 'n', NULL, NULL).ok);
	CHECK(xs_unwatch(xs, "@introduceDomain", "intro"));

	/* A guest that goes away is released. */
	agent_quit(&g2);
	expect_event(xs, "@releaseDomain", "release");
	agent_quit(&g1);
	expect_event(xs, "@releaseDomain", "release");
	xs_close(xs);
}

static void test_transactions(void) {
	struct xs_handle *a = xs_open(0), *b = xs_open(0);
	CHECK(a && b);
	CHECK(xs_watch(b, "/tx", "tx"));
	expect_event(b, "/tx", "tx");

	/* A transaction sees its own changes; others see them, and watches fire, at the commit. */
	xs_transaction_t t = xs_transaction_start(a);
	CHECK(t != XBT_NULL);
	CHECK(xs_write(a, t, "/tx/a", "1", 1));
	char *value = xs_read(a, t, "/tx/a", NULL);
	CHECK(value && strcmp(value, "1") == 0);
	free(value);
	CHECK_ERRNO(!xs_read(b, XBT_NULL, "/tx/a", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(a, XBT_NULL, "/tx/a", NULL), ENOENT);
	expect_no_event(b);
	CHECK(xs_transaction_end(a, t, false));
	expect_event(b, "/tx/a", "tx");
	value = xs_read(b, XBT_NULL, "/tx/a", NULL);
	CHECK(value && strcmp(value, "1") == 0);
	free(value);

	/*
	 * A change elsewhere meanwhile: no conflict, and both stay (xenstored
	 * tracks the nodes a transaction accessed since Xen 4.9).
	 */
	t = xs_transaction_start(a);
	CHECK(t != XBT_NULL);
	CHECK(xs_write(a, t, "/tx/a", "2", 1));
	CHECK(xs_write(b, XBT_NULL, "/elsewhere", "x", 1));
	CHECK(xs_transaction_end(a, t, false));
	expect_event(b, "/tx/a", "tx");
	expect_no_event(b);
	value = xs_read(a, XBT_NULL, "/tx/a", NULL);
	CHECK(value && strcmp(value, "2") == 0);
	free(value);
	value = xs_read(a, XBT_NULL, "/elsewhere", NULL);
	CHECK(value && strcmp(value, "x") == 0);
	free(value);

	/* A change of a node it read meanwhile: EAGAIN, nothing applied. */
	t = xs_transaction_start(a);
	value = xs_read(a, t, "/tx/a", NULL);
	CHECK(value && strcmp(value, "2") == 0);
	free(value);
	CHECK(xs_write(a, t, "/tx/e", "1", 1));
	CHECK(xs_write(b, XBT_NULL, "/tx/a", "1", 1));
	expect_event(b, "/tx/a", "tx");
	CHECK_ERRNO(!xs_transaction_end(a, t, false), EAGAIN);
	CHECK_ERRNO(!xs_read(a, XBT_NULL, "/tx/e", NULL), ENOENT);
	expect_no_event(b);

	/* A node it created gets a sibling meanwhile (its parent's kids changed): EAGAIN. */
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "/tx/e", "1", 1));
	CHECK(xs_write(b, XBT_NULL, "/tx/f", "1", 1));
	expect_event(b, "/tx/f", "tx");
	CHECK_ERRNO(!xs_transaction_end(a, t, false), EAGAIN);
	CHECK_ERRNO(!xs_read(a, XBT_NULL, "/tx/e", NULL), ENOENT);

	/* A node it found missing comes meanwhile: EAGAIN. */
	t = xs_transaction_start(a);
	CHECK_ERRNO(!xs_read(a, t, "/tx/g", NULL), ENOENT);
	CHECK(xs_write(a, t, "/elsewhere", "y", 1));
	CHECK(xs_write(b, XBT_NULL, "/tx/g", "1", 1));
	expect_event(b, "/tx/g", "tx");
	CHECK_ERRNO(!xs_transaction_end(a, t, false), EAGAIN);
	value = xs_read(a, XBT_NULL, "/elsewhere", NULL);
	CHECK(value && strcmp(value, "x") == 0);
	free(value);
	CHECK(xs_rm(b, XBT_NULL, "/tx/f"));
	CHECK(xs_rm(b, XBT_NULL, "/tx/g"));
	expect_event(b, "/tx/f", "tx");
	expect_event(b, "/tx/g", "tx");

	/* What it made and then changed again itself: no conflict with itself. */
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "/tx/h/i", "1", 1));
	CHECK(xs_write(a, t, "/tx/h/j", "1", 1));
	CHECK(xs_rm(a, t, "/tx/h/i"));
	CHECK(xs_transaction_end(a, t, false));
	expect_event(b, "/tx/h/i", "tx");
	expect_event(b, "/tx/h/j", "tx");
	expect_event(b, "/tx/h/i", "tx");
	expect_no_event(b);
	CHECK_ERRNO(!xs_read(a, XBT_NULL, "/tx/h/i", NULL), ENOENT);
	CHECK(xs_rm(a, XBT_NULL, "/tx/h"));
	expect_event(b, "/tx/h", "tx");
	expect_no_event(b);

	/* Abort discards. */
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "/tx/c", "1", 1));
	CHECK(xs_rm(a, t, "/tx/a"));
	CHECK_ERRNO(!xs_read(a, t, "/tx/a", NULL), ENOENT);
	CHECK(xs_transaction_end(a, t, true));
	CHECK_ERRNO(!xs_read(a, XBT_NULL, "/tx/c", NULL), ENOENT);
	value = xs_read(a, XBT_NULL, "/tx/a", NULL);
	CHECK(value);
	free(value);
	expect_no_event(b);
	CHECK_ERRNO(!xs_transaction_end(a, t, false), ENOENT);
	CHECK_ERRNO(!xs_read(a, 4242, "/tx/a", NULL), ENOENT);

	/* Several changes fire in order at the commit. */
	t = xs_transaction_start(a);
	CHECK(xs_rm(a, t, "/tx/a"));
	CHECK(xs_write(a, t, "/tx/d", "1", 1));
	expect_no_event(b);
	CHECK(xs_transaction_end(a, t, false));
	expect_event(b, "/tx/a", "tx");
	expect_event(b, "/tx/d", "tx");
	expect_no_event(b);

	/* Ten open transactions per connection, as xenstored allows. */
	xs_transaction_t txs[10];
	for (int i = 0; i < 10; i++) {
		txs[i] = xs_transaction_start(a);
		CHECK(txs[i] != XBT_NULL);
	}
	CHECK_ERRNO(xs_transaction_start(a) == XBT_NULL, ENOSPC);
	for (int i = 0; i < 10; i++) {
		CHECK(xs_transaction_end(a, txs[i], true));
	}
	xs_close(a);
	xs_close(b);
}

int main(int argc, char **argv) {
	sim_start(argc, argv);
	test_basics();
	test_perms();
	test_watches();
	test_transactions();
	sim_stop();
	return 0;
}
