#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xengnttab.h>

#include "test_util.h"

#define PAGE 4096

/* Waits until the broker noticed a domain's death (it is asynchronous). */
static void wait_dead(uint32_t domid) {
	for (int i = 0; i < 500; i++) {
		const char *line = sim_stats(domid);
		if (strstr(line, "alive=0")) {
			return;
		}
		usleep(10000);
	}
	CHECK(!"the domain did not die");
}

static bool stats_has(uint32_t domid, const char *what) {
	const char *line = sim_stats(domid);
	if (!strstr(line, what)) {
		fprintf(stderr, "stats of %u: \"%s\", expected %s\n", domid, line, what);
		return false;
	}
	return true;
}

/* dom1 shares three pages with dom0, then checks dom0's write and unshares while mapped. */
static int share_child(int fd, void *data) {
	(void)data;
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	CHECK(xgs);
	uint32_t refs[3];
	uint8_t *mem = xengntshr_share_pages(xgs, 0, 3, refs, 1);
	CHECK(mem);
	CHECK((uintptr_t)mem % PAGE == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(refs[i] >= 8); /* 0..7 are reserved, as in Linux */
		memset(mem + i * PAGE, 'a' + i, PAGE);
	}
	CHECK(refs[0] != refs[1] && refs[1] != refs[2] && refs[0] != refs[2]);
	msg_send(fd, refs, sizeof(refs));

	CHECK_EQ(msg_recv_u32(fd), 1);
	CHECK(memcmp(mem + PAGE + 100, "from dom0", 9) == 0);
	CHECK_EQ(xengntshr_unshare(xgs, mem, 3), 0);
	msg_send_u32(fd, 2);

	/* Unshared pages come back zeroed, under new refs. */
	uint32_t ref;
	uint8_t *again = xengntshr_share_pages(xgs, 0, 1, &ref, 1);
	CHECK(again);
	CHECK(ref != refs[0] && ref != refs[1] && ref != refs[2]);
	for (int i = 0; i < PAGE; i++) {
		CHECK_EQ(again[i], 0);
	}
	CHECK_EQ(xengntshr_unshare(xgs, again, 1), 0);
	CHECK_EQ(msg_recv_u32(fd), 3);
	xengntshr_close(xgs);
	return 0;
}

static void test_share_map(void) {
	sim_create(1);
	struct child child = child_start(1, share_child, NULL);
	uint32_t refs[3];
	msg_recv(child.fd, refs, sizeof(refs));

	xengnttab_handle *xgt = xengnttab_open(NULL, 0);
	CHECK(xgt);
	uint8_t *map = xengnttab_map_domain_grant_refs(xgt, 3, 1, refs, PROT_READ | PROT_WRITE);
	CHECK(map);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(map[i * PAGE], 'a' + i);
		CHECK_EQ(map[i * PAGE + PAGE - 1], 'a' + i);
	}
	CHECK(stats_has(1, "alive=1 grants=3 mapped_by_others=3 maps_held=0"));
	CHECK(stats_has(0, "mapped_by_others=0 maps_held=3"));
	char *maps;
	CHECK_EQ(sim_run(&maps, "stats", "--maps", NULL), 0);
	CHECK(strcmp(maps, "mapper=0 granter=1 pages=3\n") == 0);
	free(maps);

	memcpy(map + PAGE + 100, "from dom0", 9);
	msg_send_u32(child.fd, 1);
	CHECK_EQ(msg_recv_u32(child.fd), 2);

	/* The granter unshared: the mapping stays, a new one is refused. */
	CHECK_EQ(map[0], 'a');
	CHECK_EQ(map[2 * PAGE], 'c');
	CHECK(stats_has(1, "grants=0 mapped_by_others=3"));
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 1, refs[0], PROT_READ), EINVAL);

	CHECK_ERRNO(xengnttab_unmap(xgt, map, 2) < 0, EINVAL);
	CHECK_ERRNO(xengnttab_unmap(xgt, map + PAGE, 2) < 0, EINVAL);
	CHECK_EQ(xengnttab_unmap(xgt, map, 3), 0);
	CHECK(stats_has(1, "grants=0 mapped_by_others=0"));
	CHECK(stats_has(0, "maps_held=0"));

	msg_send_u32(child.fd, 3);
	CHECK_EQ(child_wait(&child), 0);
	CHECK_EQ(xengnttab_close(xgt), 0);
	/* Its last connection gone, domain 1 crashed and nobody maps its pages. */
	wait_dead(1);
	CHECK(stats_has(1, "alive=0 grants=0 mapped_by_others=0 maps_held=0 evtchns=0"));
}

