#include <errno.h>
#include <sys/mman.h>
#include <xengnttab.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/util/log.h>

#include "protocol/edid.h"
#include "protocol/pgdir.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/dbuf.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/vm_surfaces.h"

#define LOG_BURST 10
#define LOG_WINDOW_S 10

void vm_display_guest_error(struct vm_display *display, const char *fmt, ...)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - display->log_window.tv_sec >= LOG_WINDOW_S) {
		if (display->log_suppressed > 0) {
			wlr_log(WLR_ERROR, "guest %s (domain %u): %u more errors not shown",
				display->name, display->domid, display->log_suppressed);
		}
		display->log_window = now;
		display->log_count = 0;
		display->log_suppressed = 0;
	}
	if (display->log_count >= LOG_BURST) {
		display->log_suppressed++;
		return;
	}
	display->log_count++;
	char msg[256];
	va_list args;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	wlr_log(WLR_ERROR, "guest %s (domain %u) vdispl %u: %s", display->name, display->domid,
		display->devid, msg);
}

void vm_display_fatal(struct vm_display *display, const char *why)
{
	xenbus_device_fatal(display->dev, "%s", why);
}

static int32_t handle_set_config(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_set_config_req *req)
{
	if (req->fb_cookie == 0 && req->width == 0 && req->height == 0) {
		/* Disable. The frontend expects no flip event for it. */
		return vm_connector_show(connector, NULL, NULL, 0, false);
	}
	struct vm_fb *fb = vm_fb_find(display, req->fb_cookie);
	if (fb == NULL) {
		vm_display_guest_error(display, "SET_CONFIG: unknown fb %#llx",
			(unsigned long long)req->fb_cookie);
		return -ENOENT;
	}
	/*
	 * Linux's frontend sends the framebuffer's size and the scan-out
	 * offset into it (one framebuffer may serve several connectors), not
	 * the mode: the connector shows its resolution's worth from (x, y).
	 */
	if (req->width == 0 || req->height == 0 || req->width > fb->width ||
		req->height > fb->height || req->x >= fb->width || req->y >= fb->height) {
		vm_display_guest_error(display,
			"SET_CONFIG: %ux%u+%u+%u does not fit fb %ux%u", req->width, req->height,
			req->x, req->y, fb->width, fb->height);
		return -EINVAL;
	}
	uint32_t w = fb->width - req->x, h = fb->height - req->y;
	vm_fb_refresh(display, fb);
	struct wlr_box src = {
		.x = (int)req->x,
		.y = (int)req->y,
		.width = (int)(w < connector->width ? w : connector->width),
		.height = (int)(h < connector->height ? h : connector->height),
	};
	return vm_connector_show(connector, &fb->buffer->base, &src, 0, false);
}

static int32_t handle_pg_flip(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_page_flip_req *req)
{
	struct vm_fb *fb = vm_fb_find(display, req->fb_cookie);
	if (fb == NULL) {
		vm_display_guest_error(display, "PG_FLIP: unknown fb %#llx",
			(unsigned long long)req->fb_cookie);
		return -ENOENT;
	}
	struct wlr_box src = connector->src;
	if (connector->buffer == NULL || src.x + src.width > (int)fb->width ||
		src.y + src.height > (int)fb->height) {
		/* Flip without SET_CONFIG: show the fb from its origin. */
		src = (struct wlr_box){0, 0, (int)fb->width, (int)fb->height};
		if (src.width > (int)connector->width) {
			src.width = (int)connector->width;
		}
		if (src.height > (int)connector->height) {
			src.height = (int)connector->height;
		}
	}
	uint64_t converted = display->bytes_converted;
	vm_fb_refresh(display, fb);
	connector->bytes_copied += display->bytes_converted - converted;
	return vm_connector_show(connector, &fb->buffer->base, &src, req->fb_cookie, true);
}

/* GET_EDID: the guest's buffer (page directory like a dbuf's) receives one EDID block. */
static int32_t handle_get_edid(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_get_edid_req *req, uint32_t *edid_sz)
{
	if (req->buffer_sz < EDID_BLOCK_SIZE || req->buffer_sz > XENDISPL_EDID_MAX_SIZE) {
		vm_display_guest_error(display, "GET_EDID: buffer of %u bytes", req->buffer_sz);
		return -EINVAL;
	}
	uint8_t block[EDID_BLOCK_SIZE];
	if (!edid_build(block, connector->width, connector->height, display->name)) {
		return -EOPNOTSUPP;
	}
	uint32_t nr_pages = (req->buffer_sz + XEN_PAGE_SIZE - 1) / XEN_PAGE_SIZE;
	uint32_t refs[XENDISPL_EDID_MAX_SIZE / XEN_PAGE_SIZE];
	xengnttab_handle *gnttab = display->surfaces->gnttab;
	if (pgdir_collect(gnttab, display->domid, req->gref_directory, nr_pages, refs) != 0) {
		vm_display_guest_error(display, "GET_EDID: bad page directory %u",
			req->gref_directory);
		return -EINVAL;
	}
	void *page = xengnttab_map_domain_grant_refs(gnttab, 1, display->domid, refs,
		PROT_READ | PROT_WRITE);
	if (page == NULL) {
		vm_display_guest_error(display, "GET_EDID: cannot map the buffer");
		return -EINVAL;
	}
	memcpy(page, block, sizeof(block));
	xengnttab_unmap(gnttab, page, 1);
	*edid_sz = EDID_BLOCK_SIZE;
	return 0;
}

