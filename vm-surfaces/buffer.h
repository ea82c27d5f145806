#ifndef MOSAIC_VM_SURFACES_BUFFER_H
#define MOSAIC_VM_SURFACES_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include <wlr/types/wlr_buffer.h>

#include "vm-surfaces/budget.h"

struct vm_mapping;

/*
 * Pixels as a wlr_buffer: either guest memory (the renderer reads the
 * guest's pages in place, with no copy) or memory of our own (converted
 * frames, screenshots).
 */
struct vm_buffer {
	struct wlr_buffer base;
	struct vm_mapping *mapping; // NULL for memory of our own
	void *data;
	size_t stride;
	uint32_t format; // DRM fourcc the renderer sees
	bool writable;
	struct vm_charge charge; // memory of ours held for a guest: given back when freed
};

/* Guest memory, read-only. Takes a reference on mapping; the caller checked the fit. */
struct vm_buffer *vm_buffer_create(struct vm_mapping *mapping, size_t offset, int width,
	int height, size_t stride, uint32_t format);
/* Zeroed memory of our own, stride width * 4 (formats of 32 bpp). */
struct vm_buffer *vm_buffer_create_memory(int width, int height, uint32_t format);

#endif
