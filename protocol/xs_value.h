#ifndef MOSAIC_PROTOCOL_XS_VALUE_H
#define MOSAIC_PROTOCOL_XS_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xenbus.h>

/*
 * Values read from XenStore, checked: everything a guest (or the toolstack)
 * wrote is untrusted_* until it has been through one of these. NULL stands
 * for a key that is absent. Pure: no XenStore calls, no logging.
 */

/* Longest value XenStore stores (XENSTORE_PAYLOAD_MAX). */
#define XS_VALUE_MAX_LEN 4096
/* Domain names as shown to people and in logs, without the NUL. */
#define XS_VALUE_NAME_MAX 64

/*
 * Strict decimal: digits only, no sign, space or 0x, at most 10 digits, and
 * at most max. 0, -ENOENT when absent, -EINVAL otherwise.
 */
int xs_value_parse_u32(const char *untrusted_value, uint32_t max, uint32_t *out);

/*
 * A feature or request flag: a number, nonzero meaning yes. 0, -ENOENT when
 * absent, -EINVAL when not a number (*out is then false).
 */
int xs_value_parse_flag(const char *untrusted_value, bool *out);

/* A XenBus state key; XenbusStateUnknown when absent or not a state. */
enum xenbus_state xs_value_parse_state(const char *untrusted_value);

/*
 * A unique-id (vdispl connectors, vkbd devices): any text XenStore holds;
 * -ENOENT when absent, -EINVAL when longer than XenStore allows. *out points
 * into untrusted_value: copy it.
 */
int xs_value_check_unique_id(const char *untrusted_value, const char **out);

/*
 * Copies text a guest chose, replacing every byte that is not printable
 * ASCII with '?', truncated to size - 1 bytes and always terminated: safe to
 * show to people and to log. NULL copies as "".
 */
void xs_value_sanitize(const char *untrusted_text, char *out, size_t size);

/*
 * A domain's name, sanitized and at most XS_VALUE_NAME_MAX bytes;
 * "domain-N" when it has none. Into out (XS_VALUE_NAME_MAX + 1 bytes).
 */
void xs_value_domain_name(
	const char *untrusted_name, uint32_t domid, char out[XS_VALUE_NAME_MAX + 1]);

#endif
