#include "misbehave.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "pattern.h"
#include "pgdir.h"

/* many-dbufs: one create per mapping a device may hold, and as many destroys. */
#define MAX_STEPS 600
/* mosaic's limits per device (vm-surfaces/budget.h, dbuf.h); the guest's own buffers count. */
#define DEVICE_MAPPINGS 256
#define DEVICE_FBS 64
/* budget-ghost's buffers: two of them exceed a 16 MiB budget, one does not. */
#define GHOST_WIDTH 2048
#define GHOST_HEIGHT 1536
#define MAX_SCRATCH 2
#define SCRATCH_SIZE 64
/* Two directory pages' worth: 1024 pages of XRGB8888 at 1024x1024. */
#define BIG_SCRATCH_SIZE 1024
#define FLOOD_MS 5000
/* Draining waits this long after the last answer or event... */
#define DRAIN_IDLE_MS EVTCHNL_RESPONSE_TIMEOUT_MS
/* ...and no longer than this after the flood, whatever trickles in. */
#define DRAIN_MAX_MS 30000
#define OVERFLOW_EXCESS 64
#define NEVER_GRANTED_REF 0xffff0u
#define FOREIGN_DOMID 77
#define BAD_OPCODE 0x7f

enum step_kind {
	STEP_REQUEST,
	STEP_FLOOD,
	STEP_OVERFLOW,
};

struct step {
	enum step_kind kind;
	int ring; /* the connector whose ring carries it */
	struct xendispl_req req;
	bool report; /* hostile: a line for its answer, failures expected */
	bool quiet;  /* cleanup after a hostile request: failures expected, no line */
	int needs;   /* -1, or a step that must have answered 0 first */
	bool die;    /* the guest crashes as soon as the request is on the ring */
};

struct misbehave {
	struct misbehave_env env;
	const char *name;

	struct step steps[MAX_STEPS];
	int nsteps;
	int next;
	bool waiting;
	bool answered[MAX_STEPS];
	int32_t status[MAX_STEPS];
	bool done;

	struct dbuf *scratch[MAX_SCRATCH];
	void *extra_page; /* pgdir-long's extra directory page, pgdir-foreign's page for domain 77
			   */
	uint32_t extra_gref;
	uint32_t extra_domid;
	/* Cookies nobody ever created: addresses only we use. */
	uint64_t never[4];

	/* flood */
	bool flooding;
	int64_t flood_until, drain_until, drain_max;
	uint64_t sent, replies, failed;
	uint64_t events_before; /* connector 0's stray events when the flood began */
	uint64_t events_seen;   /* the last count seen, to notice progress */
};

static uint64_t never_cookie(struct misbehave *m, int i)
{
	return (uint64_t)(uintptr_t)&m->never[i];
}

