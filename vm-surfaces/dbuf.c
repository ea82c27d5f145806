#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <wlr/util/log.h>

#include "protocol/pgdir.h"
#include "vm-surfaces/budget.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/dbuf.h"
#include "vm-surfaces/format.h"
#include "vm-surfaces/host.h"
#include "vm-surfaces/mapper.h"
#include "vm-surfaces/mapping.h"

/* A DBUF_CREATE waiting for its pages: its cookie is taken, its charge held. */
struct dbuf_creating {
	struct vm_dbufs *dbufs;
	struct displif_dbuf desc;
	struct vm_charge held;
	struct vm_map_job *job;
	vm_dbufs_created_func_t created;
	void *data;
	struct wl_list link; // vm_dbufs.creating
};

static bool cookie_creating(struct vm_dbufs *dbufs, uint64_t cookie)
{
	struct dbuf_creating *creating;
	wl_list_for_each(creating, &dbufs->creating, link) {
		if (creating->desc.cookie == cookie) {
			return true;
		}
	}
	return false;
}

static struct vm_dbuf *dbuf_find(struct vm_dbufs *dbufs, uint64_t cookie)
{
	struct vm_dbuf *dbuf;
	wl_list_for_each(dbuf, &dbufs->dbufs, link) {
		if (dbuf->desc.cookie == cookie) {
			return dbuf;
		}
	}
	return NULL;
}

struct vm_fb *vm_dbufs_find_fb(struct vm_dbufs *dbufs, uint64_t cookie)
{
	struct vm_fb *fb;
	wl_list_for_each(fb, &dbufs->fbs, link) {
		if (fb->desc.cookie == cookie) {
			return fb;
		}
	}
	return NULL;
}

bool vm_dbufs_init(struct vm_dbufs *dbufs, const struct vm_host *host, struct vm_guest_log *log,
	uint32_t domid)
{
	dbufs->host = host;
	dbufs->log = log;
	dbufs->domid = domid;
	wl_list_init(&dbufs->dbufs);
	wl_list_init(&dbufs->fbs);
	wl_list_init(&dbufs->creating);
	dbufs->budget = vm_budget_create(host->memory_budget, VM_BUDGET_DEVICE_MAPPINGS);
	return dbufs->budget != NULL;
}

/* Charges what the guest makes us hold; false after logging why (answer -ENOMEM). */
static bool take_charge(struct vm_dbufs *dbufs, struct vm_charge *charge, const char *what,
	uint64_t bytes, uint32_t mappings)
{
	if (vm_charge_take(charge, dbufs->budget, dbufs->host->budget, bytes, mappings)) {
		return true;
	}
	const struct vm_budget *b = dbufs->budget;
	vm_guest_log_error(dbufs->log,
		"%s: %llu more bytes and %u more mappings would exceed the guest's budget "
		"(it holds %llu of %llu bytes and %u of %u mappings; all guests %u of %u)",
		what, (unsigned long long)bytes, mappings, (unsigned long long)b->bytes,
		(unsigned long long)b->max_bytes, b->mappings, b->max_mappings,
		dbufs->host->budget->mappings, dbufs->host->budget->max_mappings);
	return false;
}

/* Maps the pages the guest listed in its page directory. */
static int32_t map_guest_pages(struct vm_dbufs *dbufs, const struct displif_dbuf *desc,
	uint32_t *refs, struct vm_mapping **mapping)
{
	int err = pgdir_collect(dbufs->host->gnttab, dbufs->domid, desc->gref_directory,
		desc->nr_pages, refs);
	if (err != 0) {
		vm_guest_log_error(dbufs->log,
			"DBUF_CREATE: page directory %u does not describe %u pages",
			desc->gref_directory, desc->nr_pages);
		return err;
	}
	struct vm_charge held;
	if (!take_charge(dbufs, &held, "DBUF_CREATE", desc->size, 1)) {
		return -ENOMEM;
	}
	*mapping = vm_mapping_create(dbufs->host->gnttab, dbufs->domid, refs, desc->nr_pages,
		PROT_READ);
	if (*mapping == NULL) {
		vm_charge_give(&held);
		vm_guest_log_error(dbufs->log, "DBUF_CREATE: cannot map the %u buffer pages",
			desc->nr_pages);
		return -EINVAL;
	}
	(*mapping)->charge = held;
	return 0;
}

