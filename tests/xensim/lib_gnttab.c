#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xengnttab.h>

#include "lib_conn.h"

/* A mapping (gnttab) or a share (gntshr) this handle made. */
struct region {
	uintptr_t addr;
	uint32_t count; /* pages */
	uint32_t id; /* gnttab: the broker's mapping id; gntshr: first page in the memfd */
	uint32_t live; /* gntshr: pages not unshared yet */
};

/*
 * Both libraries' handles are this one struct, as in xengnttab.h. Like
 * gntdev's ioctls, calls on one handle may come from several threads.
 */
struct xengntdev_handle {
	pthread_mutex_t lock; /* the connection and the regions */
	uint64_t map_ns_per_page; /* XENSIM_MAP_NS_PER_PAGE */
	struct simconn conn;
	int memfd; /* gntshr: the memory it shares, -1 for gnttab */
	struct region *regions;
	size_t nregions, cap;
};

static struct xengntdev_handle *open_handle(uint32_t kind) {
	struct xengntdev_handle *h = calloc(1, sizeof(*h));
	if (!h) {
		return NULL;
	}
	h->memfd = -1;
	pthread_mutex_init(&h->lock, NULL);
	const char *cost = getenv("XENSIM_MAP_NS_PER_PAGE");
	h->map_ns_per_page = cost && *cost ? strtoull(cost, NULL, 10) : 0;
	if (kind == SIMWIRE_KIND_GNTSHR) {
		h->memfd = memfd_create("xensim-grants", MFD_CLOEXEC);
		if (h->memfd < 0) {
			goto error;
		}
	}
	if (simconn_open(&h->conn, kind, h->memfd) < 0) {
		goto error;
	}
	return h;
error:;
	int err = errno;
	if (h->memfd >= 0) {
		close(h->memfd);
	}
	pthread_mutex_destroy(&h->lock);
	free(h);
	errno = err;
	return NULL;
}

