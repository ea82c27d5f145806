#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xenstore.h>

#include "test_util.h"
#include "wire.h"

/* Clients that misbehave lose their connection; the broker serves on. */

static int raw_connect(void) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", getenv("XENSIM_SOCKET"));
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	return fd;
}

/* The broker closes the connection: no reply, end of file. */
static void expect_closed(int fd) {
	CHECK(readable(fd, 2000));
	char buf[64];
	CHECK_EQ(recv(fd, buf, sizeof(buf), 0), 0);
	close(fd);
}

static void hello(int fd, uint32_t magic, uint32_t kind, uint32_t domid, int pass_fd) {
	struct simwire_buf buf;
	simwire_start(&buf, SIMWIRE_HELLO, 0, 0);
	simwire_put_u32(&buf, magic);
	simwire_put_u32(&buf, kind);
	simwire_put_u32(&buf, domid);
	simwire_put_u32(&buf, 0);
	CHECK_EQ(simwire_send(fd, &buf, &pass_fd, pass_fd >= 0 ? 1 : 0, false), 0);
	simwire_finish(&buf);
}

static void expect_reply(int fd, uint32_t type, int err) {
	struct simwire_msg msg;
	CHECK_EQ(simwire_recv(fd, &msg, false), 1);
	CHECK_EQ(msg.hdr.type, type);
	CHECK_EQ(msg.hdr.err, err);
	simwire_release(&msg);
}

static void send_u32s(int fd, uint32_t type, const uint32_t *values, size_t n, int pass_fd) {
	struct simwire_buf buf;
	simwire_start(&buf, type, 0, 0);
	for (size_t i = 0; i < n; i++) {
		simwire_put_u32(&buf, values[i]);
	}
	CHECK_EQ(simwire_send(fd, &buf, &pass_fd, pass_fd >= 0 ? 1 : 0, false), 0);
	simwire_finish(&buf);
}

int main(int argc, char **argv) {
	sim_start(argc, argv);

	int fd = raw_connect();
	CHECK_EQ(send(fd, "junk", 4, 0), 4);
	expect_closed(fd);

	fd = raw_connect();
	CHECK_EQ(send(fd, "", 0, 0), 0);
	expect_closed(fd);

	fd = raw_connect();
	hello(fd, 0xdeadbeef, SIMWIRE_KIND_GNTTAB, 0, -1);
	expect_closed(fd);

	/* XenStore handles need their event socket, grant sharers their memory file. */
	fd = raw_connect();
	hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_XS, 0, -1);
	expect_closed(fd);
	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	fd = raw_connect();
	hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_EVTCHN, 0, pipefd[0]);
	expect_closed(fd);
	fd = raw_connect();
	hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_GNTSHR, 0, pipefd[0]);
	expect_reply(fd, SIMWIRE_HELLO, EINVAL);
	expect_closed(fd);

	/* Unknown domains, and the toolstack's requests from a guest. */
	fd = raw_connect();
	hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_GNTTAB, 77, -1);
	expect_reply(fd, SIMWIRE_HELLO, ESRCH);
	expect_closed(fd);
	sim_create(3);
	fd = raw_connect();
	hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_CTL, 3, -1);
	expect_reply(fd, SIMWIRE_HELLO, EPERM);
	expect_closed(fd);

	/* Well introduced, then nonsense: truncated, oversized, wrong kind, stray fds. */
	uint32_t map_huge[2] = {0, 1u << 30};
	uint32_t map_short[3] = {0, 2, 1};
	uint32_t share[3] = {0, 1, 1};
	uint32_t ctl_create[1] = {5};
	const struct {
		uint32_t type;
		const uint32_t *values;
		size_t n;
		int fd;
	} bad[] = {
		{SIMWIRE_GNT_MAP, map_huge, 2, -1},
		{SIMWIRE_GNT_MAP, map_short, 3, -1},
		{SIMWIRE_GNT_SHARE, share, 3, -1},
		{SIMWIRE_CTL_CREATE, ctl_create, 1, -1},
		{SIMWIRE_GNT_UNMAP, share, 1, pipefd[1]},
		{SIMWIRE_XS_READ, share, 1, -1},
		{9999, share, 1, -1},
		{SIMWIRE_HELLO, share, 3, -1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = raw_connect();
		hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_GNTTAB, 0, -1);
		expect_reply(fd, SIMWIRE_HELLO, 0);
		send_u32s(fd, bad[i].type, bad[i].values, bad[i].n, bad[i].fd);
		expect_closed(fd);
	}
	close(pipefd[0]);
	close(pipefd[1]);

	/* A client that sends requests but never reads the replies. */
	fd = raw_connect();
	hello(fd, SIMWIRE_MAGIC, SIMWIRE_KIND_GNTTAB, 0, -1);
	uint32_t max[1] = {10};
	for (int i = 0; i < 2000; i++) {
		struct simwire_buf buf;
		simwire_start(&buf, SIMWIRE_GNT_SET_MAX, 0, 0);
		simwire_put_u32(&buf, max[0]);
		int ret = simwire_send(fd, &buf, NULL, 0, true);
		simwire_finish(&buf);
		if (ret == -EAGAIN) {
			break;
		}
		CHECK_EQ(ret, 0);
	}

	/* Still serving. */
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK(xs_write(xs, XBT_NULL, "/still", "here", 4));
	xs_close(xs);
	close(fd);
	CHECK(!*sim_stats(77));
	sim_stop();
	return 0;
}
