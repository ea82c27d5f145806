#ifndef MOSAIC_TESTS_INPUTS_H
#define MOSAIC_TESTS_INPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "harness.h"

/* The input tests' helpers: guests with PV input devices, and what they receive. */

/* Writes a layout file into the test's scratch directory; its path (static). */
const char *inputs_write_layout(const char *name, const char *text);
/* Sends a control request (printf-style) and fails the test unless it ends with "ok". */
void inputs_request(struct harness *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Creates a domain with one vdispl device and one vkb device (libxl's vkb= spec). */
void inputs_create_guest(struct harness *h, int domid, const char *name, const char *connectors,
	const char *vkb);
/* Waits (10 s at most) until mosaic lists n input devices connected. */
void inputs_wait_connected(struct harness *h, int n);

/* One event a virtual guest's keyboard/pointer device received. */
struct kbd_event {
	enum { KBD_KEY, KBD_POS, KBD_MOTION, KBD_MT } type;
	long code;  // KBD_KEY
	bool down;  // KBD_KEY
	long x, y, z; // KBD_POS (z: wheel), KBD_MOTION (deltas), KBD_MT (x, y)
	long contact; // KBD_MT
	char mt[8];   // KBD_MT: down, motion, up, syn
	char line[256];
};

/* The guest's next input event; false when none comes within timeout_ms. */
bool inputs_next_event(struct proc *guest, int timeout_ms, struct kbd_event *ev);
/* Fails unless the guest's next event is a key with this code and state. */
void inputs_expect_key(struct proc *guest, long code, bool down);

/* A control connection kept open, for many requests. */
struct ctl {
	FILE *in;
	int fd;
};
void ctl_open(struct harness *h, struct ctl *c);
void ctl_close(struct ctl *c);
/* Sends a request without waiting for its reply. */
void ctl_send(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads one reply; fails the test on "error" unless allow_error. Returns whether it was ok. */
bool ctl_reply(struct ctl *c, bool allow_error, char *status, size_t size);
/* Sends and waits for "ok". */
void ctl_ok(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