static void close_handle(struct xengntdev_handle *h) {
	simconn_close(&h->conn);
	if (h->memfd >= 0) {
		close(h->memfd);
	}
	free(h->regions);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/*
 * Real Xen maps and unmaps page by page (a hypercall each, batched): a
 * caller is held in proportion to the pages. XENSIM_MAP_NS_PER_PAGE models
 * it (about 4000 under QEMU); nothing by default.
 */
static void hypercall_cost(const struct xengntdev_handle *h, uint32_t count) {
	uint64_t ns = h->map_ns_per_page * count;
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	while (ns > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static bool add_region(struct xengntdev_handle *h, void *addr, uint32_t count, uint32_t id) {
	if (h->nregions == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct region *regions = realloc(h->regions, cap * sizeof(*regions));
		if (!regions) {
			return false;
		}
		h->regions = regions;
		h->cap = cap;
	}
	h->regions[h->nregions++] = (struct region){(uintptr_t)addr, count, id, count};
	return true;
}

static void remove_region(struct xengntdev_handle *h, size_t i) {
	h->regions[i] = h->regions[--h->nregions];
}

static int call_u32s(struct xengntdev_handle *h, uint32_t type, uint32_t a, uint32_t b, int nargs) {
	struct simwire_buf req;
	simwire_start(&req, type, 0, 0);
	simwire_put_u32(&req, a);
	if (nargs > 1) {
		simwire_put_u32(&req, b);
	}
	struct simwire_msg reply;
	if (simconn_call(&h->conn, &req, &reply) < 0 || simconn_done(&reply) < 0) {
		return -1;
	}
	simwire_release(&reply);
	return 0;
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags) {
	(void)logger;
	(void)open_flags;
	return open_handle(SIMWIRE_KIND_GNTTAB);
}

int xengnttab_close(xengnttab_handle *xgt) {
	if (!xgt) {
		return 0;
	}
	/* As with gntdev, the memory stays mapped; the broker forgets the mappings. */
	if (xgt->nregions > 0) {
		fprintf(stderr, "xensim: xengnttab_close: %zu grant mappings were not unmapped\n",
			xgt->nregions);
	}
	close_handle(xgt);
	return 0;
}

int xengnttab_fd(xengnttab_handle *xgt) {
	return xgt->conn.fd;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants) {
	pthread_mutex_lock(&xgt->lock);
	int ret = call_u32s(xgt, SIMWIRE_GNT_SET_MAX, nr_grants, 0, 1);
	pthread_mutex_unlock(&xgt->lock);
	return ret;
}

/* Maps the pages the broker located, run by run, into one reserved range. */
static void *place(const struct simwire_msg *reply, const uint32_t *where, uint32_t count,
		int prot) {
	size_t size = (size_t)count * SIMWIRE_PAGE;
	uint8_t *base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		return NULL;
	}
	for (uint32_t i = 0; i < count;) {
		uint32_t fd_index = where[2 * i], page = where[2 * i + 1];
		uint32_t run = 1;
		while (i + run < count && where[2 * (i + run)] == fd_index &&
				where[2 * (i + run) + 1] == page + run) {
			run++;
		}
		void *addr = mmap(base + (size_t)i * SIMWIRE_PAGE, (size_t)run * SIMWIRE_PAGE, prot,
			MAP_SHARED | MAP_FIXED, reply->fds[fd_index], (off_t)page * SIMWIRE_PAGE);
		if (addr == MAP_FAILED) {
			int err = errno;
			munmap(base, size);
			errno = err;
			return NULL;
		}
		i += run;
	}
	return base;
}

static void *map_refs_locked(xengnttab_handle *xgt, uint32_t count, const uint32_t *domids,
		uint32_t domid, const uint32_t *refs, int prot) {
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_GNT_MAP, 0, 0);
	simwire_put_u32(&req, (prot & PROT_WRITE) ? 1 : 0);
	simwire_put_u32(&req, count);
	for (uint32_t i = 0; i < count; i++) {
		simwire_put_u32(&req, domids ? domids[i] : domid);
		simwire_put_u32(&req, refs[i]);
	}
	struct simwire_msg reply;
	if (simconn_call(&xgt->conn, &req, &reply) < 0) {
		return NULL;
	}
	int err;
	uint32_t id = simwire_get_u32(&reply);
	uint32_t *where = malloc((size_t)count * 2 * sizeof(*where));
	if (!where) {
		simwire_release(&reply);
		errno = ENOMEM;
		goto error_unmap;
	}
	for (uint32_t i = 0; i < 2 * count; i++) {
		where[i] = simwire_get_u32(&reply);
		if (i % 2 == 0 && where[i] >= reply.nfds) {
			reply.bad = true;
		}
	}
	if (simconn_done(&reply) < 0) {
		free(where);
		goto error_unmap;
	}
	void *addr = place(&reply, where, count, prot);
	err = errno;
	free(where);
	simwire_release(&reply); /* closes the memfds: the mappings keep the memory */
	if (!addr || !add_region(xgt, addr, count, id)) {
		if (addr) {
			munmap(addr, (size_t)count * SIMWIRE_PAGE);
			err = ENOMEM;
		}
		errno = err;
		goto error_unmap;
	}
	return addr;
error_unmap:
	err = errno;
	call_u32s(xgt, SIMWIRE_GNT_UNMAP, id, 0, 1);
	errno = err;
	return NULL;
}

static void *map_refs(xengnttab_handle *xgt, uint32_t count, const uint32_t *domids,
		uint32_t domid, const uint32_t *refs, int prot) {
	if (!xgt || count == 0 || !refs) {
		errno = EINVAL;
		return NULL;
	}
	if (count > SIMWIRE_MAX_MAP) {
		errno = E2BIG;
		return NULL;
	}
	pthread_mutex_lock(&xgt->lock);
	void *addr = map_refs_locked(xgt, count, domids, domid, refs, prot);
	int err = errno;
	pthread_mutex_unlock(&xgt->lock);
	hypercall_cost(xgt, count);
	errno = err;
	return addr;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot) {
	return map_refs(xgt, 1, NULL, domid, &ref, prot);
}

void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
		uint32_t *refs, int prot) {
	if (!domids) {
		errno = EINVAL;
		return NULL;
	}
	return map_refs(xgt, count, domids, 0, refs, prot);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
		uint32_t *refs, int prot) {
	return map_refs(xgt, count, NULL, domid, refs, prot);
}

