#include <string.h>

#include "protocol/edid.h"

/* CVT reduced blanking (v1): fixed horizontal blanking, 460 us minimum vertical blanking. */
#define RB_HBLANK 160
#define RB_HSYNC 32
#define RB_HFRONT 48
#define RB_VFRONT 3
#define RB_VSYNC 5
#define RB_MIN_VBLANK_US 460

static void put_name(uint8_t desc[18], const char *name)
{
	memset(desc, 0, 5);
	desc[3] = 0xfc; // monitor name
	size_t n = 0;
	for (; name != NULL && name[n] != '\0' && n < 13; n++) {
		char c = name[n];
		desc[5 + n] = (c >= 0x20 && c < 0x7f) ? (uint8_t)c : '?';
	}
	if (n < 13) {
		desc[5 + n++] = 0x0a;
	}
	for (; n < 13; n++) {
		desc[5 + n] = 0x20;
	}
}

/* Lines of vertical blanking so that it lasts at least 460 us at hz. */
static uint32_t vblank_lines(uint32_t h, uint32_t hz)
{
	uint32_t vblank = RB_VFRONT + RB_VSYNC + 6;
	while ((uint64_t)vblank * 1000000 < (uint64_t)RB_MIN_VBLANK_US * hz * (h + vblank)) {
		vblank++;
	}
	return vblank;
}

/* Pixel clock in 10 kHz units, rounded up so the rate is at least hz. */
static uint64_t pixel_clock(uint32_t w, uint32_t h, uint32_t hz)
{
	return ((uint64_t)(w + RB_HBLANK) * (h + vblank_lines(h, hz)) * hz + 9999) / 10000;
}

static void put_timing(uint8_t d[18], uint32_t w, uint32_t h, uint32_t hz)
{
	uint32_t vblank = vblank_lines(h, hz);
	uint64_t clock = pixel_clock(w, h, hz);
	uint32_t hblank = RB_HBLANK, hfront = RB_HFRONT, hsync = RB_HSYNC;
	uint32_t vfront = RB_VFRONT, vsync = RB_VSYNC;

	d[0] = (uint8_t)clock;
	d[1] = (uint8_t)(clock >> 8);
	d[2] = (uint8_t)w;
	d[3] = (uint8_t)hblank;
	d[4] = (uint8_t)(((w >> 8) & 0xf) << 4 | ((hblank >> 8) & 0xf));
	d[5] = (uint8_t)h;
	d[6] = (uint8_t)vblank;
	d[7] = (uint8_t)(((h >> 8) & 0xf) << 4 | ((vblank >> 8) & 0xf));
	d[8] = (uint8_t)hfront;
	d[9] = (uint8_t)hsync;
	d[10] = (uint8_t)((vfront & 0xf) << 4 | (vsync & 0xf));
	d[11] = (uint8_t)(((hfront >> 8) & 3) << 6 | ((hsync >> 8) & 3) << 4 |
		((vfront >> 4) & 3) << 2 | ((vsync >> 4) & 3));
	/* Image size unknown (0 mm), no border. */
	d[12] = d[13] = d[14] = d[15] = d[16] = 0;
	/* Digital separate sync, +hsync -vsync (reduced blanking's polarity). */
	d[17] = 0x1a;
}

bool edid_build(uint8_t e[EDID_BLOCK_SIZE], uint32_t width, uint32_t height, const char *name)
{
	if (width == 0 || height == 0 || width > EDID_MAX_WIDTH || height > EDID_MAX_HEIGHT) {
		return false;
	}
	/*
	 * 60 Hz, as the frontend refreshes; a mode too large for an EDID pixel
	 * clock (655.35 MHz) at 60 Hz is described at the fastest rate that fits.
	 */
	uint32_t hz = 60;
	while (hz > 1 && pixel_clock(width, height, hz) > 0xffff) {
		hz--;
	}
	static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};
	memset(e, 0, EDID_BLOCK_SIZE);
	memcpy(e, header, sizeof(header));
	/* Manufacturer "XEN" (5-bit letters), product 0x0002 (displif v2). */
	uint16_t mfg = (uint16_t)(('X' - '@') << 10 | ('E' - '@') << 5 | ('N' - '@'));
	e[8] = (uint8_t)(mfg >> 8);
	e[9] = (uint8_t)mfg;
	e[10] = 0x02;
	e[16] = 0;    // week unknown
	e[17] = 33;   // year 2023 (1990 + 33)
	e[18] = 1;    // EDID 1.4
	e[19] = 4;
	e[20] = 0xa5; // digital, 8 bits per colour, DisplayPort-like interface
	e[21] = 0;    // size unknown
	e[22] = 0;
	e[23] = 120;  // gamma 2.2
	e[24] = 0x06; // RGB 4:4:4, sRGB default, preferred timing is native
	/* sRGB chromaticity. */
	static const uint8_t srgb[10] = {0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54};
	memcpy(&e[25], srgb, sizeof(srgb));
	/* No established or standard timings. */
	for (int i = 38; i < 54; i++) {
		e[i] = 0x01;
	}
	put_timing(&e[54], width, height, hz);
	put_name(&e[72], name);
	/* Two dummy descriptors. */
	e[90 + 3] = 0x10;
	e[108 + 3] = 0x10;
	e[126] = 0; // no extensions
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++) {
		sum = (uint8_t)(sum + e[i]);
	}
	e[127] = (uint8_t)(0x100 - sum);
	return true;
}