static struct step *add(struct misbehave *m, int ring, uint8_t op, bool report, int needs)
{
	struct step *s = &m->steps[m->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = STEP_REQUEST;
	s->ring = ring;
	s->req.operation = op;
	s->report = report;
	s->needs = needs;
	return s;
}

/* A hostile request, reported. */
static struct step *hostile(struct misbehave *m, int ring, uint8_t op, int needs)
{
	return add(m, ring, op, true, needs);
}

/* A normal request (scratch setup or its cleanup); its failure is an error. */
static struct step *silent(struct misbehave *m, uint8_t op, int needs)
{
	return add(m, 0, op, false, needs);
}

/* Cleanup after a hostile request a backend should have refused. */
static struct step *cleanup(struct misbehave *m, uint8_t op, int needs)
{
	struct step *s = add(m, 0, op, false, needs);
	s->quiet = true;
	return s;
}

static int last(const struct misbehave *m)
{
	return m->nsteps - 1;
}

static struct dbuf *scratch(struct misbehave *m, int slot, uint32_t width, uint32_t height,
	uint32_t format, enum dbuf_kind kind)
{
	struct dbuf_alloc alloc = m->env.alloc;
	alloc.kind = kind;
	alloc.gt = NULL;
	m->scratch[slot] = dbuf_create(&alloc, width, height, format);
	if (m->scratch[slot] != NULL && m->scratch[slot]->pixels != NULL) {
		vguest_pattern_fill(m->scratch[slot]->pixels, m->scratch[slot]->pitch, format,
			"scratch", 0, width, height);
	}
	return m->scratch[slot];
}

static struct dbuf *small_scratch(struct misbehave *m, int slot)
{
	return scratch(m, slot, SCRATCH_SIZE, SCRATCH_SIZE, VGUEST_FORMAT_XRGB8888, DBUF_DUMB);
}

static void create_req(struct step *s, const struct dbuf *buf)
{
	dbuf_build_create_req(buf, &s->req);
}

static void destroy_req(struct step *s, uint64_t cookie)
{
	s->req.op.dbuf_destroy.dbuf_cookie = cookie;
}

/* A hostile DBUF_CREATE of buf (the caller bends it), on ring. */
static struct step *hostile_create(struct misbehave *m, int ring, const struct dbuf *buf)
{
	struct step *s = hostile(m, ring, XENDISPL_OP_DBUF_CREATE, -1);
	create_req(s, buf);
	return s;
}

/* DBUF_DESTROY of cookie, if step `created` was (wrongly) accepted. */
static void add_destroy_if_ok(struct misbehave *m, int created, uint64_t cookie)
{
	destroy_req(cleanup(m, XENDISPL_OP_DBUF_DESTROY, created), cookie);
}

static bool share_extra(struct misbehave *m, uint32_t domid)
{
	m->extra_page = xengntshr_share_pages(m->env.alloc.gs, domid, 1, &m->extra_gref, 1);
	if (m->extra_page == NULL) {
		log_error("misbehave: sharing a page with domain %u: %s", domid, strerror(errno));
		return false;
	}
	memset(m->extra_page, 0, DISPLIF_PAGE_SIZE);
	m->extra_domid = domid;
	return true;
}

static bool script_buffers(struct misbehave *m)
{
	struct dbuf *a, *b;
	int i;
	switch (m->env.mode) {
	case MISBEHAVE_COOKIE_ZERO: {
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		struct step *s = hostile_create(m, 0, a);
		s->req.op.dbuf_create.dbuf_cookie = 0;
		add_destroy_if_ok(m, last(m), 0);
		return true;
	}
	case MISBEHAVE_DUP_COOKIE:
		if ((a = small_scratch(m, 0)) == NULL || (b = small_scratch(m, 1)) == NULL) {
			return false;
		}
		hostile_create(m, 0, a);
		i = last(m);
		hostile_create(m, 0, b)->req.op.dbuf_create.dbuf_cookie = a->cookie;
		add_destroy_if_ok(m, i, a->cookie);
		/* A backend that took both has a second buffer under the same cookie. */
		add_destroy_if_ok(m, last(m) - 1, a->cookie);
		return true;
	case MISBEHAVE_SMALL_BUFFER:
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		/* 64x64x32 is 16384 bytes: one page short. */
		hostile_create(m, 0, a)->req.op.dbuf_create.buffer_sz = a->size - DISPLIF_PAGE_SIZE;
		add_destroy_if_ok(m, last(m), a->cookie);
		return true;
	case MISBEHAVE_HUGE_BUFFER: {
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		/* A directory with 4 real references, claiming 1048575 pages. */
		struct step *s = hostile_create(m, 0, a);
		s->req.op.dbuf_create.dbuf_cookie = never_cookie(m, 0);
		s->req.op.dbuf_create.width = 16384;
		s->req.op.dbuf_create.height = 16384;
		s->req.op.dbuf_create.bpp = 32;
		s->req.op.dbuf_create.buffer_sz = 0xfffff000u;
		add_destroy_if_ok(m, last(m), never_cookie(m, 0));
		/* 65535x65535x32 is 16 GiB: buffer_sz is the product wrapped to 32 bits. */
		s = hostile_create(m, 0, a);
		s->req.op.dbuf_create.dbuf_cookie = never_cookie(m, 1);
		s->req.op.dbuf_create.width = 65535;
		s->req.op.dbuf_create.height = 65535;
		s->req.op.dbuf_create.bpp = 32;
		s->req.op.dbuf_create.buffer_sz = (uint32_t)(65535u * 65535u * 4u);
		add_destroy_if_ok(m, last(m), never_cookie(m, 1));
		return true;
	}
	case MISBEHAVE_DATA_OFS: {
		/* Like the guest's own buffers: PRIME-style with --prime. */
		a = scratch(m, 0, SCRATCH_SIZE, SCRATCH_SIZE, VGUEST_FORMAT_XRGB8888,
			m->env.prime ? DBUF_PRIME : DBUF_DUMB);
		if (a == NULL) {
			return false;
		}
		struct step *s = hostile_create(m, 0, a);
		s->req.op.dbuf_create.data_ofs = a->size + DISPLIF_PAGE_SIZE;
		add_destroy_if_ok(m, last(m), a->cookie);
		return true;
	}
	case MISBEHAVE_BE_ALLOC_UNASKED: {
		/* Backend allocation on a device whose toolstack did not enable it. */
		const struct dbuf *own = scratch(m, 0, SCRATCH_SIZE, SCRATCH_SIZE,
			VGUEST_FORMAT_XRGB8888, DBUF_BE_ALLOC);
		if (own == NULL) {
			return false;
		}
		int created = m->nsteps;
		hostile_create(m, 0, own);
		add_destroy_if_ok(m, created, own->cookie);
		return true;
	}
	case MISBEHAVE_BUFFER_WRONG_RING:
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		hostile_create(m, 1, a);
		add_destroy_if_ok(m, last(m), a->cookie);
		return true;
	default:
		return false;
	}
}

static bool script_pgdir(struct misbehave *m)
{
	struct dbuf *a;
	switch (m->env.mode) {
	case MISBEHAVE_PGDIR_SHORT:
	case MISBEHAVE_PGDIR_LOOP:
		a = scratch(m, 0, BIG_SCRATCH_SIZE, BIG_SCRATCH_SIZE, VGUEST_FORMAT_XRGB8888,
			DBUF_DUMB);
		if (a == NULL || a->num_dir_pages != 2) {
			return false;
		}
		/* Short: the chain ends after 1023 of 1024 references. Loop: page 0 -> page 0. */
		*pgdir_next_slot(a->dir, 0) =
			m->env.mode == MISBEHAVE_PGDIR_SHORT ? 0 : a->dir_grefs[0];
		hostile_create(m, 0, a);
		add_destroy_if_ok(m, last(m), a->cookie);
		return true;
	case MISBEHAVE_PGDIR_LONG:
		if ((a = small_scratch(m, 0)) == NULL || !share_extra(m, m->env.alloc.domid)) {
			return false;
		}
		/* One more directory page, listing the same pages again, after the last needed. */
		pgdir_fill(m->extra_page, &m->extra_gref, 1, a->grefs, a->num_pages);
		*pgdir_next_slot(a->dir, 0) = m->extra_gref;
		hostile_create(m, 0, a);
		add_destroy_if_ok(m, last(m), a->cookie);
		return true;
	case MISBEHAVE_PGDIR_FOREIGN: {
		struct dbuf *b;
		if ((a = small_scratch(m, 0)) == NULL || (b = small_scratch(m, 1)) == NULL ||
			!share_extra(m, FOREIGN_DOMID)) {
			return false;
		}
		*pgdir_ref_slot(a->dir, 0, 1) = NEVER_GRANTED_REF;
		hostile_create(m, 0, a);
		add_destroy_if_ok(m, last(m), a->cookie);
		*pgdir_ref_slot(b->dir, 0, 1) = m->extra_gref;
		hostile_create(m, 0, b);
		add_destroy_if_ok(m, last(m), b->cookie);
		return true;
	}
	default:
		return false;
	}
}

static void attach_req(struct step *s, const struct dbuf *buf, uint64_t fb_cookie, uint32_t width,
	uint32_t height, uint32_t format)
{
	dbuf_build_attach_req(buf, &s->req);
	s->req.op.fb_attach.fb_cookie = fb_cookie;
	s->req.op.fb_attach.width = width;
	s->req.op.fb_attach.height = height;
	s->req.op.fb_attach.pixel_format = format;
}

static void set_config_req(
	struct step *s, uint64_t fb, uint32_t x, uint32_t width, uint32_t height, uint32_t bpp)
{
	s->req.op.set_config.fb_cookie = fb;
	s->req.op.set_config.x = x;
	s->req.op.set_config.y = 0;
	s->req.op.set_config.width = width;
	s->req.op.set_config.height = height;
	s->req.op.set_config.bpp = bpp;
}

/* Scratch DBUF_CREATE + FB_ATTACH, silent; returns the FB_ATTACH step. */
static int scratch_fb(struct misbehave *m, const struct dbuf *a)
{
	create_req(silent(m, XENDISPL_OP_DBUF_CREATE, -1), a);
	dbuf_build_attach_req(a, &silent(m, XENDISPL_OP_FB_ATTACH, last(m))->req);
	return last(m);
}

/* Buffers destroyed while shown still count until they are let go; so do many small ones. */
static bool script_budget(struct misbehave *m)
{
	struct dbuf *a, *b;
	struct step *s;
	int own = 2 * m->env.nconn; /* the guest's own buffers and fbs, double-buffered */
	switch (m->env.mode) {
	case MISBEHAVE_BUDGET_GHOST: {
		const struct connector *c = &m->env.conns[0];
		if (connector_front(c) == NULL ||
			(a = scratch(m, 0, GHOST_WIDTH, GHOST_HEIGHT, VGUEST_FORMAT_XRGB8888,
				 DBUF_DUMB)) == NULL ||
			(b = scratch(m, 1, GHOST_WIDTH, GHOST_HEIGHT, VGUEST_FORMAT_XRGB8888,
				 DBUF_DUMB)) == NULL) {
			return false;
		}
		int created = m->nsteps;
		hostile_create(m, 0, a);
		attach_req(hostile(m, 0, XENDISPL_OP_FB_ATTACH, created), a, a->cookie + 1,
			GHOST_WIDTH, GHOST_HEIGHT, VGUEST_FORMAT_XRGB8888);
		int attached = last(m);
		hostile(m, 0, XENDISPL_OP_PG_FLIP, attached)->req.op.pg_flip.fb_cookie = a->cookie + 1;
		destroy_req(hostile(m, 0, XENDISPL_OP_DBUF_DESTROY, created), a->cookie);
		/* A is still on screen: B does not fit beside it. */
		int second = m->nsteps;
		hostile_create(m, 0, b);
		add_destroy_if_ok(m, second, b->cookie);
		/* Back to the guest's own picture: A can go. */
		hostile(m, 0, XENDISPL_OP_PG_FLIP, -1)->req.op.pg_flip.fb_cookie =
			connector_front(c)->fb.cookie;
		return true;
	}
	case MISBEHAVE_MANY_DBUFS:
		/* One page, the same each time, under new cookies: a mapping each. */
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		for (int i = 0; i < DEVICE_MAPPINGS - own; i++) {
			s = silent(m, XENDISPL_OP_DBUF_CREATE, -1);
			create_req(s, a);
			s->req.op.dbuf_create.dbuf_cookie = a->cookie + (uint64_t)i;
		}
		s = hostile_create(m, 0, a);
		s->req.op.dbuf_create.dbuf_cookie = a->cookie + DEVICE_MAPPINGS;
		add_destroy_if_ok(m, last(m), a->cookie + DEVICE_MAPPINGS);
		for (int i = 0; i < DEVICE_MAPPINGS - own; i++) {
			destroy_req(cleanup(m, XENDISPL_OP_DBUF_DESTROY, -1), a->cookie + (uint64_t)i);
		}
		return true;
	case MISBEHAVE_MANY_FBS:
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		create_req(silent(m, XENDISPL_OP_DBUF_CREATE, -1), a);
		for (int i = 0; i < DEVICE_FBS - own; i++) {
			attach_req(silent(m, XENDISPL_OP_FB_ATTACH, 0), a, a->cookie + 1 + (uint64_t)i,
				SCRATCH_SIZE, SCRATCH_SIZE, VGUEST_FORMAT_XRGB8888);
		}
		attach_req(hostile(m, 0, XENDISPL_OP_FB_ATTACH, 0), a, a->cookie + 1 + DEVICE_FBS,
			SCRATCH_SIZE, SCRATCH_SIZE, VGUEST_FORMAT_XRGB8888);
		/* Its fbs go with it. */
		destroy_req(cleanup(m, XENDISPL_OP_DBUF_DESTROY, 0), a->cookie);
		return true;
	default:
		return false;
	}
}

static bool script_fbs(struct misbehave *m)
{
	struct connector *c0 = &m->env.conns[0];
	const struct dbuf *front = connector_front(c0);
	struct dbuf *a;
	int created, attached;
	struct step *s;
	switch (m->env.mode) {
	case MISBEHAVE_FB_MISMATCH:
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		create_req(silent(m, XENDISPL_OP_DBUF_CREATE, -1), a);
		created = last(m);
		attach_req(hostile(m, 0, XENDISPL_OP_FB_ATTACH, created), a, never_cookie(m, 0),
			SCRATCH_SIZE + 1, SCRATCH_SIZE + 1, VGUEST_FORMAT_XRGB8888);
		cleanup(m, XENDISPL_OP_FB_DETACH, last(m))->req.op.fb_detach.fb_cookie =
			never_cookie(m, 0);
		attach_req(hostile(m, 0, XENDISPL_OP_FB_ATTACH, created), a, never_cookie(m, 1),
			SCRATCH_SIZE, SCRATCH_SIZE, VGUEST_FORMAT_RGB565);
		cleanup(m, XENDISPL_OP_FB_DETACH, last(m))->req.op.fb_detach.fb_cookie =
			never_cookie(m, 1);
		destroy_req(silent(m, XENDISPL_OP_DBUF_DESTROY, created), a->cookie);
		return true;
	case MISBEHAVE_CONFIG_OUTSIDE:
		if (front == NULL || (a = scratch(m, 0, c0->width + 16, c0->height + 16,
					      VGUEST_FORMAT_XRGB8888, DBUF_DUMB)) == NULL) {
			return false;
		}
		attached = scratch_fb(m, a);
		created = attached - 1;
		/*
		 * Linux sends the fb's size and the scan-out offset into it, so
		 * an fb larger than the mode is fine; outside is larger than the
		 * fb, or an offset past its edge.
		 */
		/* What Linux sends: the whole fb, scanned out from an offset (accepted). */
		set_config_req(hostile(m, 0, XENDISPL_OP_SET_CONFIG, attached), a->fb.cookie, 16,
			c0->width + 16, c0->height + 16, a->bpp);
		set_config_req(hostile(m, 0, XENDISPL_OP_SET_CONFIG, -1), a->fb.cookie, 0,
			c0->width + 32, c0->height + 32, a->bpp);
		set_config_req(hostile(m, 0, XENDISPL_OP_SET_CONFIG, -1), front->fb.cookie,
			c0->width, c0->width, c0->height, front->bpp);
		/* Back to what the guest showed. */
		s = add(m, 0, XENDISPL_OP_SET_CONFIG, false, -1);
		set_config_req(s, front->fb.cookie, 0, c0->width, c0->height, front->bpp);
		silent(m, XENDISPL_OP_FB_DETACH, attached)->req.op.fb_detach.fb_cookie =
			a->fb.cookie;
		destroy_req(silent(m, XENDISPL_OP_DBUF_DESTROY, created), a->cookie);
		return true;
	case MISBEHAVE_FLIP_DETACHED:
		if ((a = small_scratch(m, 0)) == NULL) {
			return false;
		}
		attached = scratch_fb(m, a);
		created = attached - 1;
		silent(m, XENDISPL_OP_FB_DETACH, attached)->req.op.fb_detach.fb_cookie =
			a->fb.cookie;
		hostile(m, 0, XENDISPL_OP_PG_FLIP, last(m))->req.op.pg_flip.fb_cookie =
			a->fb.cookie;
		destroy_req(silent(m, XENDISPL_OP_DBUF_DESTROY, created), a->cookie);
		return true;
	default:
		return false;
	}
}

static bool script(struct misbehave *m)
{
	struct step *s;
	switch (m->env.mode) {
	case MISBEHAVE_BAD_OPCODE:
		hostile(m, 0, BAD_OPCODE, -1);
		return true;
	case MISBEHAVE_UNKNOWN_COOKIE:
		destroy_req(hostile(m, 0, XENDISPL_OP_DBUF_DESTROY, -1), never_cookie(m, 0));
		s = hostile(m, 0, XENDISPL_OP_FB_ATTACH, -1);
		s->req.op.fb_attach.dbuf_cookie = never_cookie(m, 1);
		s->req.op.fb_attach.fb_cookie = never_cookie(m, 2);
		s->req.op.fb_attach.width = SCRATCH_SIZE;
		s->req.op.fb_attach.height = SCRATCH_SIZE;
		s->req.op.fb_attach.pixel_format = VGUEST_FORMAT_XRGB8888;
		hostile(m, 0, XENDISPL_OP_FB_DETACH, -1)->req.op.fb_detach.fb_cookie =
			never_cookie(m, 3);
		return true;
	case MISBEHAVE_FLIP_NEVER:
		hostile(m, 0, XENDISPL_OP_PG_FLIP, -1)->req.op.pg_flip.fb_cookie =
			never_cookie(m, 0);
		return true;
	case MISBEHAVE_FLOOD:
		if (connector_front(&m->env.conns[0]) == NULL) {
			return false;
		}
		s = add(m, 0, XENDISPL_OP_PG_FLIP, true, -1);
		s->kind = STEP_FLOOD;
		s->req.op.pg_flip.fb_cookie = connector_front(&m->env.conns[0])->fb.cookie;
		return true;
	case MISBEHAVE_RING_OVERFLOW:
		add(m, 0, 0, false, -1)->kind = STEP_OVERFLOW;
		return true;
	case MISBEHAVE_DIE_IN_CREATE: {
		/* Large: the backend is still mapping it when the domain is torn down. */
		const struct dbuf *big = scratch(m, 0, 1920, 1080, VGUEST_FORMAT_XRGB8888, DBUF_DUMB);
		if (big == NULL) {
			return false;
		}
		s = add(m, 0, XENDISPL_OP_DBUF_CREATE, false, -1);
		create_req(s, big);
		s->die = true;
		return true;
	}
	case MISBEHAVE_DIE_IN_FLIP:
		if (connector_front(&m->env.conns[0]) == NULL) {
			return false;
		}
		s = add(m, 0, XENDISPL_OP_PG_FLIP, false, -1);
		s->req.op.pg_flip.fb_cookie = connector_front(&m->env.conns[0])->fb.cookie;
		s->die = true;
		return true;
	case MISBEHAVE_PGDIR_SHORT:
	case MISBEHAVE_PGDIR_LONG:
	case MISBEHAVE_PGDIR_LOOP:
	case MISBEHAVE_PGDIR_FOREIGN:
		return script_pgdir(m);
	case MISBEHAVE_FB_MISMATCH:
	case MISBEHAVE_CONFIG_OUTSIDE:
	case MISBEHAVE_FLIP_DETACHED:
		return script_fbs(m);
	case MISBEHAVE_BUDGET_GHOST:
	case MISBEHAVE_MANY_DBUFS:
	case MISBEHAVE_MANY_FBS:
		return script_budget(m);
	default:
		return script_buffers(m);
	}
}

struct misbehave *misbehave_create(const struct misbehave_env *env)
{
	if (env->mode == MISBEHAVE_BUFFER_WRONG_RING && env->nconn < 2) {
		log_error("--misbehave buffer-wrong-ring needs a device with 2 connectors");
		return NULL;
	}
	struct misbehave *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		log_error("out of memory");
		return NULL;
	}
	m->env = *env;
	m->name = misbehave_mode_name(env->mode);
	if (!script(m)) {
		log_error("misbehave %s: cannot prepare its buffers", m->name);
		misbehave_destroy(m);
		return NULL;
	}
	log_debug("misbehave %s: %d requests", m->name, m->nsteps);
	return m;
}

