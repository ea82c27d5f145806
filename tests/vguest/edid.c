#include "edid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DESCRIPTORS 4
#define DESCRIPTOR_SIZE 18
#define DESCRIPTOR_OFFSET 54
#define TAG_MONITOR_NAME 0xfc

static bool fail(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(char *why, size_t size, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	vsnprintf(why, size, fmt, args);
	va_end(args);
	return false;
}

/* A display descriptor (not a timing): pixel clock 0, byte 2 zero, tag at byte 3. */
static bool is_display_descriptor(const uint8_t *d, uint8_t tag)
{
	return d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == tag;
}

static void copy_name(const uint8_t *d, char *name)
{
	/* Up to 13 characters, ended by 0x0a and padded with spaces. */
	size_t n = 0;
	for (size_t i = 5; i < DESCRIPTOR_SIZE && d[i] != 0x0a; i++) {
		name[n++] = d[i] > 0x20 && d[i] < 0x7f ? (char)d[i] : '?';
	}
	while (n > 0 && name[n - 1] == '?' && d[5 + n - 1] == 0x20) {
		n--; /* trailing padding */
	}
	name[n] = '\0';
}

bool edid_check(const uint8_t *edid, size_t size, uint32_t width, uint32_t height,
	struct edid_info *info, char *why, size_t why_size)
{
	static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
	memset(info, 0, sizeof(*info));
	if (size < EDID_BLOCK || size % EDID_BLOCK != 0) {
		return fail(why, why_size, "size %zu is not a non-zero multiple of %d", size,
			EDID_BLOCK);
	}
	if (memcmp(edid, header, sizeof(header)) != 0) {
		return fail(why, why_size, "no EDID header (00 ff ff ff ff ff ff 00)");
	}
	size_t blocks = size / EDID_BLOCK;
	for (size_t b = 0; b < blocks; b++) {
		uint8_t sum = 0;
		for (size_t i = 0; i < EDID_BLOCK; i++) {
			sum = (uint8_t)(sum + edid[b * EDID_BLOCK + i]);
		}
		if (sum != 0) {
			return fail(why, why_size, "block %zu: checksum is off by %u", b, sum);
		}
	}
	if ((size_t)edid[126] + 1 != blocks) {
		return fail(why, why_size,
			"%zu blocks returned, but the base block announces %u "
			"extensions",
			blocks, edid[126]);
	}
	info->version = edid[18];
	info->revision = edid[19];
	if (info->version != 1 || (info->revision != 3 && info->revision != 4)) {
		return fail(why, why_size, "version %u.%u, not 1.3 or 1.4", info->version,
			info->revision);
	}

	const uint8_t *dtd = edid + DESCRIPTOR_OFFSET;
	if (dtd[0] == 0 && dtd[1] == 0) {
		return fail(why, why_size, "the first descriptor is not a detailed timing");
	}
	info->width = dtd[2] | ((uint32_t)(dtd[4] & 0xf0) << 4);
	info->height = dtd[5] | ((uint32_t)(dtd[7] & 0xf0) << 4);
	if (info->width != width || info->height != height) {
		return fail(why, why_size, "preferred timing is %ux%u, the connector is %ux%u",
			info->width, info->height, width, height);
	}

	for (int i = 0; i < DESCRIPTORS; i++) {
		const uint8_t *d = edid + DESCRIPTOR_OFFSET + i * DESCRIPTOR_SIZE;
		if (is_display_descriptor(d, TAG_MONITOR_NAME)) {
			copy_name(d, info->name);
			return true;
		}
	}
	return fail(why, why_size, "no monitor name descriptor (0xfc)");
}
