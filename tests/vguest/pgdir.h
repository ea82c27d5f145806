#ifndef VGUEST_PGDIR_H
#define VGUEST_PGDIR_H

#include <stdbool.h>
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

/*
 * Reads back a directory the other end filled in (backend allocation): each
 * entry once, as it may be writing still. Copies the first num_pages
 * references to grefs, counts the non-zero ones in *filled and the non-zero
 * entries past them in *extra. false if a gref_dir_next_page is no longer
 * the chain pgdir_fill wrote.
 */
bool pgdir_read(const void *dir, const uint32_t *dir_grefs, uint32_t num_dir_pages, uint32_t *grefs,
	uint32_t num_pages, uint32_t *filled, uint32_t *extra);

/* The address of directory page i's gref_dir_next_page and of its entry j. */
uint32_t *pgdir_next_slot(void *dir, uint32_t page);
uint32_t *pgdir_ref_slot(void *dir, uint32_t page, uint32_t entry);

#endif
