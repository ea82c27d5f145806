#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/log.h>
#include <xengnttab.h>

#include "protocol/displif.h"
#include "protocol/edid.h"
#include "protocol/pgdir.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "protocol/xs_value.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/dbuf.h"
#include "vm-surfaces/display.h"

/* Whether a connector shows fb's picture now. */
static bool fb_shown(struct vm_display *display, const struct vm_fb *fb)
{
	struct vm_connector *connector;
	wl_list_for_each(connector, &display->connectors, link) {
		if (connector->buffer == &fb->buffer->base) {
			return true;
		}
	}
	return false;
}

/*
 * Converting a guest's frame costs mosaic time in proportion to its pixels,
 * and a guest decides how often it flips: frames are converted after the
 * requests at hand (a flip superseded by a newer one is never converted),
 * and at most at this rate per device (two 1080p frames at 60 Hz); a guest
 * that flips more waits, and its flips complete later.
 */
#define CONVERT_PIXELS_PER_SECOND (2.0 * 1920 * 1080 * 60)
/* Saved up while idle: one 4096x4096 frame. */
#define CONVERT_BURST_PIXELS (4096.0 * 4096)
/*
 * A frame is converted a slice at a time, each connector's slice in turn
 * with the loop's other work: a 4096x4096 frame would hold the loop (other
 * guests' flips, every output's frames) for tens of milliseconds at once.
 * About a quarter of a millisecond of pixman's work.
 */
#define CONVERT_SLICE_PIXELS (256u * 1024)

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void convert_schedule(struct vm_display *display);

/* The loop comes back for the next slices after its other ready sources. */
static void convert_kick(struct vm_display *display)
{
	uint64_t one = 1;
	if (write(display->convert_kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		wlr_log_errno(WLR_ERROR, "cannot wake the conversion of %s's frames", display->name);
	}
}

/* The connector's frame is converted (or cannot be): it shows it. */
static void convert_finish(struct vm_display *display, struct vm_connector *connector)
{
	connector->convert.running = false;
	struct vm_fb *fb = vm_dbufs_find_fb(&display->dbufs, connector->convert.running_cookie);
	if (fb == NULL) {
		/* Detached meanwhile: its flips complete with what is shown. */
		vm_connector_show(connector, connector->buffer, NULL, 0, false);
		return;
	}
	vm_connector_show(connector, &fb->buffer->base, &connector->convert.running_src, 0, false);
}

/* Starts converting the connector's pending frame: false if it is shown at once. */
static bool convert_start(struct vm_display *display, struct vm_connector *connector)
{
	connector->convert.pending = false;
	connector->convert.running = true;
	connector->convert.running_cookie = connector->convert.fb_cookie;
	connector->convert.running_src = connector->convert.src;
	connector->convert.row = 0;
	struct vm_fb *fb = vm_dbufs_find_fb(&display->dbufs, connector->convert.running_cookie);
	if (fb == NULL || !vm_dbufs_convert_begin(&display->dbufs, fb, fb_shown(display, fb))) {
		convert_finish(display, connector);
		return false;
	}
	display->convert_tokens -= (double)fb->desc.width * fb->desc.height;
	return true;
}

/* One slice of the connector's frame; the frame is shown after its last. */
static void convert_slice(struct vm_display *display, struct vm_connector *connector)
{
	struct vm_fb *fb = vm_dbufs_find_fb(&display->dbufs, connector->convert.running_cookie);
	if (fb == NULL || connector->convert.row >= fb->desc.height) {
		convert_finish(display, connector);
		return;
	}
	uint32_t width = fb->desc.width > 0 ? fb->desc.width : 1;
	uint32_t rows = CONVERT_SLICE_PIXELS / width;
	rows = rows > 0 ? rows : 1;
	vm_dbufs_convert_rows(&display->dbufs, fb, connector->convert.row, rows);
	connector->convert.row += rows;
	if (connector->convert.row >= fb->desc.height) {
		/* The connector's figure counts whole frames, as they are shown. */
		connector->bytes_copied += (uint64_t)fb->desc.width * fb->desc.height * 4;
		convert_finish(display, connector);
	}
}

static void convert_pending(struct vm_display *display)
{
	int64_t now = now_ns();
	display->convert_tokens += (double)(now - display->convert_at) / 1e9 * CONVERT_PIXELS_PER_SECOND;
	if (display->convert_tokens > CONVERT_BURST_PIXELS) {
		display->convert_tokens = CONVERT_BURST_PIXELS;
	}
	display->convert_at = now;
	bool more = false, waits = false;
	struct vm_connector *connector;
	wl_list_for_each(connector, &display->connectors, link) {
		if (!connector->convert.running && connector->convert.pending) {
			if (display->convert_tokens <= 0) {
				/* Over its share: the frame waits until the guest has saved up again. */
				waits = true;
				continue;
			}
			if (!convert_start(display, connector)) {
				continue;
			}
		}
		if (connector->convert.running) {
			convert_slice(display, connector);
		}
		more = more || connector->convert.running ||
			(connector->convert.pending && display->convert_tokens > 0);
	}
	if (more) {
		convert_kick(display);
	} else if (waits) {
		double wait_s = -display->convert_tokens / CONVERT_PIXELS_PER_SECOND;
		int ms = (int)(wait_s * 1000) + 1;
		wl_event_source_timer_update(display->convert_timer, ms);
	}
}

static int convert_handle_timer(void *data)
{
	convert_pending(data);
	return 0;
}

static int convert_handle_kick(int fd, uint32_t mask, void *data)
{
	uint64_t count;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
		wlr_log_errno(WLR_ERROR, "cannot read the conversion's wake-up");
	}
	convert_pending(data);
	return 0;
}

