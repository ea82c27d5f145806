#ifndef VGUEST_XENBUS_H
#define VGUEST_XENBUS_H

#include <stdbool.h>
#include <xen/io/xenbus.h>
#include <xenstore.h>

/*
 * XenStore helpers in the manner of Linux's xenbus_read/xenbus_printf: a
 * node is addressed as (dir, node). Values written by the other end are
 * untrusted: numbers are parsed strictly.
 */

/* The value of dir/node, NUL-terminated, malloc'ed; NULL if missing. */
char *xenbus_read(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node);

/* Parses dir/node as a decimal number in [0, max]; false if missing or malformed. */
bool xenbus_read_uint(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
	unsigned long max, unsigned long *out);

/* dir/state; XenbusStateUnknown when missing or not a known state. */
enum xenbus_state xenbus_read_state(struct xs_handle *xs, const char *dir);

bool xenbus_write_state(struct xs_handle *xs, const char *dir, enum xenbus_state state);

bool xenbus_printf(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *node,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

const char *xenbus_strstate(enum xenbus_state state);

#endif
