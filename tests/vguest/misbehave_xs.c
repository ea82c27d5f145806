#include "misbehave_xs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "displif.h"
#include "log.h"
#include "xenbus.h"

#define REPORT_WAIT_MS 3000
#define REPORT_POLL_MS 20
/* A backend writes its error key and its state one after the other: wait this long for both. */
#define REPORT_GRACE_MS 500
#define TRANSACTION_RETRIES 100

static const char *bad_resolution(enum misbehave_mode mode)
{
	switch (mode) {
	case MISBEHAVE_XS_RES_ZERO:
		return "0x0";
	case MISBEHAVE_XS_RES_HUGE:
		return "99999x99999";
	default:
		return NULL;
	}
}

/* Replaces dir (ours) with one holding our resolution and the unique-id it had. */
static bool rewrite_dir(struct xs_mangle *x, struct xs_handle *xs, const char *res)
{
	for (int attempt = 0; attempt < TRANSACTION_RETRIES; attempt++) {
		xs_transaction_t t = xs_transaction_start(xs);
		if (t == XBT_NULL) {
			return false;
		}
		bool ok = xs_rm(xs, t, x->dir) &&
			  xenbus_printf(xs, t, x->dir, "resolution", "%s", res) &&
			  (x->unique_id == NULL ||
				  xenbus_printf(xs, t, x->dir, "unique-id", "%s", x->unique_id));
		if (!ok) {
			int err = errno;
			xs_transaction_end(xs, t, true);
			errno = err;
			return false;
		}
		if (xs_transaction_end(xs, t, false)) {
			return true;
		}
		if (errno != EAGAIN) {
			return false;
		}
	}
	errno = EAGAIN;
	return false;
}

bool xs_mangle_apply(
	struct xs_mangle *x, struct xs_handle *xs, const char *fe_dir, enum misbehave_mode mode)
{
	memset(x, 0, sizeof(*x));
	x->mode = mode;
	snprintf(x->dir, sizeof(x->dir), "%s/0", fe_dir);
	const char *res = bad_resolution(mode);
	if (res == NULL) {
		return true;
	}
	x->resolution = xenbus_read(xs, XBT_NULL, x->dir, "resolution");
	x->unique_id = xenbus_read(xs, XBT_NULL, x->dir, "unique-id");
	if (x->resolution == NULL) {
		log_error("misbehave: %s/resolution: cannot read it", x->dir);
		return false;
	}
	/* Allowed where the toolstack left it writable; else the hostile way. */
	if (xenbus_printf(xs, XBT_NULL, x->dir, "resolution", "%s", res)) {
		log_debug("misbehave: %s/resolution = %s", x->dir, res);
		return true;
	}
	if (errno != EACCES || !rewrite_dir(x, xs, res)) {
		log_error("misbehave: writing %s/resolution: %s", x->dir, strerror(errno));
		return false;
	}
	log_debug("misbehave: %s replaced: resolution = %s", x->dir, res);
	return true;
}

const char *xs_mangle_value(
	const struct xs_mangle *x, int connector, const char *key, const char *value)
{
	if (connector != 0) {
		return value;
	}
	switch (x->mode) {
	case MISBEHAVE_XS_MISSING_REF:
		return strcmp(key, XENDISPL_FIELD_REQ_RING_REF) == 0 ? NULL : value;
	case MISBEHAVE_XS_BAD_REF:
		return strcmp(key, XENDISPL_FIELD_REQ_RING_REF) == 0 ? "12abc" : value;
	case MISBEHAVE_XS_BAD_CHANNEL:
		return strcmp(key, XENDISPL_FIELD_EVT_CHANNEL) == 0 ? "-1" : value;
	default:
		return value;
	}
}

void xs_mangle_restore(struct xs_mangle *x, struct xs_handle *xs)
{
	if (x->resolution != NULL &&
		!xenbus_printf(xs, XBT_NULL, x->dir, "resolution", "%s", x->resolution)) {
		log_warning("misbehave: restoring %s/resolution: %s", x->dir, strerror(errno));
	}
	xs_mangle_forget(x);
}

void xs_mangle_forget(struct xs_mangle *x)
{
	free(x->resolution);
	free(x->unique_id);
	x->resolution = NULL;
	x->unique_id = NULL;
}

void backend_report_start(struct backend_report *r, struct xs_handle *xs, const char *backend,
	enum misbehave_mode mode, enum xenbus_state start, int64_t now)
{
	backend_report_finish(r);
	r->active = true;
	r->mode = mode;
	r->start = start;
	r->old_error = xenbus_read(xs, XBT_NULL, backend, "error");
	r->deadline = now + REPORT_WAIT_MS * NSEC_PER_MSEC;
	r->next_poll = now;
}

void backend_report_finish(struct backend_report *r)
{
	free(r->old_error);
	memset(r, 0, sizeof(*r));
}

/* The error key as one quoted token: quotes, backslashes and controls become '?'. */
static void quote(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = in; p != NULL && *p != '\0' && n + 1 < size; p++) {
		unsigned char c = (unsigned char)*p;
		out[n++] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	out[n] = '\0';
}

bool backend_report_poll(
	struct backend_report *r, struct xs_handle *xs, const char *backend, int64_t now)
{
	if (!r->active || now < r->next_poll) {
		return false;
	}
	r->next_poll = now + REPORT_POLL_MS * NSEC_PER_MSEC;
	enum xenbus_state state = xenbus_read_state(xs, backend);
	char *error = xenbus_read(xs, XBT_NULL, backend, "error");
	bool new_error =
		error != NULL && (r->old_error == NULL || strcmp(error, r->old_error) != 0);
	bool left = state != r->start && state != XenbusStateConnected;
	if ((new_error || left) && r->first_sign == 0) {
		r->first_sign = now;
	}
	/* Both, or one and the other is not coming. */
	bool settled =
		(new_error && left) ||
		(r->first_sign != 0 && now - r->first_sign >= REPORT_GRACE_MS * NSEC_PER_MSEC);
	if (!settled && now < r->deadline) {
		free(error);
		return false;
	}
	char text[256];
	quote(error, text, sizeof(text));
	free(error);
	log_report("misbehave %s backend-state=%d error=\"%s\"", misbehave_mode_name(r->mode),
		(int)state, text);
	backend_report_finish(r);
	return true;
}

int64_t backend_report_deadline(const struct backend_report *r)
{
	return r->active ? r->next_poll : INT64_MAX;
}
