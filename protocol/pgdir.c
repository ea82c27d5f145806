#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <xengnttab.h>

#include "protocol/pgdir.h"
#include "protocol/ring.h"

int pgdir_collect(xengnttab_handle *gnttab, uint32_t domid, uint32_t first_dir,
	uint32_t nr_refs, uint32_t *refs)
{
	uint32_t dir_ref = first_dir;
	uint32_t collected = 0;
	uint32_t pages = pgdir_pages_for(nr_refs);
	uint32_t page[XEN_PAGE_SIZE / sizeof(uint32_t)];

	/* Walking at most the pages needed bounds the walk: a loop is a chain that is too long. */
	for (uint32_t i = 0; i < pages; i++) {
		if (dir_ref == 0) {
			return -EINVAL;
		}
		void *map = xengnttab_map_domain_grant_refs(gnttab, 1, domid, &dir_ref, PROT_READ);
		if (map == NULL) {
			return -EINVAL;
		}
		memcpy(page, map, sizeof(page));
		xengnttab_unmap(gnttab, map, 1);

		uint32_t n = nr_refs - collected;
		if (n > PGDIR_REFS_PER_PAGE) {
			n = PGDIR_REFS_PER_PAGE;
		}
		memcpy(refs + collected, &page[1], n * sizeof(uint32_t));
		collected += n;
		dir_ref = page[0];
	}
	/* The last page must end the chain. */
	if (dir_ref != 0) {
		return -EINVAL;
	}
	return 0;
}

int pgdir_fill(xengnttab_handle *gnttab, uint32_t domid, uint32_t first_dir, uint32_t nr_refs,
	const uint32_t *refs)
{
	uint32_t dir_ref = first_dir;
	uint32_t written = 0;
	uint32_t pages = pgdir_pages_for(nr_refs);

	for (uint32_t i = 0; i < pages; i++) {
		if (dir_ref == 0) {
			return -EINVAL;
		}
		uint32_t *map = xengnttab_map_domain_grant_refs(gnttab, 1, domid, &dir_ref,
			PROT_READ | PROT_WRITE);
		if (map == NULL) {
			return -EINVAL;
		}
		uint32_t n = nr_refs - written;
		if (n > PGDIR_REFS_PER_PAGE) {
			n = PGDIR_REFS_PER_PAGE;
		}
		/* Read the link once: the guest may change the page meanwhile. */
		uint32_t next = READ_ONCE(map[0]);
		memcpy(&map[1], refs + written, n * sizeof(uint32_t));
		xengnttab_unmap(gnttab, map, 1);
		written += n;
		dir_ref = next;
	}
	if (dir_ref != 0) {
		return -EINVAL;
	}
	return 0;
}