static void convert_handle_idle(void *data)
{
	struct vm_display *display = data;
	display->convert_idle = NULL;
	convert_pending(display);
}

/* After the requests at hand: a newer flip may replace this one first. */
static void convert_schedule(struct vm_display *display)
{
	if (display->convert_idle == NULL) {
		display->convert_idle =
			wl_event_loop_add_idle(display->host->loop, convert_handle_idle, display);
	}
}

/* Shows fb's part src on connector: at once, or after its conversion. */
static int32_t show_fb(struct vm_display *display, struct vm_connector *connector,
	struct vm_fb *fb, const struct wlr_box *src, bool flip)
{
	if (fb->source == NULL) {
		/* Read in place: nothing to convert, and an older frame waiting for it is superseded. */
		connector->convert.pending = false;
		connector->convert.running = false;
		return vm_connector_show(connector, &fb->buffer->base, src, fb->desc.cookie, flip);
	}
	if (flip) {
		int32_t status = vm_connector_flip_later(connector, fb->desc.cookie);
		if (status != 0) {
			return status;
		}
	}
	connector->convert.pending = true;
	connector->convert.fb_cookie = fb->desc.cookie;
	connector->convert.src = *src;
	convert_schedule(display);
	return 0;
}

static int32_t handle_set_config(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_set_config_req *untrusted_req)
{
	struct vm_fb *fb = NULL;
	if (!displif_config_disables(untrusted_req)) {
		fb = vm_dbufs_find_fb(&display->dbufs, untrusted_req->fb_cookie);
	}
	struct displif_config config;
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_set_config(
		untrusted_req, fb != NULL ? &fb->desc : NULL, &config, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(&display->log, "%s", why);
		return status;
	}
	if (config.disable) {
		/* The frontend expects no flip event for it. */
		connector->convert.pending = false;
		connector->convert.running = false;
		return vm_connector_show(connector, NULL, NULL, 0, false);
	}
	/* The connector shows its resolution's worth of the fb from (x, y). */
	uint32_t w = fb->desc.width - config.x, h = fb->desc.height - config.y;
	struct wlr_box src = {
		.x = (int)config.x,
		.y = (int)config.y,
		.width = (int)(w < connector->width ? w : connector->width),
		.height = (int)(h < connector->height ? h : connector->height),
	};
	return show_fb(display, connector, fb, &src, false);
}

