#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xenevtchn.h>

#include "test_util.h"

static bool stats_has(uint32_t domid, const char *what) {
	const char *line = sim_stats(domid);
	if (!strstr(line, what)) {
		fprintf(stderr, "stats of %u: \"%s\", expected %s\n", domid, line, what);
		return false;
	}
	return true;
}

/* Expects exactly one delivery of port on the handle, and unmasks it. */
static void expect_port(xenevtchn_handle *xce, int port) {
	CHECK(readable(xenevtchn_fd(xce), 5000));
	CHECK_EQ(xenevtchn_pending(xce), port);
	CHECK(!readable(xenevtchn_fd(xce), 0));
	CHECK_EQ(xenevtchn_unmask(xce, (evtchn_port_t)port), 0);
}

static void expect_nothing(xenevtchn_handle *xce) {
	CHECK(!readable(xenevtchn_fd(xce), 100));
}

static int guest(int fd, void *data) {
	(void)data;
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	CHECK(xce);
	evtchn_port_t remote = msg_recv_u32(fd);
	int port = xenevtchn_bind_interdomain(xce, 0, remote);
	CHECK(port > 0);
	/* Xen marks a freshly bound interdomain port pending. */
	expect_port(xce, port);
	msg_send_u32(fd, (uint32_t)port);

	/* Notifies while the port is masked coalesce into one more delivery at the unmask. */
	CHECK_EQ(msg_recv_u32(fd), 1);
	CHECK(readable(xenevtchn_fd(xce), 5000));
	CHECK_EQ(xenevtchn_pending(xce), port);
	expect_nothing(xce);
	CHECK_EQ(xenevtchn_unmask(xce, (evtchn_port_t)port), 0);
	expect_port(xce, port);
	expect_nothing(xce);
	msg_send_u32(fd, 2);

	CHECK_EQ(xenevtchn_notify(xce, (evtchn_port_t)port), 0);
	CHECK_EQ(msg_recv_u32(fd), 3);
	CHECK_EQ(xenevtchn_unbind(xce, (evtchn_port_t)port), 0);
	CHECK_ERRNO(xenevtchn_notify(xce, (evtchn_port_t)port) < 0, ENOTCONN);
	CHECK_ERRNO(xenevtchn_unbind(xce, (evtchn_port_t)port) < 0, ENOTCONN);
	/* Xen leaves the peer's end unbound, for this domain: it can bind again. */
	port = xenevtchn_bind_interdomain(xce, 0, remote);
	CHECK(port > 0);
	expect_port(xce, port);
	msg_send_u32(fd, 4);
	CHECK_EQ(msg_recv_u32(fd), 5);
	return 0; /* dies with the port bound */
}

static void test_notify(void) {
	sim_create(1);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	CHECK(xce);
	int local = xenevtchn_bind_unbound_port(xce, 1);
	CHECK(local > 0);
	struct child child = child_start(1, guest, NULL);
	msg_send_u32(child.fd, (uint32_t)local);
	int remote = (int)msg_recv_u32(child.fd);
	CHECK(stats_has(0, "evtchns=1"));
	CHECK(stats_has(1, "evtchns=1"));
	/* Bound already: nobody can bind to it again. */
	CHECK_ERRNO(xenevtchn_bind_interdomain(xce, 1, (evtchn_port_t)remote) < 0, EINVAL);

	for (int i = 0; i < 3; i++) {
		CHECK_EQ(xenevtchn_notify(xce, (evtchn_port_t)local), 0);
	}
	msg_send_u32(child.fd, 1);
	CHECK_EQ(msg_recv_u32(child.fd), 2);

	expect_port(xce, local);
	expect_nothing(xce);
	msg_send_u32(child.fd, 3);
	CHECK_EQ(msg_recv_u32(child.fd), 4);
	expect_nothing(xce);

	/* Once the guest is gone, notifies are dropped without an error. */
	msg_send_u32(child.fd, 5);
	CHECK_EQ(child_wait(&child), 0);
	for (int i = 0; i < 200 && !strstr(sim_stats(1), "alive=0"); i++) {
		usleep(10000);
	}
	CHECK(stats_has(1, "alive=0 grants=0 mapped_by_others=0 maps_held=0 evtchns=0"));
	CHECK_EQ(xenevtchn_notify(xce, (evtchn_port_t)local), 0);
	expect_nothing(xce);
	CHECK(stats_has(0, "evtchns=1"));
	CHECK_EQ(xenevtchn_unbind(xce, (evtchn_port_t)local), 0);
	CHECK(stats_has(0, "evtchns=0"));
	CHECK_EQ(xenevtchn_close(xce), 0);
}

static int intruder(int fd, void *data) {
	(void)data;
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	CHECK(xce);
	evtchn_port_t for_other = msg_recv_u32(fd);
	CHECK_ERRNO(xenevtchn_bind_interdomain(xce, 0, for_other) < 0, EINVAL);
	CHECK_ERRNO(xenevtchn_bind_interdomain(xce, 0, 4000) < 0, EINVAL);
	CHECK_ERRNO(xenevtchn_bind_interdomain(xce, 0, 0) < 0, EINVAL);
	CHECK_ERRNO(xenevtchn_bind_interdomain(xce, 42, 1) < 0, ESRCH);
	CHECK_ERRNO(xenevtchn_notify(xce, for_other) < 0, ENOTCONN);
	CHECK_EQ(xenevtchn_close(xce), 0);
	return 0;
}

static void test_errors(void) {
	sim_create(2);
	sim_create(3);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xenevtchn_handle *other = xenevtchn_open(NULL, 0);
	CHECK(xce && other);
	int for2 = xenevtchn_bind_unbound_port(xce, 2);
	CHECK(for2 > 0);
	struct child child = child_start(3, intruder, NULL);
	msg_send_u32(child.fd, (uint32_t)for2);
	CHECK_EQ(child_wait(&child), 0);

	/* A loop within dom0, across two handles: each port belongs to its handle. */
	int a = xenevtchn_bind_unbound_port(xce, 0);
	CHECK(a > 0 && a != for2);
	int b = xenevtchn_bind_interdomain(other, 0, (evtchn_port_t)a);
	CHECK(b > 0 && b != a);
	expect_port(other, b);
	CHECK_ERRNO(xenevtchn_notify(other, (evtchn_port_t)a) < 0, ENOTCONN);
	CHECK_EQ(xenevtchn_notify(xce, (evtchn_port_t)a), 0);
	expect_port(other, b);
	expect_nothing(xce);
	CHECK_EQ(xenevtchn_notify(other, (evtchn_port_t)b), 0);
	expect_port(xce, a);
	CHECK(stats_has(0, "evtchns=3"));
	/* Closing a handle closes its ports. */
	CHECK_EQ(xenevtchn_close(other), 0);
	for (int i = 0; i < 200 && !strstr(sim_stats(0), "evtchns=2"); i++) {
		usleep(10000);
	}
	CHECK(stats_has(0, "evtchns=2"));
	CHECK_EQ(xenevtchn_notify(xce, (evtchn_port_t)a), 0);
	expect_nothing(xce);
	CHECK_EQ(xenevtchn_close(xce), 0);
	CHECK_EQ(sim_run(NULL, "destroy", "--domid", "2", NULL), 0);
	CHECK_EQ(sim_run(NULL, "destroy", "--domid", "3", NULL), 1);
}

int main(int argc, char **argv) {
	sim_start(argc, argv);
	test_notify();
	test_errors();
	sim_stop();
	return 0;
}
