#include "parse.h"

#include <string.h>

bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (s == NULL || s[0] < '0' || s[0] > '9') {
		return false;
	}
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
		unsigned long digit = (unsigned long)(*p - '0');
		if (digit > max || v > (max - digit) / 10) {
			return false;
		}
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}

bool parse_resolution(
	const char *s, uint32_t max_width, uint32_t max_height, uint32_t *width, uint32_t *height)
{
	const char *x = s ? strchr(s, 'x') : NULL;
	char w[16];
	if (x == NULL || (size_t)(x - s) >= sizeof(w)) {
		return false;
	}
	memcpy(w, s, (size_t)(x - s));
	w[x - s] = '\0';
	unsigned long wv, hv;
	if (!parse_uint(w, max_width, &wv) || !parse_uint(x + 1, max_height, &hv) || wv == 0 ||
		hv == 0) {
		return false;
	}
	*width = (uint32_t)wv;
	*height = (uint32_t)hv;
	return true;
}
