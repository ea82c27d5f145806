#ifndef VGUEST_PARSE_H
#define VGUEST_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Strict decimal: digits only, no sign or spaces, value in [0, max]. */
bool parse_uint(const char *s, unsigned long max, unsigned long *out);

/* "WIDTHxHEIGHT", both strict decimals in [1, max_width] and [1, max_height]. */
bool parse_resolution(
	const char *s, uint32_t max_width, uint32_t max_height, uint32_t *width, uint32_t *height);

#endif
