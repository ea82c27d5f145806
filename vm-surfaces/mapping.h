#ifndef MOSAIC_VM_SURFACES_MAPPING_H
#define MOSAIC_VM_SURFACES_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include "vm-surfaces/budget.h"

/*
 * Guest pages mapped into our address space. Reference-counted: a dbuf and
 * every wlr_buffer made from it share one mapping, and the pages are unmapped
 * when the last of them lets go (the scene may still show a buffer after the
 * guest destroyed it).
 */
typedef struct xengntdev_handle xengnttab_handle;
typedef struct xengntdev_handle xengntshr_handle;

struct vm_mapper;

struct vm_mapping {
	xengnttab_handle *gnttab; // guest pages we mapped, or
	struct vm_mapper *mapper; // ...on its thread, which unmaps them too
	xengntshr_handle *gntshr; // our pages shared with the guest (backend allocation)
	void *addr;
	uint32_t nr_pages;
	int refs;
	struct vm_charge charge; // given back when the pages are unmapped
};

/* Maps refs of domid in order, contiguously. NULL if any ref can't be mapped. */
struct vm_mapping *vm_mapping_create(xengnttab_handle *gnttab, uint32_t domid,
	const uint32_t *refs, uint32_t nr_pages, int prot);
/* Pages the mapper mapped (and will unmap); unmapped at once if they cannot be wrapped (NULL). */
struct vm_mapping *vm_mapping_adopt(struct vm_mapper *mapper, void *addr, uint32_t nr_pages);
/* Allocates nr_pages of ours, granted writable to domid; refs receives the grant refs. */
struct vm_mapping *vm_mapping_create_shared(xengntshr_handle *gntshr, uint32_t domid,
	uint32_t nr_pages, uint32_t *refs);
struct vm_mapping *vm_mapping_ref(struct vm_mapping *mapping);
void vm_mapping_unref(struct vm_mapping *mapping);

static inline size_t vm_mapping_size(const struct vm_mapping *mapping)
{
	return (size_t)mapping->nr_pages * 4096u;
}

#endif