static int32_t handle_pg_flip(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_page_flip_req *untrusted_req)
{
	struct vm_fb *fb = vm_dbufs_find_fb(&display->dbufs, untrusted_req->fb_cookie);
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_found(
		fb != NULL, "PG_FLIP: unknown fb", untrusted_req->fb_cookie, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(&display->log, "%s", why);
		return status;
	}
	int fb_width = (int)fb->desc.width, fb_height = (int)fb->desc.height;
	struct wlr_box src = connector->src;
	if (connector->buffer == NULL || src.x + src.width > fb_width ||
		src.y + src.height > fb_height) {
		/* Flip without SET_CONFIG: show the fb from its origin. */
		src = (struct wlr_box){0, 0, fb_width, fb_height};
		if (src.width > (int)connector->width) {
			src.width = (int)connector->width;
		}
		if (src.height > (int)connector->height) {
			src.height = (int)connector->height;
		}
	}
	return show_fb(display, connector, fb, &src, true);
}

/* GET_EDID: the guest's buffer (page directory like a dbuf's) receives one EDID block. */
static int32_t handle_get_edid(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_get_edid_req *untrusted_req, uint32_t *edid_sz)
{
	struct displif_edid_buffer edid;
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_get_edid(untrusted_req, &edid, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(&display->log, "%s", why);
		return status;
	}
	uint8_t block[EDID_BLOCK_SIZE];
	if (!edid_build(block, connector->width, connector->height, display->name)) {
		return -EOPNOTSUPP;
	}
	uint32_t refs[XENDISPL_EDID_MAX_SIZE / XEN_PAGE_SIZE];
	xengnttab_handle *gnttab = display->host->gnttab;
	if (pgdir_collect(gnttab, display->domid, edid.gref_directory, edid.nr_pages, refs) != 0) {
		vm_guest_log_error(
			&display->log, "GET_EDID: bad page directory %u", edid.gref_directory);
		return -EINVAL;
	}
	void *page = xengnttab_map_domain_grant_refs(gnttab, 1, display->domid, refs,
		PROT_READ | PROT_WRITE);
	if (page == NULL) {
		vm_guest_log_error(&display->log, "GET_EDID: cannot map the buffer");
		return -EINVAL;
	}
	memcpy(page, block, sizeof(block));
	xengnttab_unmap(gnttab, page, 1);
	*edid_sz = EDID_BLOCK_SIZE;
	return 0;
}

static void connector_handle_dbuf_created(void *data, int32_t status)
{
	vm_connector_answer(data, status);
}

static int32_t handle_request(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_req *untrusted_req, struct xendispl_resp *resp)
{
	char why[DISPLIF_WHY_SIZE];
	int32_t status = displif_check_operation(
		untrusted_req->operation, connector->index, why, sizeof(why));
	if (status != 0) {
		vm_guest_log_error(&display->log, "%s", why);
		return status;
	}
	struct vm_dbufs *dbufs = &display->dbufs;
	switch (untrusted_req->operation) {
	case XENDISPL_OP_DBUF_CREATE:
		return vm_dbufs_handle_create(dbufs, &untrusted_req->op.dbuf_create,
			connector_handle_dbuf_created, connector);
	case XENDISPL_OP_DBUF_DESTROY:
		return vm_dbufs_handle_destroy(dbufs, untrusted_req->op.dbuf_destroy.dbuf_cookie);
	case XENDISPL_OP_FB_ATTACH:
		return vm_dbufs_handle_fb_attach(dbufs, &untrusted_req->op.fb_attach);
	case XENDISPL_OP_FB_DETACH:
		return vm_dbufs_handle_fb_detach(dbufs, untrusted_req->op.fb_detach.fb_cookie);
	case XENDISPL_OP_SET_CONFIG:
		return handle_set_config(display, connector, &untrusted_req->op.set_config);
	case XENDISPL_OP_PG_FLIP:
		return handle_pg_flip(display, connector, &untrusted_req->op.pg_flip);
	case XENDISPL_OP_GET_EDID:
		return handle_get_edid(display, connector, &untrusted_req->op.get_edid,
			&resp->op.get_edid.edid_sz);
	}
	return -EINVAL; // displif_check_operation() let through only the above
}

