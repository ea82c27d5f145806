#include "pgdir.h"

#include <string.h>

#include "displif.h"

uint32_t pgdir_pages(uint32_t num_pages)
{
	return (uint32_t)((num_pages + DISPLIF_GREFS_PER_DIR_PAGE - 1) /
			  DISPLIF_GREFS_PER_DIR_PAGE);
}

void pgdir_fill(void *dir, const uint32_t *dir_grefs, uint32_t num_dir_pages, const uint32_t *grefs,
	uint32_t num_pages)
{
	uint32_t done = 0;
	for (uint32_t i = 0; i < num_dir_pages; i++) {
		struct xendispl_page_directory *pd =
			(void *)((uint8_t *)dir + (size_t)i * DISPLIF_PAGE_SIZE);
		memset(pd, 0, DISPLIF_PAGE_SIZE);
		/* The chain ends with 0, the grant reference never given to drivers. */
		pd->gref_dir_next_page = i + 1 < num_dir_pages ? dir_grefs[i + 1] : 0;
		uint32_t n = num_pages - done;
		if (n > DISPLIF_GREFS_PER_DIR_PAGE) {
			n = DISPLIF_GREFS_PER_DIR_PAGE;
		}
		/* gref[] is declared with one element; the page holds the rest. */
		memcpy((uint8_t *)pd + offsetof(struct xendispl_page_directory, gref), grefs + done,
			n * sizeof(grant_ref_t));
		done += n;
	}
}
