#ifndef MOSAIC_MOSAICCTL_JSON_H
#define MOSAIC_MOSAICCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* JSON text written into a buffer of the caller's; full once something did not fit. */
struct json_out {
	char *buf;
	size_t size, len;
	bool full;
};

void json_init(struct json_out *o, char *buf, size_t size);
/* Text that is JSON already: punctuation, literals, checked numbers. */
void json_raw(struct json_out *o, const char *text);
/* s as a JSON string; control characters escaped. */
void json_string(struct json_out *o, const char *s);
/* ,"key": (the comma unless first) */
void json_key(struct json_out *o, const char *key, bool first);

/* JSON's number syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
bool json_is_number(const char *s);
/* A number with neither fraction nor exponent. */
bool json_is_integer(const char *s);

#endif
