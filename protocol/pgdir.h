#ifndef MOSAIC_PROTOCOL_PGDIR_H
#define MOSAIC_PROTOCOL_PGDIR_H

#include <stdint.h>

/*
 * displif page directories: a chain of granted pages, each holding the grant
 * ref of the next directory page and up to 1023 refs of buffer pages.
 */
typedef struct xengntdev_handle xengnttab_handle;

#define PGDIR_REFS_PER_PAGE ((4096u - sizeof(uint32_t)) / sizeof(uint32_t))

/*
 * Collects exactly nr_refs buffer refs from the directory chain starting at
 * first_dir. Returns 0, or a negative errno for the guest: -EINVAL if the
 * chain is too short, too long, loops, or names a page we may not map.
 * Each directory page is copied out before use: the guest can rewrite it.
 */
int pgdir_collect(xengnttab_handle *gnttab, uint32_t domid, uint32_t first_dir,
	uint32_t nr_refs, uint32_t *refs);

/*
 * The reverse, for buffers we allocate: writes refs into the directory chain
 * the guest provided. Same checks and errors as pgdir_collect.
 */
int pgdir_fill(xengnttab_handle *gnttab, uint32_t domid, uint32_t first_dir, uint32_t nr_refs,
	const uint32_t *refs);

static inline uint32_t pgdir_pages_for(uint32_t nr_refs)
{
	return (nr_refs + (uint32_t)PGDIR_REFS_PER_PAGE - 1) / (uint32_t)PGDIR_REFS_PER_PAGE;
}

#endif