static int unmap_locked(xengnttab_handle *xgt, void *start_address, uint32_t count) {
	for (size_t i = 0; i < xgt->nregions; i++) {
		struct region *r = &xgt->regions[i];
		if (r->addr != (uintptr_t)start_address || r->count != count) {
			continue;
		}
		munmap(start_address, (size_t)count * SIMWIRE_PAGE);
		int ret = call_u32s(xgt, SIMWIRE_GNT_UNMAP, r->id, 0, 1);
		remove_region(xgt, i);
		return ret;
	}
	errno = EINVAL;
	return -1;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count) {
	if (!xgt) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&xgt->lock);
	int ret = unmap_locked(xgt, start_address, count);
	int err = errno;
	pthread_mutex_unlock(&xgt->lock);
	if (ret == 0) {
		hypercall_cost(xgt, count);
	}
	errno = err;
	return ret;
}

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags) {
	(void)logger;
	(void)open_flags;
	return open_handle(SIMWIRE_KIND_GNTSHR);
}

int xengntshr_close(xengntshr_handle *xgs) {
	if (xgs) {
		/* The broker revokes the grants; shared pages stay mapped here. */
		close_handle(xgs);
	}
	return 0;
}

int xengntshr_fd(xengntshr_handle *xgs) {
	return xgs->conn.fd;
}

static void *share_locked(xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs,
		int writable) {
	struct simwire_buf req;
	simwire_start(&req, SIMWIRE_GNT_SHARE, 0, 0);
	simwire_put_u32(&req, domid);
	simwire_put_u32(&req, (uint32_t)count);
	simwire_put_u32(&req, writable ? 1 : 0);
	struct simwire_msg reply;
	if (simconn_call(&xgs->conn, &req, &reply) < 0) {
		return NULL;
	}
	uint32_t first = simwire_get_u32(&reply);
	uint32_t *got = malloc((size_t)count * sizeof(*got));
	for (int i = 0; i < count; i++) {
		uint32_t ref = simwire_get_u32(&reply);
		if (got) {
			got[i] = ref;
		}
	}
	if (simconn_done(&reply) < 0) {
		free(got);
		return NULL; /* the broker is broken: nothing to undo */
	}
	simwire_release(&reply);
	size_t size = (size_t)count * SIMWIRE_PAGE;
	void *addr = got ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, xgs->memfd,
		(off_t)first * SIMWIRE_PAGE) : MAP_FAILED;
	if (addr == MAP_FAILED || !add_region(xgs, addr, (uint32_t)count, first)) {
		int err = got ? errno : ENOMEM;
		if (addr != MAP_FAILED) {
			munmap(addr, size);
			err = ENOMEM;
		}
		call_u32s(xgs, SIMWIRE_GNT_UNSHARE, first, (uint32_t)count, 2);
		free(got);
		errno = err;
		return NULL;
	}
	memcpy(refs, got, (size_t)count * sizeof(*refs));
	free(got);
	return addr;
}

void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs,
		int writable) {
	if (!xgs || count <= 0 || !refs) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&xgs->lock);
	void *addr = share_locked(xgs, domid, count, refs, writable);
	int err = errno;
	pthread_mutex_unlock(&xgs->lock);
	errno = err;
	return addr;
}

static int unshare_locked(xengntshr_handle *xgs, void *start_address, uint32_t count) {
	uintptr_t start = (uintptr_t)start_address;
	for (size_t i = 0; i < xgs->nregions; i++) {
		struct region *r = &xgs->regions[i];
		uintptr_t end = r->addr + (uintptr_t)r->count * SIMWIRE_PAGE;
		if (start < r->addr || start >= end || (start - r->addr) % SIMWIRE_PAGE ||
				count == 0 || count > (end - start) / SIMWIRE_PAGE) {
			continue;
		}
		/* Like munmap on gntalloc: any page range of a share ends those grants. */
		uint32_t first = r->id + (uint32_t)((start - r->addr) / SIMWIRE_PAGE);
		if (call_u32s(xgs, SIMWIRE_GNT_UNSHARE, first, count, 2) < 0) {
			return -1;
		}
		munmap(start_address, (size_t)count * SIMWIRE_PAGE);
		r->live -= count;
		if (r->live == 0) {
			remove_region(xgs, i);
		}
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count) {
	if (!xgs) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&xgs->lock);
	int ret = unshare_locked(xgs, start_address, count);
	int err = errno;
	pthread_mutex_unlock(&xgs->lock);
	errno = err;
	return ret;
}
