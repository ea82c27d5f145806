#define _DEFAULT_SOURCE // MAP_ANONYMOUS
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xengnttab.h>

#include "fake-xen.h"

/*
 * The calls of xengnttab.h the product makes (vm-surfaces/mapping.c,
 * protocol/pgdir.c, vm-surfaces/display.c), in process: no broker, no
 * device. Linked into fuzzers only, instead of the real libraries. Like
 * gntdev, callable from several threads (vm-surfaces/mapper.c's).
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
struct fake_xen fake_xen;

struct xengntdev_handle {
	int kind;
};
static struct xengntdev_handle gnttab_handle = {0}, gntshr_handle = {1};
xengnttab_handle *const fake_gnttab = &gnttab_handle;
xengntshr_handle *const fake_gntshr = &gntshr_handle;

struct region {
	void *addr;
	uint32_t count;
	bool shared;
};
static struct region *regions;
static size_t nregions, cap;

static void fake_abort(void)
{
	__builtin_trap();
}

static void record(void *addr, uint32_t count, bool shared)
{
	if (nregions == cap) {
		cap = cap == 0 ? 16 : cap * 2;
		regions = realloc(regions, cap * sizeof(*regions));
		if (regions == NULL) {
			fake_abort();
		}
	}
	regions[nregions++] = (struct region){addr, count, shared};
}

/* A region released must be one made, whole, by the same library. */
static void forget(void *addr, uint32_t count, bool shared)
{
	for (size_t i = 0; i < nregions; i++) {
		if (regions[i].addr == addr) {
			if (regions[i].count != count || regions[i].shared != shared) {
				fake_abort();
			}
			regions[i] = regions[--nregions];
			return;
		}
	}
	fake_abort(); // released twice, or never made
}

void fake_xen_reset(void)
{
	if (nregions != 0) {
		fake_abort();
	}
	memset(&fake_xen, 0, sizeof(fake_xen));
	fake_xen.max_mapped_pages = UINT64_MAX;
}

struct fake_xen_page *fake_xen_define_page(uint32_t ref)
{
	struct fake_xen_page *page = NULL;
	unsigned n = fake_xen.npages < FAKE_XEN_MAX_PAGES ? fake_xen.npages : FAKE_XEN_MAX_PAGES;
	for (unsigned i = 0; i < n; i++) {
		if (fake_xen.pages[i].ref == ref) {
			page = &fake_xen.pages[i];
		}
	}
	if (page == NULL) {
		page = &fake_xen.pages[fake_xen.npages % FAKE_XEN_MAX_PAGES];
		fake_xen.npages++;
	}
	memset(page, 0, sizeof(*page));
	page->ref = ref;
	return page;
}

bool fake_xen_all_released(void)
{
	return nregions == 0 && fake_xen.maps == fake_xen.unmaps &&
	       fake_xen.shares == fake_xen.unshares && fake_xen.mapped_pages == 0 &&
	       fake_xen.shared_pages == 0;
}

static const struct fake_xen_page *page_of(uint32_t ref)
{
	unsigned n = fake_xen.npages < FAKE_XEN_MAX_PAGES ? fake_xen.npages : FAKE_XEN_MAX_PAGES;
	for (unsigned i = 0; i < n; i++) {
		if (fake_xen.pages[i].ref == ref) {
			return &fake_xen.pages[i];
		}
	}
	return NULL;
}

static void *xengnttab_map_domain_grant_refs_locked(
	xengnttab_handle *xgt, uint32_t count, uint32_t domid, uint32_t *refs, int prot)
{
	if (xgt != fake_gnttab) {
		fake_abort();
	}
	fake_xen.map_calls++;
	if (count == 0 || fake_xen.map_calls == fake_xen.fail_map_at ||
		fake_xen.mapped_pages + count > fake_xen.max_mapped_pages) {
		errno = count == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (refs[i] >= FAKE_XEN_BAD_REF) {
			errno = EINVAL;
			return NULL;
		}
	}
	size_t size = (size_t)count * FAKE_XEN_PAGE_SIZE;
	void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < count; i++) {
		const struct fake_xen_page *page = page_of(refs[i]);
		if (page != NULL) {
			memcpy((char *)addr + (size_t)i * FAKE_XEN_PAGE_SIZE, page->words,
				FAKE_XEN_PAGE_SIZE);
		}
	}
	/* What the product did not ask to write, it cannot. */
	if (mprotect(addr, size, prot & (PROT_READ | PROT_WRITE)) != 0) {
		fake_abort();
	}
	record(addr, count, false);
	fake_xen.maps++;
	fake_xen.mapped_pages += count;
	return addr;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
	return xengnttab_map_domain_grant_refs(xgt, 1, domid, &ref, prot);
}

static int xengnttab_unmap_locked(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	if (xgt != fake_gnttab) {
		fake_abort();
	}
	forget(start_address, count, false);
	munmap(start_address, (size_t)count * FAKE_XEN_PAGE_SIZE);
	fake_xen.unmaps++;
	fake_xen.mapped_pages -= count;
	return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	return 0;
}

static void *xengntshr_share_pages_locked(
	xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs, int writable)
{
	if (xgs != fake_gntshr) {
		fake_abort();
	}
	fake_xen.share_calls++;
	if (count <= 0 || fake_xen.share_calls == fake_xen.fail_share_at) {
		errno = count <= 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	size_t size = (size_t)count * FAKE_XEN_PAGE_SIZE;
	void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	for (int i = 0; i < count; i++) {
		refs[i] = 0x8000u + (uint32_t)i; // what the guest maps them by
	}
	record(addr, (uint32_t)count, true);
	fake_xen.shares++;
	fake_xen.shared_pages += (uint32_t)count;
	return addr;
}

static int xengntshr_unshare_locked(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	if (xgs != fake_gntshr) {
		fake_abort();
	}
	forget(start_address, count, true);
	munmap(start_address, (size_t)count * FAKE_XEN_PAGE_SIZE);
	fake_xen.unshares++;
	fake_xen.shared_pages -= count;
	return 0;
}

void *xengnttab_map_domain_grant_refs(
	xengnttab_handle *xgt, uint32_t count, uint32_t domid, uint32_t *refs, int prot)
{
	pthread_mutex_lock(&lock);
	void *addr = xengnttab_map_domain_grant_refs_locked(xgt, count, domid, refs, prot);
	int err = errno;
	pthread_mutex_unlock(&lock);
	errno = err;
	return addr;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	pthread_mutex_lock(&lock);
	int ret = xengnttab_unmap_locked(xgt, start_address, count);
	pthread_mutex_unlock(&lock);
	return ret;
}

void *xengntshr_share_pages(
	xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs, int writable)
{
	pthread_mutex_lock(&lock);
	void *addr = xengntshr_share_pages_locked(xgs, domid, count, refs, writable);
	int err = errno;
	pthread_mutex_unlock(&lock);
	errno = err;
	return addr;
}

int xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	pthread_mutex_lock(&lock);
	int ret = xengntshr_unshare_locked(xgs, start_address, count);
	pthread_mutex_unlock(&lock);
	return ret;
}