static void dbuf_handle_mapped(void *data, enum vm_map_result result, int32_t status, void *addr)
{
	struct dbuf_creating *creating = data;
	struct vm_dbufs *dbufs = creating->dbufs;
	const struct displif_dbuf *desc = &creating->desc;
	wl_list_remove(&creating->link);
	struct vm_dbuf *dbuf = NULL;
	if (result == VM_MAP_BAD_DIRECTORY) {
		vm_guest_log_error(dbufs->log,
			"DBUF_CREATE: page directory %u does not describe %u pages",
			desc->gref_directory, desc->nr_pages);
	} else if (result == VM_MAP_FAILED) {
		vm_guest_log_error(dbufs->log, "DBUF_CREATE: cannot map the %u buffer pages",
			desc->nr_pages);
		status = -EINVAL;
	} else {
		struct vm_mapping *mapping =
			vm_mapping_adopt(dbufs->host->mapper, addr, desc->nr_pages);
		dbuf = mapping != NULL ? calloc(1, sizeof(*dbuf)) : NULL;
		if (dbuf != NULL) {
			mapping->charge = creating->held;
			creating->held = (struct vm_charge){0};
			dbuf->mapping = mapping;
			dbuf->desc = *desc;
			wl_list_insert(dbufs->dbufs.prev, &dbuf->link);
			status = 0;
		} else {
			vm_mapping_unref(mapping);
			status = -ENOMEM;
		}
	}
	vm_charge_give(&creating->held);
	creating->created(creating->data, status);
	free(creating);
}

/* Maps the guest's pages on the mapper's thread; answered later. */
static int32_t map_guest_pages_later(struct vm_dbufs *dbufs, const struct displif_dbuf *desc,
	vm_dbufs_created_func_t created, void *data)
{
	struct dbuf_creating *creating = calloc(1, sizeof(*creating));
	if (creating == NULL) {
		return -ENOMEM;
	}
	/* Charged now: buffers being mapped count against the budget too. */
	if (!take_charge(dbufs, &creating->held, "DBUF_CREATE", desc->size, 1)) {
		free(creating);
		return -ENOMEM;
	}
	creating->dbufs = dbufs;
	creating->desc = *desc;
	creating->created = created;
	creating->data = data;
	creating->job = vm_mapper_map_directory(dbufs->host->mapper, dbufs->domid,
		desc->gref_directory, desc->nr_pages, PROT_READ, dbuf_handle_mapped, creating);
	if (creating->job == NULL) {
		vm_charge_give(&creating->held);
		free(creating);
		return -ENOMEM;
	}
	wl_list_insert(dbufs->creating.prev, &creating->link);
	return VM_DBUFS_LATER;
}

/* Backend allocation: our pages, granted to the guest, listed in its directory. */
static int32_t share_own_pages(struct vm_dbufs *dbufs, const struct displif_dbuf *desc,
	uint32_t *refs, struct vm_mapping **mapping)
{
	const struct vm_host *host = dbufs->host;
	if (host->gntshr == NULL) {
		vm_guest_log_error(dbufs->log,
			"DBUF_CREATE: backend allocation unavailable (no grant-sharing device)");
		return -EOPNOTSUPP;
	}
	struct vm_charge held;
	if (!take_charge(dbufs, &held, "DBUF_CREATE", desc->size, 1)) {
		return -ENOMEM;
	}
	*mapping = vm_mapping_create_shared(host->gntshr, dbufs->domid, desc->nr_pages, refs);
	if (*mapping == NULL) {
		vm_charge_give(&held);
		wlr_log_errno(WLR_ERROR, "Cannot share %u pages with domain %u", desc->nr_pages,
			dbufs->domid);
		return -ENOMEM;
	}
	(*mapping)->charge = held;
	int err = pgdir_fill(host->gnttab, dbufs->domid, desc->gref_directory, desc->nr_pages,
		refs);
	if (err != 0) {
		vm_guest_log_error(dbufs->log, "DBUF_CREATE: page directory %u cannot hold %u refs",
			desc->gref_directory, desc->nr_pages);
		vm_mapping_unref(*mapping);
		*mapping = NULL;
		return err;
	}
	return 0;
}

