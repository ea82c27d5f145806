#ifndef VGUEST_EDID_H
#define VGUEST_EDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Checks an EDID a backend returned for a connector of width x height:
 * size a non-zero multiple of 128 holding exactly the base block and its
 * extensions, the fixed header, every block's checksum, version 1.3 or 1.4,
 * a first detailed timing descriptor whose active area is the connector's
 * resolution, and a monitor name descriptor (0xFC).
 */
#define EDID_BLOCK 128
#define EDID_NAME_MAX 13

struct edid_info {
	uint32_t width, height;       /* the first detailed timing's active area */
	char name[EDID_NAME_MAX + 1]; /* printable: anything else, and spaces, become '?' */
	unsigned version, revision;
};

/* true if valid; otherwise why (a sentence fragment) describes the first problem. */
bool edid_check(const uint8_t *edid, size_t size, uint32_t width, uint32_t height,
	struct edid_info *info, char *why, size_t why_size);

#endif
