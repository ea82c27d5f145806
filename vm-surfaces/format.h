#ifndef MOSAIC_VM_SURFACES_FORMAT_H
#define MOSAIC_VM_SURFACES_FORMAT_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The pixel formats a guest may attach (those Linux's frontend advertises),
 * and how each reaches the screen: read in place by the renderer, or
 * converted by pixman into a buffer of ours once per flip.
 */
struct vm_format {
	uint32_t fourcc;       // what the guest attaches
	uint32_t bpp;          // bits per pixel in guest memory
	uint32_t shown;        // DRM format the renderer reads, for direct formats
	pixman_format_code_t pixman; // source format for converted ones (0: direct)
	const char *name;
};

/* NULL if the guest may not attach this format. */
const struct vm_format *vm_format_lookup(uint32_t fourcc);

static inline bool vm_format_is_direct(const struct vm_format *format)
{
	return format->pixman == 0;
}

#endif