/* dom2 grants one page to dom3, one read-only, one revoked, and four writable to dom0. */
static int refuse_child(int fd, void *data) {
	(void)data;
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	CHECK(xgs);
	uint32_t refs[7];
	CHECK(xengntshr_share_pages(xgs, 3, 1, &refs[0], 1));
	uint8_t *ro = xengntshr_share_pages(xgs, 0, 1, &refs[1], 0);
	CHECK(ro);
	memset(ro, 'r', PAGE);
	uint8_t *gone = xengntshr_share_pages(xgs, 0, 1, &refs[2], 1);
	CHECK(gone);
	CHECK_EQ(xengntshr_unshare(xgs, gone, 1), 0);
	CHECK_ERRNO(xengntshr_unshare(xgs, gone, 1) < 0, EINVAL);
	uint8_t *four = xengntshr_share_pages(xgs, 0, 4, &refs[3], 1);
	CHECK(four);
	for (int i = 0; i < 4; i++) {
		four[i * PAGE] = (uint8_t)('0' + i);
	}
	msg_send(fd, refs, sizeof(refs));
	CHECK_EQ(msg_recv_u32(fd), 1);
	xengntshr_close(xgs);
	return 0;
}

static void test_refusals(void) {
	sim_create(2);
	sim_create(3);
	struct child child = child_start(2, refuse_child, NULL);
	uint32_t refs[7];
	msg_recv(child.fd, refs, sizeof(refs));
	xengnttab_handle *xgt = xengnttab_open(NULL, 0);
	CHECK(xgt);

	/* Granted to another domain. */
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 2, refs[0], PROT_READ), EPERM);
	/* Read-only, mapped for writing. */
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 2, refs[1], PROT_READ | PROT_WRITE), EPERM);
	uint8_t *ro = xengnttab_map_grant_ref(xgt, 2, refs[1], PROT_READ);
	CHECK(ro);
	CHECK_EQ(ro[10], 'r');
	CHECK_ERRNO(mprotect(ro, PAGE, PROT_READ | PROT_WRITE) < 0, EACCES);
	CHECK_EQ(xengnttab_unmap(xgt, ro, 1), 0);
	/* Revoked, reserved, out of the table, of a domain that does not exist. */
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 2, refs[2], PROT_READ), EINVAL);
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 2, 5, PROT_READ), EINVAL);
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 2, 40000, PROT_READ), EINVAL);
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 9, refs[3], PROT_READ), EINVAL);

	/* Pages come in the order of the refs. */
	uint32_t domids[4] = {2, 2, 2, 2};
	uint32_t order[4] = {refs[6], refs[4], refs[5], refs[3]};
	uint8_t *map = xengnttab_map_grant_refs(xgt, 4, domids, order, PROT_READ);
	CHECK(map);
	CHECK_EQ(map[0], '3');
	CHECK_EQ(map[PAGE], '1');
	CHECK_EQ(map[2 * PAGE], '2');
	CHECK_EQ(map[3 * PAGE], '0');
	CHECK(stats_has(0, "maps_held=4"));
	CHECK_EQ(xengnttab_unmap(xgt, map, 4), 0);

	/* One bad ref fails the whole request and leaves nothing mapped. */
	uint32_t mixed[3] = {refs[3], refs[4], refs[2]};
	CHECK_ERRNO(!xengnttab_map_domain_grant_refs(xgt, 3, 2, mixed, PROT_READ), EINVAL);
	CHECK(stats_has(0, "maps_held=0"));
	CHECK(stats_has(2, "grants=6 mapped_by_others=0"));

	/* The handle's limit, like gntdev's. */
	CHECK_EQ(xengnttab_set_max_grants(xgt, 2), 0);
	CHECK_ERRNO(!xengnttab_map_domain_grant_refs(xgt, 3, 2, &refs[3], PROT_READ), ENOMEM);
	map = xengnttab_map_domain_grant_refs(xgt, 2, 2, &refs[3], PROT_READ);
	CHECK(map);
	CHECK_EQ(xengnttab_unmap(xgt, map, 2), 0);

	msg_send_u32(child.fd, 1);
	CHECK_EQ(child_wait(&child), 0);
	CHECK_EQ(xengnttab_close(xgt), 0);
}

static int die_child(int fd, void *data) {
	(void)data;
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	CHECK(xgs);
	uint32_t refs[2];
	uint8_t *mem = xengntshr_share_pages(xgs, 0, 2, refs, 1);
	CHECK(mem);
	memset(mem, 'x', 2 * PAGE);
	msg_send(fd, refs, sizeof(refs));
	msg_recv_u32(fd);
	return 0; /* exits without closing anything: the domain crashes */
}

