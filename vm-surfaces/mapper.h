#ifndef MOSAIC_VM_SURFACES_MAPPER_H
#define MOSAIC_VM_SURFACES_MAPPER_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "vm-surfaces/budget.h"

/*
 * Guest buffers mapped on a thread of their own. Mapping is a hypercall per
 * page: a 4095x2047 buffer (8,188 pages, and its page directory) holds the
 * caller for tens of milliseconds on real Xen, and the event loop must keep
 * every other guest's flips going meanwhile; unmapping costs as much. One
 * thread, jobs in order.
 */
typedef struct xengntdev_handle xengnttab_handle;

struct vm_mapper;
struct vm_map_job;

enum vm_map_result {
	VM_MAP_OK,
	VM_MAP_BAD_DIRECTORY, // status: pgdir_collect()'s error
	VM_MAP_FAILED, // the pages could not be mapped
};

/* On the event loop. addr: the pages, when result is VM_MAP_OK (the callee owns them). */
typedef void (*vm_map_done_func_t)(void *data, enum vm_map_result result, int32_t status,
	void *addr);

struct vm_mapper *vm_mapper_create(struct wl_event_loop *loop, xengnttab_handle *gnttab);
/* Every job must be finished or cancelled. */
void vm_mapper_destroy(struct vm_mapper *mapper);

/*
 * Collects nr_pages refs from the guest's page directory and maps them in
 * order, contiguously; done() follows on the event loop. NULL if out of
 * memory.
 */
struct vm_map_job *vm_mapper_map_directory(struct vm_mapper *mapper, uint32_t domid,
	uint32_t gref_directory, uint32_t nr_pages, int prot, vm_map_done_func_t done, void *data);
/* Unmaps on the thread too (it costs as much); charge is given back once done. */
void vm_mapper_unmap(struct vm_mapper *mapper, void *addr, uint32_t nr_pages,
	struct vm_charge *charge);

/*
 * done() will not be called; pages mapped meanwhile are unmapped. The job
 * takes charge (what the pages were charged to) and gives it back when
 * nothing is mapped any more.
 */
void vm_map_job_cancel(struct vm_map_job *job, struct vm_charge *charge);

#endif