void misbehave_destroy(struct misbehave *m)
{
	if (m == NULL) {
		return;
	}
	if (m->flooding) {
		evtchnl_raw_end(&m->env.conns[0].chan);
	}
	for (int i = 0; i < MAX_SCRATCH; i++) {
		dbuf_destroy(m->scratch[i]);
	}
	if (m->extra_page != NULL) {
		xengntshr_unshare(m->env.alloc.gs, m->extra_page, 1);
	}
	free(m);
}

static const char *op_name(uint8_t op, char *buf, size_t size)
{
	const char *name = displif_op_name(op);
	if (strcmp(name, "unknown") != 0) {
		return name;
	}
	snprintf(buf, size, "0x%02x", op);
	return buf;
}

static void report(struct misbehave *m, const struct step *s, const char *status)
{
	char op[8];
	log_report("misbehave %s op=%s status=%s", m->name,
		op_name(s->req.operation, op, sizeof(op)), status);
}

static void finish(struct misbehave *m)
{
	m->done = true;
	/* The scratch pages go now; the backend has answered or given up on them. */
	for (int i = 0; i < MAX_SCRATCH; i++) {
		dbuf_destroy(m->scratch[i]);
		m->scratch[i] = NULL;
	}
	if (m->extra_page != NULL) {
		xengntshr_unshare(m->env.alloc.gs, m->extra_page, 1);
		m->extra_page = NULL;
	}
	log_debug("misbehave %s: done", m->name);
}