int32_t vm_dbufs_handle_create(struct vm_dbufs *dbufs,
	const struct xendispl_dbuf_create_req *untrusted_req, vm_dbufs_created_func_t created,
	void *data)
{
	uint64_t cookie;
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_new_cookie(untrusted_req->dbuf_cookie,
		dbuf_find(dbufs, untrusted_req->dbuf_cookie) != NULL ||
			cookie_creating(dbufs, untrusted_req->dbuf_cookie),
		&cookie);
	if (status == -EINVAL) {
		vm_guest_log_error(dbufs->log, "DBUF_CREATE with cookie 0");
		return status;
	} else if (status != 0) {
		vm_guest_log_error(dbufs->log, "DBUF_CREATE: cookie %#llx is in use",
			(unsigned long long)untrusted_req->dbuf_cookie);
		return status;
	}
	struct displif_dbuf desc;
	status = displif_check_dbuf_create(untrusted_req, &desc, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(dbufs->log, "%s", why);
		return status;
	}
	if (desc.backend_allocated && !dbufs->be_alloc) {
		/* Else any guest could have dom0 allocate and grant pages: the toolstack decides. */
		vm_guest_log_error(dbufs->log,
			"DBUF_CREATE: backend allocation asked for, but be-alloc is not enabled");
		return -EINVAL;
	}
	if (!desc.backend_allocated && dbufs->host->mapper != NULL) {
		return map_guest_pages_later(dbufs, &desc, created, data);
	}
	uint32_t *refs = calloc(desc.nr_pages, sizeof(*refs));
	struct vm_dbuf *dbuf = calloc(1, sizeof(*dbuf));
	if (refs == NULL || dbuf == NULL) {
		status = -ENOMEM;
		goto out;
	}
	status = desc.backend_allocated ? share_own_pages(dbufs, &desc, refs, &dbuf->mapping) :
					  map_guest_pages(dbufs, &desc, refs, &dbuf->mapping);
	if (status != 0) {
		goto out;
	}
	dbuf->desc = desc;
	wl_list_insert(dbufs->dbufs.prev, &dbuf->link);
	free(refs);
	return 0;

out:
	free(refs);
	free(dbuf);
	return status;
}

static void fb_destroy(struct vm_dbufs *dbufs, struct vm_fb *fb)
{
	dbufs->fb_count--;
	wl_list_remove(&fb->link);
	if (fb->source != NULL) {
		pixman_image_unref(fb->source);
	}
	free(fb->staging);
	/* The scene may still show it: the mapping lives until the last lock goes. */
	wlr_buffer_drop(&fb->buffer->base);
	free(fb);
}

static void dbuf_free(struct vm_dbufs *dbufs, struct vm_dbuf *dbuf)
{
	struct vm_fb *fb, *tmp;
	wl_list_for_each_safe(fb, tmp, &dbufs->fbs, link) {
		if (fb->dbuf == dbuf) {
			fb_destroy(dbufs, fb);
		}
	}
	wl_list_remove(&dbuf->link);
	vm_mapping_unref(dbuf->mapping);
	free(dbuf);
}

int32_t vm_dbufs_handle_destroy(struct vm_dbufs *dbufs, uint64_t untrusted_cookie)
{
	struct vm_dbuf *dbuf = dbuf_find(dbufs, untrusted_cookie);
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_found(dbuf != NULL, "DBUF_DESTROY: unknown cookie",
		untrusted_cookie, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(dbufs->log, "%s", why);
		return status;
	}
	dbuf_free(dbufs, dbuf);
	return 0;
}