static bool connector_handle_request(struct vm_connector *connector,
	const struct xendispl_req *untrusted_req, struct xendispl_resp *resp)
{
	int32_t status = handle_request(connector->display, connector, untrusted_req, resp);
	if (status == VM_DBUFS_LATER) {
		return false;
	}
	resp->status = status;
	return true;
}

static void connector_handle_fatal(struct vm_connector *connector, const char *why)
{
	xenbus_device_fatal(connector->display->dev, "%s", why);
}

static const struct vm_connector_impl connector_impl = {
	.request = connector_handle_request,
	.fatal = connector_handle_fatal,
};

struct vm_display *vm_display_create(const struct vm_host *host, struct xenbus_device *dev)
{
	struct vm_display *display = calloc(1, sizeof(*display));
	if (display == NULL) {
		return NULL;
	}
	display->host = host;
	display->dev = dev;
	display->domid = dev->domid;
	display->devid = dev->devid;
	wl_list_init(&display->connectors);
	display->name = xenstore_read_domain_name(host->store, dev->domid);
	if (display->name == NULL) {
		free(display);
		return NULL;
	}
	display->log = (struct vm_guest_log){
		.name = display->name,
		.domid = display->domid,
		.devid = display->devid,
	};
	display->convert_at = now_ns();
	display->convert_tokens = CONVERT_BURST_PIXELS;
	display->convert_timer = wl_event_loop_add_timer(host->loop, convert_handle_timer, display);
	if (display->convert_timer == NULL) {
		goto error_name;
	}
	display->convert_kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (display->convert_kick_fd < 0) {
		wlr_log_errno(WLR_ERROR, "cannot make an eventfd for %s's conversions", display->name);
		goto error_timer;
	}
	display->convert_kick = wl_event_loop_add_fd(
		host->loop, display->convert_kick_fd, WL_EVENT_READABLE, convert_handle_kick, display);
	if (display->convert_kick == NULL) {
		goto error_fd;
	}
	if (!vm_dbufs_init(&display->dbufs, host, &display->log, display->domid)) {
		goto error_kick;
	}
	return display;

error_kick:
	wl_event_source_remove(display->convert_kick);
error_fd:
	close(display->convert_kick_fd);
error_timer:
	wl_event_source_remove(display->convert_timer);
error_name:
	free(display->name);
	free(display);
	return NULL;
}

/* Connector i's keys, each through its check; false after closing the device. */
static bool read_connector_keys(
	struct vm_display *display, uint32_t i, struct vm_connector_keys *keys, char **unique_id)
{
	struct xenstore *store = display->host->store;
	const char *fe = display->dev->fe_path;
	char *untrusted_res = xenstore_readf(store, "%s/%u/resolution", fe, i);
	int err = displif_parse_resolution(untrusted_res, &keys->width, &keys->height);
	if (err != 0) {
		char shown[33];
		xs_value_sanitize(
			untrusted_res != NULL ? untrusted_res : "(missing)", shown, sizeof(shown));
		xenbus_device_fatal(display->dev, "connector %u: bad resolution \"%s\"", i, shown);
		free(untrusted_res);
		return false;
	}
	free(untrusted_res);