static void test_granter_death(void) {
	sim_create(4);
	struct child child = child_start(4, die_child, NULL);
	uint32_t refs[2];
	msg_recv(child.fd, refs, sizeof(refs));
	xengnttab_handle *xgt = xengnttab_open(NULL, 0);
	CHECK(xgt);
	uint8_t *map = xengnttab_map_domain_grant_refs(xgt, 2, 4, refs, PROT_READ | PROT_WRITE);
	CHECK(map);
	msg_send_u32(child.fd, 1);
	CHECK_EQ(child_wait(&child), 0);
	wait_dead(4);

	/* The memory lives on while mapped, and the dead domain stays listed. */
	CHECK_EQ(map[0], 'x');
	CHECK_EQ(map[2 * PAGE - 1], 'x');
	map[5] = 'y';
	CHECK_EQ(map[5], 'y');
	CHECK(stats_has(4, "alive=0 grants=0 mapped_by_others=2 maps_held=0 evtchns=0"));
	CHECK_ERRNO(!xengnttab_map_grant_ref(xgt, 4, refs[0], PROT_READ), EINVAL);
	CHECK(sim_run(NULL, "create", "--domid", "4", "--name", "again", NULL) != 0);

	CHECK_EQ(xengnttab_unmap(xgt, map, 2), 0);
	CHECK(stats_has(4, "alive=0 grants=0 mapped_by_others=0"));
	sim_create(4);
	CHECK(stats_has(4, "alive=1"));
	CHECK_EQ(xengnttab_close(xgt), 0);
}

/* A domain's grant table holds 32768 refs, 8 of them reserved. */
static int table_child(int fd, void *data) {
	(void)fd;
	(void)data;
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	CHECK(xgs);
	uint32_t *refs = calloc(32768, sizeof(*refs));
	CHECK(refs);
	void *all = xengntshr_share_pages(xgs, 0, 32760, refs, 1);
	CHECK(all);
	CHECK_ERRNO(!xengntshr_share_pages(xgs, 0, 1, refs + 32760, 1), ENOSPC);
	CHECK_EQ(xengntshr_unshare(xgs, all, 32760), 0);
	void *one = xengntshr_share_pages(xgs, 0, 1, refs, 1);
	CHECK(one);
	CHECK_EQ(xengntshr_unshare(xgs, one, 1), 0);
	free(refs);
	xengntshr_close(xgs);
	return 0;
}

static void test_table_limit(void) {
	sim_create(5);
	struct child child = child_start(5, table_child, NULL);
	CHECK_EQ(child_wait(&child), 0);
}

/* Dom0 shares through Linux's gntalloc device: 1024 pages in all by default. */
static int gntalloc_child(int fd, void *data) {
	(void)fd;
	(void)data;
	xengntshr_handle *a = xengntshr_open(NULL, 0), *b = xengntshr_open(NULL, 0);
	CHECK(a && b);
	uint32_t *refs = calloc(1025, sizeof(*refs));
	CHECK(refs);
	CHECK_ERRNO(!xengntshr_share_pages(a, 5, 1025, refs, 1), ENOSPC);
	void *most = xengntshr_share_pages(a, 5, 1000, refs, 1);
	CHECK(most);
	/* The limit is the domain's, whichever handle shares. */
	CHECK_ERRNO(!xengntshr_share_pages(b, 5, 25, refs + 1000, 1), ENOSPC);
	void *rest = xengntshr_share_pages(b, 5, 24, refs + 1000, 1);
	CHECK(rest);
	CHECK_EQ(xengntshr_unshare(a, most, 1000), 0);
	void *again = xengntshr_share_pages(a, 5, 1000, refs, 1);
	CHECK(again);
	CHECK_EQ(xengntshr_unshare(a, again, 1000), 0);
	CHECK_EQ(xengntshr_unshare(b, rest, 24), 0);
	free(refs);
	xengntshr_close(a);
	xengntshr_close(b);
	return 0;
}

static void test_gntalloc_limit(void) {
	struct child child = child_start(0, gntalloc_child, NULL);
	CHECK_EQ(child_wait(&child), 0);
}

int main(int argc, char **argv) {
	sim_start(argc, argv);
	test_share_map();
	test_refusals();
	test_granter_death();
	test_table_limit();
	test_gntalloc_limit();
	sim_stop();
	return 0;
}