void vm_dbufs_finish(struct vm_dbufs *dbufs)
{
	struct dbuf_creating *creating, *next;
	wl_list_for_each_safe(creating, next, &dbufs->creating, link) {
		vm_map_job_cancel(creating->job, &creating->held);
		wl_list_remove(&creating->link);
		free(creating);
	}
	struct vm_dbuf *dbuf, *tmp;
	wl_list_for_each_safe(dbuf, tmp, &dbufs->dbufs, link) {
		dbuf_free(dbufs, dbuf);
	}
}

void vm_dbufs_release(struct vm_dbufs *dbufs)
{
	vm_dbufs_finish(dbufs);
	vm_budget_unref(dbufs->budget);
	dbufs->budget = NULL;
}

/* What the renderer reads: the guest's pages in place, or a buffer of ours to convert into. */
static bool fb_create_buffer(struct vm_fb *fb)
{
	const struct displif_fb *desc = &fb->desc;
	const struct vm_dbuf *dbuf = fb->dbuf;
	int width = (int)desc->width, height = (int)desc->height;
	if (fb->format->direct && desc->pitch % 4 == 0) {
		fb->buffer = vm_buffer_create(dbuf->mapping, dbuf->desc.data_ofs, width, height,
			desc->pitch, fb->format->shown);
		return fb->buffer != NULL;
	}
	void *pixels = (char *)dbuf->mapping->addr + dbuf->desc.data_ofs;
	uint32_t source_pitch = desc->pitch;
	if (desc->pitch % 4 != 0) {
		/* pixman reads rows at 4-byte multiples only: copy them first. */
		fb->staging_pitch = (desc->pitch + 3) & ~3u;
		fb->staging = malloc((size_t)fb->staging_pitch * desc->height);
		pixels = fb->staging;
		source_pitch = fb->staging_pitch;
	}
	if (pixels != NULL) {
		fb->source = pixman_image_create_bits_no_clear(fb->format->pixman, width, height,
			pixels, (int)source_pitch);
	}
	fb->buffer = vm_buffer_create_memory(width, height, DRM_FORMAT_XRGB8888);
	return fb->buffer != NULL && fb->source != NULL;
}

/* Our memory for a converted fb: its picture, and the aligned copy of the guest's rows. */
static uint64_t conversion_bytes(const struct vm_fb *fb)
{
	return (uint64_t)fb->desc.width * fb->desc.height * 4 +
		(uint64_t)fb->staging_pitch * fb->desc.height;
}

/* An fb not attached (yet): what fb_create_buffer made of it, and itself. */
static void fb_free_parts(struct vm_fb *fb)
{
	if (fb->buffer != NULL) {
		wlr_buffer_drop(&fb->buffer->base);
	}
	if (fb->source != NULL) {
		pixman_image_unref(fb->source);
	}
	free(fb->staging);
	free(fb);
}

int32_t vm_dbufs_handle_fb_attach(
	struct vm_dbufs *dbufs, const struct xendispl_fb_attach_req *untrusted_req)
{
	uint64_t fb_cookie;
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_new_cookie(untrusted_req->fb_cookie,
		vm_dbufs_find_fb(dbufs, untrusted_req->fb_cookie) != NULL, &fb_cookie);
	if (status == -EINVAL) {
		vm_guest_log_error(dbufs->log, "FB_ATTACH with cookie 0");
		return status;
	} else if (status != 0) {
		vm_guest_log_error(dbufs->log, "FB_ATTACH: cookie %#llx is in use",
			(unsigned long long)untrusted_req->fb_cookie);
		return status;
	}
	struct vm_dbuf *dbuf = dbuf_find(dbufs, untrusted_req->dbuf_cookie);
	struct displif_fb desc;
	status = displif_check_fb_attach(untrusted_req, dbuf != NULL ? &dbuf->desc : NULL, &desc,
		why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(dbufs->log, "%s", why);
		return status;
	}
	if (dbufs->fb_count >= VM_DBUFS_MAX_FBS) {
		vm_guest_log_error(dbufs->log, "FB_ATTACH: the guest has %u framebuffers already",
			dbufs->fb_count);
		return -ENOMEM;
	}
	const struct vm_format *format = vm_format_lookup(desc.fourcc);
	struct vm_fb *fb = calloc(1, sizeof(*fb));
	if (format == NULL || fb == NULL) {
		/* Every format displif accepts is one we show. */
		free(fb);
		return -ENOMEM;
	}
	fb->desc = desc;
	fb->dbuf = dbuf;
	fb->format = format;
	if (!fb_create_buffer(fb)) {
		fb_free_parts(fb);
		return -ENOMEM;
	}
	/* Frames we convert take memory of ours: the guest's to pay for. */
	if (fb->source != NULL &&
		!take_charge(dbufs, &fb->buffer->charge, "FB_ATTACH", conversion_bytes(fb), 0)) {
		fb_free_parts(fb);
		return -ENOMEM;
	}
	dbufs->fb_count++;
	wl_list_insert(dbufs->fbs.prev, &fb->link);
	return 0;
}

