/*
 * The EDID block we give guests: valid, and describing the connector at 60 Hz,
 * or, for a resolution too large for an EDID pixel clock at 60 Hz, at the
 * fastest rate that fits; every resolution mosaic accepts has one.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "protocol/displif.h"
#include "protocol/edid.h"

static void check_at(uint32_t w, uint32_t h, const char *name, const char *shown, double min_hz,
	double max_hz)
{
	uint8_t e[EDID_BLOCK_SIZE];
	CHECK_MSG(edid_build(e, w, h, name), "%ux%u refused", w, h);
	static const uint8_t header[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
	CHECK_MSG(memcmp(e, header, 8) == 0, "bad header");
	uint8_t sum = 0;
	for (int i = 0; i < EDID_BLOCK_SIZE; i++) {
		sum = (uint8_t)(sum + e[i]);
	}
	CHECK_MSG(sum == 0, "checksum off by %u", sum);
	CHECK_MSG(e[18] == 1 && e[19] == 4, "version %u.%u", e[18], e[19]);

	const uint8_t *d = &e[54];
	uint32_t clock = (uint32_t)(d[0] | d[1] << 8) * 10000;
	uint32_t hactive = d[2] | (uint32_t)(d[4] >> 4) << 8;
	uint32_t hblank = d[3] | (uint32_t)(d[4] & 0xf) << 8;
	uint32_t vactive = d[5] | (uint32_t)(d[7] >> 4) << 8;
	uint32_t vblank = d[6] | (uint32_t)(d[7] & 0xf) << 8;
	CHECK_MSG(hactive == w && vactive == h, "timing %ux%u, want %ux%u", hactive, vactive, w, h);
	double refresh = (double)clock / ((double)(hactive + hblank) * (vactive + vblank));
	CHECK_MSG(refresh >= min_hz && refresh < max_hz, "%ux%u refresh %.3f Hz", w, h, refresh);
	/* Vertical blanking of at least 460 us, as reduced blanking wants. */
	CHECK_MSG(vblank / (refresh * (vactive + vblank)) >= 460e-6, "vblank of %u lines too short",
		vblank);

	int found = 0;
	for (int i = 72; i < 126; i += 18) {
		if (e[i] == 0 && e[i + 1] == 0 && e[i + 3] == 0xfc) {
			char text[14] = {0};
			memcpy(text, &e[i + 5], 13);
			char *end = strchr(text, '\n');
			if (end != NULL) {
				*end = '\0';
			}
			CHECK_MSG(strcmp(text, shown) == 0, "name '%s', want '%s'", text, shown);
			found++;
		}
	}
	CHECK_MSG(found == 1, "%d name descriptors", found);
}

static void check(uint32_t w, uint32_t h, const char *name, const char *shown)
{
	check_at(w, h, name, shown, 59.99, 60.2);
}

int main(void)
{
	check(1920, 1080, "infotainment", "infotainment");
	check(1280, 480, "cluster", "cluster");
	check(640, 480, "a-very-long-domain-name", "a-very-long-d");
	check(4095, 2047, "big", "big");
	check(320, 240, "", "");
	/* The largest resolution mosaic accepts: 60 Hz needs more than 655.35 MHz. */
	check_at(DISPLIF_MAX_RESOLUTION, DISPLIF_MAX_RESOLUTION, "huge", "huge", 30, 60);
	check_at(DISPLIF_MAX_RESOLUTION, 1, "thin", "thin", 59.99, 61);
	check_at(1, DISPLIF_MAX_RESOLUTION, "tall", "tall", 59.99, 61);

	uint8_t e[EDID_BLOCK_SIZE];
	CHECK_MSG(!edid_build(e, 0, 480, "x"), "zero width accepted");
	CHECK_MSG(!edid_build(e, 4096, 480, "x"), "4096 wide accepted");
	CHECK_MSG(!edid_build(e, 640, 4096, "x"), "4096 high accepted");

	return check_result("test-edid");
}