	/* Ring refs and channels: any number; mapping and binding them checks them. */
	static const char *const ring_keys[] = {XENDISPL_FIELD_REQ_RING_REF,
		XENDISPL_FIELD_REQ_CHANNEL, XENDISPL_FIELD_EVT_RING_REF,
		XENDISPL_FIELD_EVT_CHANNEL};
	uint32_t *values[] = {&keys->req_ref, &keys->req_chn, &keys->evt_ref, &keys->evt_chn};
	for (size_t k = 0; k < sizeof(ring_keys) / sizeof(ring_keys[0]); k++) {
		char *untrusted_value = xenstore_readf(store, "%s/%u/%s", fe, i, ring_keys[k]);
		err = xs_value_parse_u32(untrusted_value, UINT32_MAX, values[k]);
		free(untrusted_value);
		if (err != 0) {
			xenbus_device_fatal(
				display->dev, "connector %u: missing or malformed ring keys", i);
			return false;
		}
	}

	*unique_id = xenstore_readf(store, "%s/%u/unique-id", fe, i);
	keys->unique_id = NULL;
	if (xs_value_check_unique_id(*unique_id, &keys->unique_id) == -EINVAL) {
		xenbus_device_fatal(display->dev, "connector %u: unique-id too long", i);
		return false;
	}
	return true;
}

/* Connectors are those with a resolution key, from 0 up to the first without. */
static uint32_t count_connectors(struct vm_display *display)
{
	uint32_t untrusted_count = 0;
	for (; untrusted_count < DISPLIF_MAX_CONNECTORS; untrusted_count++) {
		char *res = xenstore_readf(display->host->store, "%s/%u/resolution",
			display->dev->fe_path, untrusted_count);
		free(res);
		if (res == NULL) {
			break;
		}
	}
	uint32_t count = 0;
	if (displif_check_connector_count(untrusted_count, &count) != 0) {
		return 0;
	}
	return count;
}

/* be-alloc = 1, written by the toolstack (a key the guest wrote does not count). */
static bool read_be_alloc(struct vm_display *display)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", display->dev->fe_path, XENDISPL_FIELD_BE_ALLOC);
	char *untrusted_value = xenstore_read_ours(display->host->store, path);
	bool be_alloc = false;
	if (untrusted_value != NULL && xs_value_parse_flag(untrusted_value, &be_alloc) != 0) {
		be_alloc = false;
	}
	free(untrusted_value);
	return be_alloc;
}

bool vm_display_connect(struct vm_display *display)
{
	display->dbufs.be_alloc = read_be_alloc(display);
	uint32_t count = count_connectors(display);
	if (count == 0) {
		xenbus_device_fatal(display->dev, "no connectors configured");
		return false;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct vm_connector *connector = vm_connector_create(
			display->host, &display->log, display->domid, i, &connector_impl, display);
		if (connector == NULL) {
			xenbus_device_fatal(display->dev, "out of memory");
			goto error;
		}
		wl_list_insert(display->connectors.prev, &connector->link);
		struct vm_connector_keys keys;
		char *unique_id = NULL;
		bool ok = read_connector_keys(display, i, &keys, &unique_id) &&
			  vm_connector_connect(connector, &keys);
		free(unique_id);
		if (!ok) {
			goto error;
		}
	}
	wlr_log(WLR_INFO, "guest %s (domain %u) vdispl %u connected with %u connector(s)",
		display->name, display->domid, display->devid, count);
	return true;

error:
	vm_display_disconnect(display);
	return false;
}

void vm_display_disconnect(struct vm_display *display)
{
	if (display->convert_idle != NULL) {
		wl_event_source_remove(display->convert_idle);
		display->convert_idle = NULL;
	}
	wl_event_source_timer_update(display->convert_timer, 0);
	struct vm_connector *connector, *tmp;
	wl_list_for_each_safe(connector, tmp, &display->connectors, link) {
		wl_list_remove(&connector->link);
		vm_connector_destroy(connector);
	}
	vm_dbufs_finish(&display->dbufs);
	vm_guest_log_flush(&display->log);
}

void vm_display_destroy(struct vm_display *display)
{
	if (display == NULL) {
		return;
	}
	vm_display_disconnect(display);
	vm_dbufs_release(&display->dbufs);
	wl_event_source_remove(display->convert_timer);
	wl_event_source_remove(display->convert_kick);
	close(display->convert_kick_fd);
	free(display->name);
	free(display);
}