static bool is_buffer_request(uint8_t operation)
{
	return operation == XENDISPL_OP_DBUF_CREATE || operation == XENDISPL_OP_DBUF_DESTROY ||
		operation == XENDISPL_OP_FB_ATTACH || operation == XENDISPL_OP_FB_DETACH;
}

void vm_display_handle_request(struct vm_display *display, struct vm_connector *connector,
	const struct xendispl_req *req, struct xendispl_resp *resp)
{
	int32_t status;
	if (is_buffer_request(req->operation) && connector->index != 0) {
		/* displif: buffers are a device's, and travel on connector 0's ring. */
		vm_display_guest_error(display, "operation %#x on connector %u's ring",
			req->operation, connector->index);
		status = -EINVAL;
	} else {
		switch (req->operation) {
		case XENDISPL_OP_DBUF_CREATE:
			status = vm_dbuf_create(display, &req->op.dbuf_create);
			break;
		case XENDISPL_OP_DBUF_DESTROY:
			status = vm_dbuf_destroy(display, req->op.dbuf_destroy.dbuf_cookie);
			break;
		case XENDISPL_OP_FB_ATTACH:
			status = vm_fb_attach(display, &req->op.fb_attach);
			break;
		case XENDISPL_OP_FB_DETACH:
			status = vm_fb_detach(display, req->op.fb_detach.fb_cookie);
			break;
		case XENDISPL_OP_SET_CONFIG:
			status = handle_set_config(display, connector, &req->op.set_config);
			break;
		case XENDISPL_OP_PG_FLIP:
			status = handle_pg_flip(display, connector, &req->op.pg_flip);
			break;
		case XENDISPL_OP_GET_EDID:
			status = handle_get_edid(display, connector, &req->op.get_edid,
				&resp->op.get_edid.edid_sz);
			break;
		default:
			vm_display_guest_error(display, "unknown operation %#x", req->operation);
			status = -EINVAL;
			break;
		}
	}
	resp->status = status;
}

struct vm_display *vm_display_create(struct vm_surfaces *surfaces, struct xenbus_device *dev)
{
	struct vm_display *display = calloc(1, sizeof(*display));
	if (display == NULL) {
		return NULL;
	}
	display->surfaces = surfaces;
	display->dev = dev;
	display->domid = dev->domid;
	display->devid = dev->devid;
	wl_list_init(&display->connectors);
	wl_list_init(&display->dbufs);
	wl_list_init(&display->fbs);
	display->name = xenstore_read_domain_name(surfaces->store, dev->domid);
	if (display->name == NULL) {
		free(display);
		return NULL;
	}
	return display;
}

bool vm_display_connect(struct vm_display *display)
{
	struct xenstore *store = display->surfaces->store;
	uint32_t count = 0;
	for (; count < VM_DISPLAY_MAX_CONNECTORS; count++) {
		char *res = xenstore_readf(store, "%s/%u/resolution", display->dev->fe_path, count);
		free(res);
		if (res == NULL) {
			break;
		}
	}
	if (count == 0) {
		xenbus_device_fatal(display->dev, "no connectors configured");
		return false;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct vm_connector *connector = vm_connector_create(display, i);
		if (connector == NULL) {
			xenbus_device_fatal(display->dev, "out of memory");
			goto error;
		}
		wl_list_insert(display->connectors.prev, &connector->link);
		if (!vm_connector_connect(connector)) {
			goto error;
		}
	}
	wlr_log(WLR_INFO, "guest %s (domain %u) vdispl %u connected with %u connector(s)",
		display->name, display->domid, display->devid, count);
	struct vm_connector *connector;
	wl_list_for_each(connector, &display->connectors, link) {
		wl_signal_emit(&display->surfaces->events.new_connector, connector);
	}
	return true;

error:
	vm_display_disconnect(display);
	return false;
}

void vm_display_disconnect(struct vm_display *display)
{
	struct vm_connector *connector, *tmp;
	wl_list_for_each_safe(connector, tmp, &display->connectors, link) {
		wl_list_remove(&connector->link);
		vm_connector_destroy(connector);
	}
	vm_dbuf_destroy_all(display);
	if (display->log_suppressed > 0) {
		wlr_log(WLR_ERROR, "guest %s (domain %u): %u more errors not shown", display->name,
			display->domid, display->log_suppressed);
		display->log_suppressed = 0;
	}
}

void vm_display_destroy(struct vm_display *display)
{
	if (display == NULL) {
		return;
	}
	vm_display_disconnect(display);
	free(display->name);
	free(display);
}
