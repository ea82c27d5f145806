#ifndef VGUEST_MISBEHAVE_H
#define VGUEST_MISBEHAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "connector.h"
#include "dbuf.h"
#include "modes.h"

/*
 * The request-level hostile modes of --misbehave (and ring-overflow's
 * corrupt ring), run once the guest's own buffers are up and shown and
 * before it flips: a short script of requests, some silent (scratch buffers
 * to misbehave with, and their cleanup), some hostile. Each hostile
 * request's answer is one line, "misbehave MODE op=OPNAME status=S" (S the
 * decimal status, "none" if no answer came in 3000 ms, "skipped" if the
 * scratch it needed could not be made). Hostile answers never count as
 * errors; silent requests are normal ones and do.
 */
struct misbehave;

struct misbehave_env {
	enum misbehave_mode mode;
	struct connector *conns;
	int nconn;
	struct dbuf_alloc alloc; /* the guest's; scratch buffers are always the guest's own */
	bool prime;              /* --prime: data-ofs uses a PRIME-style buffer */
};

/* NULL (logged) if out of memory or the mode cannot run here (buffer-wrong-ring, one connector). */
struct misbehave *misbehave_create(const struct misbehave_env *env);
/* Unshares the scratch buffers. NULL is a no-op. */
void misbehave_destroy(struct misbehave *m);

/* Sends what is due; true if it did anything. */
bool misbehave_step(struct misbehave *m, int64_t now);
/* The next time misbehave_step has work (flood), INT64_MAX if it waits for answers. */
int64_t misbehave_deadline(const struct misbehave *m);
/* The script is over; for ring-overflow, the ring is corrupt and the run ends. */
bool misbehave_done(const struct misbehave *m);

#endif