bool vm_dbufs_convert_begin(struct vm_dbufs *dbufs, struct vm_fb *fb, bool shown)
{
	if (fb->source == NULL) {
		return false;
	}
	/*
	 * displif says nothing of what changed: the whole frame is converted.
	 * A fresh wlr_buffer per frame is not needed: the pixman renderer
	 * reads our memory when it draws. But a frame being drawn (on the
	 * composition thread) may read the picture a connector shows now:
	 * a guest flipping to the framebuffer already shown gets a new one,
	 * and the old stays whole until nothing holds it.
	 */
	if (shown) {
		const struct displif_fb *desc = &fb->desc;
		struct vm_buffer *fresh = vm_buffer_create_memory(
			(int)desc->width, (int)desc->height, DRM_FORMAT_XRGB8888);
		if (fresh == NULL ||
			!take_charge(dbufs, &fresh->charge, "PG_FLIP", conversion_bytes(fb), 0)) {
			/* Over its budget while frames still hold its old pictures: this one waits. */
			if (fresh != NULL) {
				wlr_buffer_drop(&fresh->base);
			}
			return false;
		}
		wlr_buffer_drop(&fb->buffer->base);
		fb->buffer = fresh;
	}
	return true;
}

void vm_dbufs_convert_rows(struct vm_dbufs *dbufs, struct vm_fb *fb, uint32_t y, uint32_t rows)
{
	const struct displif_fb *desc = &fb->desc;
	if (fb->source == NULL || y >= desc->height) {
		return;
	}
	if (rows > desc->height - y) {
		rows = desc->height - y;
	}
	if (fb->staging != NULL) {
		const uint8_t *src =
			(const uint8_t *)fb->dbuf->mapping->addr + fb->dbuf->desc.data_ofs;
		size_t row = ((size_t)desc->width * desc->bpp + 7) / 8;
		for (uint32_t r = y; r < y + rows; r++) {
			memcpy((uint8_t *)fb->staging + (size_t)r * fb->staging_pitch,
				src + (size_t)r * desc->pitch, row);
		}
	}
	pixman_image_t *dest = pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8,
		(int)desc->width, (int)desc->height, fb->buffer->data, (int)fb->buffer->stride);
	if (dest == NULL) {
		return;
	}
	pixman_image_composite32(PIXMAN_OP_SRC, fb->source, NULL, dest, 0, (int)y, 0, 0, 0,
		(int)y, (int)desc->width, (int)rows);
	pixman_image_unref(dest);
	dbufs->bytes_converted += (uint64_t)desc->width * rows * 4;
}

int32_t vm_dbufs_handle_fb_detach(struct vm_dbufs *dbufs, uint64_t untrusted_cookie)
{
	struct vm_fb *fb = vm_dbufs_find_fb(dbufs, untrusted_cookie);
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_found(
		fb != NULL, "FB_DETACH: unknown fb", untrusted_cookie, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(dbufs->log, "%s", why);
		return status;
	}
	fb_destroy(dbufs, fb);
	return 0;
}
