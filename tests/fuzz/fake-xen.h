#ifndef MOSAIC_TESTS_FUZZ_FAKE_XEN_H
#define MOSAIC_TESTS_FUZZ_FAKE_XEN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An in-process fake of the libxengnttab and libxengntshr calls the product
 * makes, for fuzzers: what a mapped page holds, which maps fail and how many
 * grants may be mapped at once all come from the fuzz input. Every mapping
 * is fresh anonymous memory with the protection asked for (a write to a page
 * mapped read-only crashes), and is recorded, so that a fuzzer can check
 * that everything mapped is unmapped once, with the size it was mapped with.
 */
typedef struct xengntdev_handle xengnttab_handle;
typedef struct xengntdev_handle xengntshr_handle;

#define FAKE_XEN_PAGE_SIZE 4096u
/* Refs at or above this are not granted: mapping them fails. */
#define FAKE_XEN_BAD_REF 0x10000000u
#define FAKE_XEN_MAX_PAGES 16

struct fake_xen_page {
	uint32_t ref;
	uint32_t words[FAKE_XEN_PAGE_SIZE / 4];
};

struct fake_xen {
	/* Pages with contents of their own; every other ref maps as zeros. */
	struct fake_xen_page pages[FAKE_XEN_MAX_PAGES];
	unsigned npages;
	/* Grant pages one may hold mapped at once (gntdev's limit). */
	uint64_t max_mapped_pages;
	/* The nth map (or share) call fails, counting from 1; 0: none does. */
	uint64_t fail_map_at, fail_share_at;

	/* Counts, for the fuzzer's invariants. */
	uint64_t map_calls, share_calls;
	uint64_t maps, unmaps, shares, unshares;
	uint64_t mapped_pages, shared_pages; // held now
};

extern struct fake_xen fake_xen;
extern xengnttab_handle *const fake_gnttab;
extern xengntshr_handle *const fake_gntshr;

/* Forgets the pages and counts of the last input; aborts if a mapping is still held. */
void fake_xen_reset(void);
/* The contents a ref maps with from now on (the last FAKE_XEN_MAX_PAGES kept). */
struct fake_xen_page *fake_xen_define_page(uint32_t ref);
/* Whether every mapping and share has been released. */
bool fake_xen_all_released(void);

#endif
