#include <stdlib.h>
#include <string.h>

#include "layouts/layout.h"

static const char *const transform_names[] = {
	[LAYOUT_TRANSFORM_NORMAL] = "normal",
	[LAYOUT_TRANSFORM_90] = "90",
	[LAYOUT_TRANSFORM_180] = "180",
	[LAYOUT_TRANSFORM_270] = "270",
	[LAYOUT_TRANSFORM_FLIPPED] = "flipped",
	[LAYOUT_TRANSFORM_FLIPPED_90] = "flipped-90",
	[LAYOUT_TRANSFORM_FLIPPED_180] = "flipped-180",
	[LAYOUT_TRANSFORM_FLIPPED_270] = "flipped-270",
};

static const char *const fit_names[] = {
	[LAYOUT_FIT_STRETCH] = "stretch",
	[LAYOUT_FIT_CONTAIN] = "contain",
	[LAYOUT_FIT_COVER] = "cover",
	[LAYOUT_FIT_NONE] = "none",
};

#define LEN(names) (sizeof(names) / sizeof(names[0]))

/* The index of text in names, or -1. */
static int name_index(const char *const *names, size_t n, const char *text)
{
	for (size_t k = 0; k < n; k++) {
		if (strcmp(text, names[k]) == 0) {
			return (int)k;
		}
	}
	return -1;
}

static const char *name_of(const char *const *names, size_t n, unsigned value)
{
	return value < n ? names[value] : "?";
}

bool layout_transform_parse(const char *text, enum layout_transform *out)
{
	int k = name_index(transform_names, LEN(transform_names), text);
	if (k >= 0) {
		*out = (enum layout_transform)k;
	}
	return k >= 0;
}

const char *layout_transform_name(enum layout_transform transform)
{
	return name_of(transform_names, LEN(transform_names), (unsigned)transform);
}

bool layout_fit_parse(const char *text, enum layout_fit *out)
{
	int k = name_index(fit_names, LEN(fit_names), text);
	if (k >= 0) {
		*out = (enum layout_fit)k;
	}
	return k >= 0;
}

const char *layout_fit_name(enum layout_fit fit)
{
	return name_of(fit_names, LEN(fit_names), (unsigned)fit);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool layout_colour_parse(const char *text, struct layout_colour *out)
{
	size_t len = strlen(text);
	if (text[0] != '#' || (len != 7 && len != 9)) {
		return false;
	}
	uint8_t c[4] = {0, 0, 0, 0xff};
	for (size_t k = 0; k < (len - 1) / 2; k++) {
		int hi = hex_digit(text[1 + 2 * k]);
		int lo = hex_digit(text[2 + 2 * k]);
		if (hi < 0 || lo < 0) {
			return false;
		}
		c[k] = (uint8_t)(hi * 16 + lo);
	}
	*out = (struct layout_colour){c[0], c[1], c[2], c[3]};
	return true;
}

struct layout_colour layout_colour_from_name(const char *name)
{
	/* FNV-1a picks a hue; fixed saturation and value keep every colour vivid and legible. */
	uint32_t h = 2166136261u;
	for (const char *c = name; *c != '\0'; c++) {
		h = (h ^ (unsigned char)*c) * 16777619u;
	}
	unsigned hue = h % 360;
	const unsigned v = 220, s = 160; /* out of 255 */
	unsigned chroma = v * s / 255;
	unsigned sector = hue / 60;
	unsigned frac = hue % 60;
	/* The second-largest component rises or falls linearly across each sector. */
	unsigned x = chroma * (sector % 2 == 0 ? frac : 60 - frac) / 60;
	unsigned m = v - chroma;
	unsigned r, g, b;
	switch (sector) {
	case 0:
		r = chroma, g = x, b = 0;
		break;
	case 1:
		r = x, g = chroma, b = 0;
		break;
	case 2:
		r = 0, g = chroma, b = x;
		break;
	case 3:
		r = 0, g = x, b = chroma;
		break;
	case 4:
		r = x, g = 0, b = chroma;
		break;
	default:
		r = chroma, g = 0, b = x;
		break;
	}
	return (struct layout_colour){(uint8_t)(r + m), (uint8_t)(g + m), (uint8_t)(b + m), 0xff};
}

/* A decimal number of 1 to 5 digits, without sign or leading zero. */
static bool parse_size(const char **s, int32_t *out)
{
	const char *p = *s;
	int32_t v = 0;
	int n = 0;
	if (*p == '0') {
		return false;
	}
	while (*p >= '0' && *p <= '9') {
		if (++n > 5) {
			return false;
		}
		v = v * 10 + (*p - '0');
		p++;
	}
	if (n == 0) {
		return false;
	}
	*s = p;
	*out = v;
	return true;
}

bool layout_mode_parse(const char *text, struct layout_mode *out)
{
	struct layout_mode mode = {0};
	const char *p = text;
	if (!parse_size(&p, &mode.width) || *p++ != 'x' || !parse_size(&p, &mode.height)) {
		return false;
	}
	if (mode.width > LAYOUT_MAX_SIZE || mode.height > LAYOUT_MAX_SIZE) {
		return false;
	}
	if (*p == '@') {
		p++;
		/* Hz with an optional fraction, kept in mHz as wlroots does; at most 1000 Hz. */
		int64_t mhz = 0;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (++n > 4) {
				return false;
			}
			mhz = mhz * 10 + (*p++ - '0');
		}
		if (n == 0) {
			return false;
		}
		mhz *= 1000;
		if (*p == '.') {
			p++;
			int64_t scale = 100;
			int digits = 0;
			while (*p >= '0' && *p <= '9') {
				if (digits == 3 && *p >= '5') {
					mhz++; /* round to the nearest mHz */
				}
				if (digits < 3) {
					mhz += (*p - '0') * scale;
					scale /= 10;
				}
				if (++digits > 9) {
					return false;
				}
				p++;
			}
			if (digits == 0) {
				return false;
			}
		}
		if (mhz <= 0 || mhz > 1000 * 1000) {
			return false;
		}
		mode.refresh_mhz = (int32_t)mhz;
	}
	if (*p != '\0') {
		return false;
	}
	*out = mode;
	return true;
}

bool layout_duration_parse(const char *text, int32_t *ms)
{
	/* A whole or decimal number, then ms or s: "200ms", "1.5s". */
	char *end;
	if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '.')) {
		return false;
	}
	double v = strtod(text, &end);
	double scale;
	if (strcmp(end, "ms") == 0) {
		scale = 1.0;
	} else if (strcmp(end, "s") == 0) {
		scale = 1000.0;
	} else {
		return false;
	}
	double value = v * scale;
	if (!(value >= LAYOUT_MIN_STALE_MS && value <= LAYOUT_MAX_STALE_MS)) {
		return false;
	}
	*ms = (int32_t)(value + 0.5);
	return true;
}