static void advance(struct misbehave *m)
{
	m->waiting = false;
	if (++m->next >= m->nsteps) {
		finish(m);
	}
}

static void handle_done(void *data, uint8_t operation, enum evtchnl_result result, int32_t status)
{
	struct misbehave *m = data;
	(void)operation;
	int i = m->next;
	const struct step *s = &m->steps[i];
	m->answered[i] = result != EVTCHNL_TIMEOUT;
	m->status[i] = status;
	if (s->report) {
		char text[16];
		snprintf(text, sizeof(text), "%" PRId32, status);
		report(m, s, m->answered[i] ? text : "none");
	}
	advance(m);
}

static void flood_response(void *data, const struct xendispl_resp *rsp)
{
	struct misbehave *m = data;
	m->replies++;
	if (rsp->status != 0) {
		m->failed++;
	}
	m->drain_until = clock_now() + DRAIN_IDLE_MS * NSEC_PER_MSEC;
}

/* Flip events for the flood's accepted flips. */
static uint64_t flood_events(const struct misbehave *m)
{
	return m->env.conns[0].stray_events - m->events_before;
}

/*
 * As fast as the ring takes them, then a drain: every answer, and the flip
 * event of every accepted flip (the backend may still hold them pending),
 * before the guest flips normally again.
 */
