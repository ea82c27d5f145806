#ifndef VGUEST_PGDIR_H
#define VGUEST_PGDIR_H

#include <stdint.h>

/*
 * displif page directories: each page starts with gref_dir_next_page (0 on
 * the last page) followed by as many grant references as fit in the page.
 */

/* Number of directory pages that list num_pages grant references. */
uint32_t pgdir_pages(uint32_t num_pages);

/* Fills num_dir_pages consecutive pages at dir, whose own references are dir_grefs. */
void pgdir_fill(void *dir, const uint32_t *dir_grefs, uint32_t num_dir_pages, const uint32_t *grefs,
	uint32_t num_pages);

#endif
