#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "protocol/xs_value.h"

int xs_value_parse_u32(const char *untrusted_value, uint32_t max, uint32_t *out)
{
	if (untrusted_value == NULL) {
		return -ENOENT;
	}
	size_t len = strnlen(untrusted_value, 11);
	if (len == 0 || len > 10) {
		return -EINVAL;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		char c = untrusted_value[i];
		if (c < '0' || c > '9') {
			return -EINVAL;
		}
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (v > max) {
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int xs_value_parse_flag(const char *untrusted_value, bool *out)
{
	uint32_t v = 0;
	int err = xs_value_parse_u32(untrusted_value, UINT32_MAX, &v);
	*out = err == 0 && v != 0;
	return err;
}

enum xenbus_state xs_value_parse_state(const char *untrusted_value)
{
	uint32_t state;
	if (xs_value_parse_u32(untrusted_value, XenbusStateReconfigured, &state) != 0) {
		return XenbusStateUnknown;
	}
	return (enum xenbus_state)state;
}

int xs_value_check_unique_id(const char *untrusted_value, const char **out)
{
	if (untrusted_value == NULL) {
		return -ENOENT;
	}
	/* Compared with the layout file's, never shown unsanitized: any text goes. */
	if (strnlen(untrusted_value, XS_VALUE_MAX_LEN + 1) > XS_VALUE_MAX_LEN) {
		return -EINVAL;
	}
	*out = untrusted_value;
	return 0;
}

void xs_value_sanitize(const char *untrusted_text, char *out, size_t size)
{
	if (size == 0) {
		return;
	}
	size_t n = 0;
	for (const char *c = untrusted_text; c != NULL && *c != '\0' && n + 1 < size; c++) {
		out[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	}
	out[n] = '\0';
}

void xs_value_domain_name(
	const char *untrusted_name, uint32_t domid, char out[XS_VALUE_NAME_MAX + 1])
{
	xs_value_sanitize(untrusted_name, out, XS_VALUE_NAME_MAX + 1);
	if (out[0] == '\0') {
		snprintf(out, XS_VALUE_NAME_MAX + 1, "domain-%u", domid);
	}
}