static bool flood_step(struct misbehave *m, const struct step *s, int64_t now)
{
	struct evtchnl_pair *chan = &m->env.conns[s->ring].chan;
	if (!m->flooding) {
		if (evtchnl_busy(chan)) {
			return false;
		}
		evtchnl_raw_begin(chan, flood_response, m);
		m->flooding = true;
		m->flood_until = now + FLOOD_MS * NSEC_PER_MSEC;
		m->drain_until = m->flood_until + DRAIN_IDLE_MS * NSEC_PER_MSEC;
		m->drain_max = m->flood_until + DRAIN_MAX_MS * NSEC_PER_MSEC;
		m->events_before = m->env.conns[0].stray_events;
		log_debug("misbehave flood: %d ms of PG_FLIP", FLOOD_MS);
	}
	bool progress = false;
	if (now < m->flood_until) {
		while (evtchnl_push_raw(chan, &s->req)) {
			m->sent++;
			progress = true;
		}
		return progress;
	}
	uint64_t events = flood_events(m);
	if (events != m->events_seen) {
		m->events_seen = events;
		m->drain_until = now + DRAIN_IDLE_MS * NSEC_PER_MSEC;
	}
	bool drained = evtchnl_outstanding(chan) == 0 && events >= m->replies - m->failed;
	if (!drained && now < m->drain_until && now < m->drain_max) {
		return false;
	}
	evtchnl_raw_end(chan);
	m->flooding = false;
	log_report("misbehave flood sent=%" PRIu64 " answered=%" PRIu64 " failed=%" PRIu64
		   " events=%" PRIu64,
		m->sent, m->replies, m->failed, events);
	advance(m);
	return true;
}

