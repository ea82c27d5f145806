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
	uint32_t fourcc;       // what the guest attaches (its bits per pixel: displif's)
	uint32_t shown;        // DRM format the renderer reads
	pixman_format_code_t pixman; // the guest's pixels as pixman reads them
	bool direct;           // the renderer can read them in place
	const char *name;
};

/* NULL if the guest may not attach this format. */
const struct vm_format *vm_format_lookup(uint32_t fourcc);

#endif
