#ifndef MOSAIC_VM_SURFACES_BUFFER_H
#define MOSAIC_VM_SURFACES_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include <wlr/types/wlr_buffer.h>

struct vm_mapping;

/*
 * A framebuffer in guest memory as a wlr_buffer: the renderer reads the
 * guest's pages in place, with no copy.
 */
struct vm_buffer {
	struct wlr_buffer base;
	struct vm_mapping *mapping;
	size_t offset;
	size_t stride;
	uint32_t format; // DRM fourcc the renderer sees
};

/* Takes a reference on mapping. The caller has checked that the frame fits. */
struct vm_buffer *vm_buffer_create(struct vm_mapping *mapping, size_t offset, int width,
	int height, size_t stride, uint32_t format);

#endif
