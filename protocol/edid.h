#ifndef MOSAIC_PROTOCOL_EDID_H
#define MOSAIC_PROTOCOL_EDID_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An EDID 1.4 base block describing a connector: its resolution as the
 * preferred 60 Hz timing (reduced blanking), and a monitor name. For
 * GET_EDID, which lets a guest read what it already has in XenStore the
 * way real displays tell it.
 */
#define EDID_BLOCK_SIZE 128
#define EDID_MAX_WIDTH 4095
#define EDID_MAX_HEIGHT 4095

/* false if the resolution does not fit an EDID detailed timing. */
bool edid_build(uint8_t block[EDID_BLOCK_SIZE], uint32_t width, uint32_t height,
	const char *name);

#endif
