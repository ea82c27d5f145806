#include <stdlib.h>

#include "vm-surfaces/budget.h"

struct vm_budget *vm_budget_create(uint64_t max_bytes, uint32_t max_mappings)
{
	struct vm_budget *budget = calloc(1, sizeof(*budget));
	if (budget == NULL) {
		return NULL;
	}
	budget->refs = 1;
	budget->max_bytes = max_bytes;
	budget->max_mappings = max_mappings;
	return budget;
}

struct vm_budget *vm_budget_ref(struct vm_budget *budget)
{
	budget->refs++;
	return budget;
}

void vm_budget_unref(struct vm_budget *budget)
{
	if (budget != NULL && --budget->refs == 0) {
		free(budget);
	}
}

bool vm_budget_take(struct vm_budget *budget, uint64_t bytes, uint32_t mappings)
{
	if (bytes > budget->max_bytes - budget->bytes ||
		mappings > budget->max_mappings - budget->mappings) {
		return false;
	}
	budget->bytes += bytes;
	budget->mappings += mappings;
	return true;
}

void vm_budget_give(struct vm_budget *budget, uint64_t bytes, uint32_t mappings)
{
	budget->bytes -= bytes < budget->bytes ? bytes : budget->bytes;
	budget->mappings -= mappings < budget->mappings ? mappings : budget->mappings;
}

bool vm_charge_take(struct vm_charge *charge, struct vm_budget *device, struct vm_budget *host,
	uint64_t bytes, uint32_t mappings)
{
	*charge = (struct vm_charge){0};
	if (!vm_budget_take(device, bytes, mappings)) {
		return false;
	}
	if (host != NULL && !vm_budget_take(host, bytes, mappings)) {
		vm_budget_give(device, bytes, mappings);
		return false;
	}
	*charge = (struct vm_charge){
		.device = vm_budget_ref(device),
		.host = host != NULL ? vm_budget_ref(host) : NULL,
		.bytes = bytes,
		.mappings = mappings,
	};
	return true;
}

void vm_charge_give(struct vm_charge *charge)
{
	if (charge->device == NULL) {
		return;
	}
	vm_budget_give(charge->device, charge->bytes, charge->mappings);
	vm_budget_unref(charge->device);
	if (charge->host != NULL) {
		vm_budget_give(charge->host, charge->bytes, charge->mappings);
		vm_budget_unref(charge->host);
	}
	*charge = (struct vm_charge){0};
}
