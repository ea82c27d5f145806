#include <stdlib.h>
#include <wlr/util/log.h>
#include <xengnttab.h>

#include "vm-surfaces/mapper.h"
#include "vm-surfaces/mapping.h"

/* Wraps pages mapped or shared at addr (NULL: that failed), with one reference. */
static struct vm_mapping *mapping_wrap(void *addr, uint32_t nr_pages)
{
	if (addr == NULL) {
		return NULL;
	}
	struct vm_mapping *mapping = calloc(1, sizeof(*mapping));
	if (mapping == NULL) {
		return NULL;
	}
	mapping->addr = addr;
	mapping->nr_pages = nr_pages;
	mapping->refs = 1;
	return mapping;
}

struct vm_mapping *vm_mapping_create(xengnttab_handle *gnttab, uint32_t domid,
	const uint32_t *refs, uint32_t nr_pages, int prot)
{
	/* The API takes a non-const array but does not write it. */
	void *addr = xengnttab_map_domain_grant_refs(gnttab, nr_pages, domid, (uint32_t *)refs, prot);
	struct vm_mapping *mapping = mapping_wrap(addr, nr_pages);
	if (mapping == NULL) {
		if (addr != NULL) {
			xengnttab_unmap(gnttab, addr, nr_pages);
		}
		return NULL;
	}
	mapping->gnttab = gnttab;
	return mapping;
}

struct vm_mapping *vm_mapping_adopt(struct vm_mapper *mapper, void *addr, uint32_t nr_pages)
{
	struct vm_mapping *mapping = mapping_wrap(addr, nr_pages);
	if (mapping == NULL) {
		struct vm_charge none = {0};
		vm_mapper_unmap(mapper, addr, nr_pages, &none);
		return NULL;
	}
	mapping->mapper = mapper;
	return mapping;
}

struct vm_mapping *vm_mapping_create_shared(xengntshr_handle *gntshr, uint32_t domid,
	uint32_t nr_pages, uint32_t *refs)
{
	void *addr = xengntshr_share_pages(gntshr, domid, (int)nr_pages, refs, 1);
	struct vm_mapping *mapping = mapping_wrap(addr, nr_pages);
	if (mapping == NULL) {
		if (addr != NULL) {
			xengntshr_unshare(gntshr, addr, nr_pages);
		}
		return NULL;
	}
	mapping->gntshr = gntshr;
	return mapping;
}

struct vm_mapping *vm_mapping_ref(struct vm_mapping *mapping)
{
	mapping->refs++;
	return mapping;
}

void vm_mapping_unref(struct vm_mapping *mapping)
{
	if (mapping == NULL || --mapping->refs > 0) {
		return;
	}
	if (mapping->mapper != NULL) {
		vm_mapper_unmap(mapping->mapper, mapping->addr, mapping->nr_pages, &mapping->charge);
	} else if (mapping->gntshr != NULL) {
		/* The guest may still map them; Xen frees them once it lets go. */
		if (xengntshr_unshare(mapping->gntshr, mapping->addr, mapping->nr_pages) != 0) {
			wlr_log_errno(WLR_ERROR, "Cannot unshare %u pages", mapping->nr_pages);
		}
	} else if (xengnttab_unmap(mapping->gnttab, mapping->addr, mapping->nr_pages) != 0) {
		wlr_log_errno(WLR_ERROR, "Cannot unmap %u guest pages", mapping->nr_pages);
	}
	vm_charge_give(&mapping->charge);
	free(mapping);
}
