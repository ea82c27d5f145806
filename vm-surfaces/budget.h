#ifndef MOSAIC_VM_SURFACES_BUDGET_H
#define MOSAIC_VM_SURFACES_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What a guest makes dom0 hold, counted for as long as it is held: bytes
 * (guest pages mapped, our pages shared with it, our memory for converted
 * frames) and grant mappings (each an area of our address space, of which
 * the kernel allows some 65,000 in all). A buffer the guest destroyed while
 * it was shown still counts until the scene lets it go. Reference-counted:
 * what is charged keeps the budget alive after its device is gone.
 *
 * A device has one; the host has one for all devices together, with room
 * left below the kernel's limit for mosaic's own needs (threads,
 * screenshots, libraries).
 */
struct vm_budget {
	int refs;
	uint64_t bytes, max_bytes;
	uint32_t mappings, max_mappings;
};

/* Limits of one device, unless --guest-memory says otherwise for bytes. */
#define VM_BUDGET_DEVICE_MAPPINGS 256u
/* Of all devices together: half of vm.max_map_count's default. */
#define VM_BUDGET_HOST_MAPPINGS 32768u

struct vm_budget *vm_budget_create(uint64_t max_bytes, uint32_t max_mappings);
struct vm_budget *vm_budget_ref(struct vm_budget *budget);
void vm_budget_unref(struct vm_budget *budget);

/* Takes bytes and mappings from the budget; false (nothing taken) if that would exceed it. */
bool vm_budget_take(struct vm_budget *budget, uint64_t bytes, uint32_t mappings);
void vm_budget_give(struct vm_budget *budget, uint64_t bytes, uint32_t mappings);

/*
 * What one held thing is charged to: its device's budget and the host's. A
 * charge is taken from both or neither, and given back to both.
 */
struct vm_charge {
	struct vm_budget *device, *host; // referenced while charged; NULL: nothing charged
	uint64_t bytes;
	uint32_t mappings;
};

bool vm_charge_take(struct vm_charge *charge, struct vm_budget *device, struct vm_budget *host,
	uint64_t bytes, uint32_t mappings);
void vm_charge_give(struct vm_charge *charge);

#endif