bool misbehave_step(struct misbehave *m, int64_t now)
{
	if (m->done || m->waiting || m->next >= m->nsteps) {
		return false;
	}
	const struct step *s = &m->steps[m->next];
	if (s->kind == STEP_FLOOD) {
		return flood_step(m, s, now);
	}
	struct connector *conn = &m->env.conns[s->ring];
	if (s->kind == STEP_OVERFLOW) {
		if (evtchnl_busy(&conn->chan)) {
			return false;
		}
		evtchnl_overflow(&conn->chan, OVERFLOW_EXCESS);
		m->next++;
		m->done = true;
		return true;
	}
	if (s->needs >= 0 && !(m->answered[s->needs] && m->status[s->needs] == 0)) {
		if (s->report) {
			report(m, s, "skipped");
		}
		advance(m);
		return true;
	}
	if (evtchnl_busy(&conn->chan)) {
		return false;
	}
	/* Silent requests count like the guest's own; hostile ones are probes. */
	struct stats *stats = &m->env.conns[0].stats;
	bool probe = s->report || s->quiet;
	bool sent = probe ? evtchnl_submit_probe(&conn->chan, &s->req, handle_done, m, stats, now)
			  : evtchnl_submit(&conn->chan, &s->req, handle_done, m, stats, now);
	if (!sent) {
		/* Ring full: as if it were never answered. */
		handle_done(m, s->req.operation, EVTCHNL_TIMEOUT, 0);
		return true;
	}
	if (s->die) {
		/* A crash: no Closing, no unsharing, no unbinding (as --exit-after). */
		log_report("misbehave %s sent", m->name);
		_exit(0);
	}
	m->waiting = true;
	return true;
}

int64_t misbehave_deadline(const struct misbehave *m)
{
	if (m->done || !m->flooding) {
		return INT64_MAX;
	}
	const struct evtchnl_pair *chan = &m->env.conns[0].chan;
	int64_t now = clock_now();
	if (now < m->flood_until) {
		/* Room on the ring: at once; else when a response frees a slot, or the end. */
		return RING_FULL(&chan->req.ring) ? m->flood_until : now;
	}
	/* Answers and events wake us; this is for the drain's end. */
	return m->drain_until < m->drain_max ? m->drain_until : m->drain_max;
}

bool misbehave_done(const struct misbehave *m)
{
	return m->done;
}
