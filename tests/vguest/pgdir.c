#include "pgdir.h"

#include <string.h>

#include "displif.h"

uint32_t pgdir_pages(uint32_t num_pages)
{
	return (uint32_t)((num_pages + DISPLIF_GREFS_PER_DIR_PAGE - 1) /
			  DISPLIF_GREFS_PER_DIR_PAGE);
}

uint32_t *pgdir_next_slot(void *dir, uint32_t page)
{
	uint8_t *p = (uint8_t *)dir + (size_t)page * DISPLIF_PAGE_SIZE;
	return (uint32_t *)(p + offsetof(struct xendispl_page_directory, gref_dir_next_page));
}

uint32_t *pgdir_ref_slot(void *dir, uint32_t page, uint32_t entry)
{
	/* gref[] is declared with one element; the page holds the rest. */
	uint8_t *p = (uint8_t *)dir + (size_t)page * DISPLIF_PAGE_SIZE;
	return (uint32_t *)(p + offsetof(struct xendispl_page_directory, gref)) + entry;
}

void pgdir_fill(void *dir, const uint32_t *dir_grefs, uint32_t num_dir_pages, const uint32_t *grefs,
	uint32_t num_pages)
{
	uint32_t done = 0;
	for (uint32_t i = 0; i < num_dir_pages; i++) {
		memset((uint8_t *)dir + (size_t)i * DISPLIF_PAGE_SIZE, 0, DISPLIF_PAGE_SIZE);
		/* The chain ends with 0, the grant reference never given to drivers. */
		*pgdir_next_slot(dir, i) = i + 1 < num_dir_pages ? dir_grefs[i + 1] : 0;
		uint32_t n = num_pages - done;
		if (n > DISPLIF_GREFS_PER_DIR_PAGE) {
			n = DISPLIF_GREFS_PER_DIR_PAGE;
		}
		memcpy(pgdir_ref_slot(dir, i, 0), grefs + done, n * sizeof(grant_ref_t));
		done += n;
	}
}

bool pgdir_read(const void *dir, const uint32_t *dir_grefs, uint32_t num_dir_pages, uint32_t *grefs,
	uint32_t num_pages, uint32_t *filled, uint32_t *extra)
{
	void *d = (void *)(uintptr_t)dir;
	*filled = 0;
	*extra = 0;
	uint32_t index = 0;
	for (uint32_t i = 0; i < num_dir_pages; i++) {
		uint32_t next = *(volatile uint32_t *)pgdir_next_slot(d, i);
		if (next != (i + 1 < num_dir_pages ? dir_grefs[i + 1] : 0)) {
			return false;
		}
		for (uint32_t j = 0; j < DISPLIF_GREFS_PER_DIR_PAGE; j++, index++) {
			uint32_t ref = *(volatile uint32_t *)pgdir_ref_slot(d, i, j);
			if (index < num_pages) {
				grefs[index] = ref;
				*filled += ref != 0;
			} else {
				*extra += ref != 0;
			}
		}
	}
	return true;
}
