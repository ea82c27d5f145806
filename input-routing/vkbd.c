#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <wlr/util/log.h>
#include <xengnttab.h>

#include "input-routing/vkbd.h"
#include "protocol/evtchn.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "protocol/xs_value.h"

/*
 * As vm-surfaces' event rings: look again this soon at a ring the guest let
 * fill up; less and less often while it makes no room at all.
 */
#define RETRY_MS 4
#define RETRY_MAX_MS 128
/* xen-kbdfront's sizes when the toolstack wrote none (fbif.h's, kernel-only, XENFB_*). */
#define DEFAULT_WIDTH 800
#define DEFAULT_HEIGHT 600
/* Bounds for the toolstack's sizes: xen-kbdfront takes them as ints. */
#define MAX_SIZE 65536

static const char *kind_name(struct xenbus_device *dev)
{
	return dev->backend->type;
}

/* A number the toolstack wrote in our directory; def when absent or malformed. */
static uint32_t read_backend_u32(
	struct vkbd_device *input, const char *key, uint32_t def, uint32_t max, bool *present)
{
	struct xenstore *store = input->manager->store;
	char *untrusted_value = xenstore_readf(store, "%s/%s", input->dev->be_path, key);
	uint32_t v = def;
	int err = xs_value_parse_u32(untrusted_value, max, &v);
	if (present != NULL) {
		*present = err != -ENOENT;
	}
	if (err == -EINVAL) {
		char shown[33];
		xs_value_sanitize(untrusted_value, shown, sizeof(shown));
		wlr_log(WLR_ERROR,
			"guest %s (domain %u) %s %u: %s = \"%s\" is not a number "
			"up to %u: using %u",
			input->name, input->domid, input->kind, input->devid, key, shown, max, def);
		v = def;
	}
	free(untrusted_value);
	return v;
}

/* A request of the frontend's: anything but a clean number counts as not asked. */
static bool read_request(struct vkbd_device *input, const char *key)
{
	struct xenstore *store = input->manager->store;
	char *untrusted_value = xenstore_readf(store, "%s/%s", input->dev->fe_path, key);
	bool requested;
	if (xs_value_parse_flag(untrusted_value, &requested) == -EINVAL) {
		char shown[33];
		xs_value_sanitize(untrusted_value, shown, sizeof(shown));
		wlr_log(WLR_ERROR, "guest %s (domain %u) %s %u: %s = \"%s\" is not a number",
			input->name, input->domid, input->kind, input->devid, key, shown);
	}
	free(untrusted_value);
	return requested;
}

/* A flag the toolstack wrote in our directory: absent or malformed is off. */
static bool read_backend_flag(struct vkbd_device *input, const char *key)
{
	return read_backend_u32(input, key, 0, UINT32_MAX, NULL) != 0;
}

/* Offers a feature the toolstack left unsaid; what it wrote, even 0, stands. */
static bool offer_feature(struct vkbd_device *input, const char *key)
{
	bool present;
	bool offered = read_backend_u32(input, key, 0, UINT32_MAX, &present) != 0;
	if (present) {
		return offered;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", input->dev->be_path, key);
	return xenstore_write(input->manager->store, path, "1");
}

/* The backend keys, read once as xen-kbdfront reads them at its probe (same defaults). */
static void read_features(struct vkbd_device *input)
{
	input->keyboard = !read_backend_flag(input, XENKBD_FIELD_FEAT_DSBL_KEYBRD);
	input->pointer = !read_backend_flag(input, XENKBD_FIELD_FEAT_DSBL_POINTER);
	input->width =
		(int32_t)read_backend_u32(input, XENKBD_FIELD_WIDTH, DEFAULT_WIDTH, MAX_SIZE, NULL);
	input->height = (int32_t)read_backend_u32(
		input, XENKBD_FIELD_HEIGHT, DEFAULT_HEIGHT, MAX_SIZE, NULL);
	input->feature_mt = read_backend_flag(input, XENKBD_FIELD_FEAT_MTOUCH);
	input->mt_width = (int32_t)read_backend_u32(
		input, XENKBD_FIELD_MT_WIDTH, DEFAULT_WIDTH, MAX_SIZE, NULL);
	input->mt_height = (int32_t)read_backend_u32(
		input, XENKBD_FIELD_MT_HEIGHT, DEFAULT_HEIGHT, MAX_SIZE, NULL);
	input->mt_contacts = (int32_t)read_backend_u32(
		input, XENKBD_FIELD_MT_NUM_CONTACTS, 1, KBDIF_CONTACT_COUNT, NULL);
	/*
	 * Absolute and raw positions are ours to offer (QEMU's backend offers
	 * the absolute pointer itself). A multi-touch surface is the
	 * configuration's: a guest given one unasked would grow a touch screen.
	 */
	input->feature_abs = offer_feature(input, XENKBD_FIELD_FEAT_ABS_POINTER);
	input->feature_raw = offer_feature(input, XENKBD_FIELD_FEAT_RAW_POINTER);
	char *untrusted_id = xenstore_readf(
		input->manager->store, "%s/" XENKBD_FIELD_UNIQUE_ID, input->dev->be_path);
	const char *unique_id;
	if (xs_value_check_unique_id(untrusted_id, &unique_id) == 0) {
		input->unique_id = untrusted_id; // checked: kept as it is
	} else {
		free(untrusted_id);
	}
}

static int input_handle_retry(void *data);
static void input_flush(struct vkbd_device *input);

static struct vkbd_device *input_create(struct vkbd_manager *manager, struct xenbus_device *dev)
{
	struct vkbd_device *input = calloc(1, sizeof(*input));
	if (input == NULL) {
		return NULL;
	}
	input->manager = manager;
	input->dev = dev;
	input->domid = dev->domid;
	input->devid = dev->devid;
	input->kind = kind_name(dev);
	wl_signal_init(&input->events.connect);
	wl_signal_init(&input->events.disconnect);
	wl_signal_init(&input->events.destroy);
	input->name = xenstore_read_domain_name(manager->store, dev->domid);
	input->retry = wl_event_loop_add_timer(manager->loop, input_handle_retry, input);
	if (input->name == NULL || input->retry == NULL) {
		if (input->retry != NULL) {
			wl_event_source_remove(input->retry);
		}
		free(input->name);
		free(input);
		return NULL;
	}
	read_features(input);
	return input;
}

/* Lets go of the guest's event channel, ring and page (as far as they were taken). */
static void release_ring(struct vkbd_device *input)
{
	evtchn_unbind(input->port);
	input->port = NULL;
	kbdif_ring_finish(&input->ring);
	if (input->page != NULL) {
		xengnttab_unmap(input->manager->gnttab, input->page, 1);
		input->page = NULL;
	}
}

static void input_disconnect(struct vkbd_device *input)
{
	if (!input->connected) {
		return;
	}
	input->connected = false;
	if (input->ring.dropped > 0) {
		wlr_log(WLR_INFO, "guest %s (domain %u) %s %u: %llu input events were dropped",
			input->name, input->domid, input->kind, input->devid,
			(unsigned long long)input->ring.dropped);
	}
	wl_signal_emit(&input->events.disconnect, input);
	if (input->broken != NULL) {
		wl_event_source_remove(input->broken);
		input->broken = NULL;
	}
	wl_event_source_timer_update(input->retry, 0);
	input->retry_armed = false;
	release_ring(input);
	wlr_log(WLR_INFO, "guest %s (domain %u) %s %u: disconnected", input->name, input->domid,
		input->kind, input->devid);
}

static void input_destroy(struct vkbd_device *input)
{
	if (input == NULL) {
		return;
	}
	input_disconnect(input);
	wl_signal_emit(&input->events.destroy, input);
	wl_list_remove(&input->link);
	wl_event_source_remove(input->retry);
	free(input->unique_id);
	free(input->name);
	free(input);
}

static void input_handle_broken(void *data)
{
	struct vkbd_device *input = data;
	input->broken = NULL;
	/* Disconnects us (and frees nothing of input): the device stays until it is removed. */
	xenbus_device_fatal(input->dev,
		"event ring: in_cons %u is not within the %u events up to in_prod %u",
		input->ring.bad_cons, XENKBD_IN_RING_LEN, input->ring.prod);
}

/* After the ring moved: notify the guest, retry what waits, report a broken ring once. */
static void input_settle(struct vkbd_device *input)
{
	struct kbdif_ring *ring = &input->ring;
	if (ring->notify) {
		ring->notify = false;
		evtchn_notify(input->port);
	}
	if (ring->broken) {
		if (input->broken == NULL && input->connected) {
			/* Not from inside the sender's call: disconnecting emits signals. */
			input->broken = wl_event_loop_add_idle(
				input->manager->loop, input_handle_broken, input);
		}
		return;
	}
	if (kbdif_ring_pending(ring) && !input->retry_armed) {
		/* Linux's frontend makes room and notifies; the timer covers one that does not. */
		wl_event_source_timer_update(input->retry, input->retry_ms);
		input->retry_armed = true;
	}
}

static void input_flush(struct vkbd_device *input)
{
	if (!input->connected) {
		return;
	}
	bool was_dropping = input->ring.dropping;
	uint64_t episode = input->ring.dropped_episode;
	if (kbdif_ring_flush(&input->ring)) {
		input->retry_ms = RETRY_MS;
	}
	if (was_dropping && !input->ring.dropping) {
		wlr_log(WLR_INFO,
			"guest %s (domain %u) %s %u: consuming input again; %llu events "
			"were dropped",
			input->name, input->domid, input->kind, input->devid,
			(unsigned long long)episode);
	}
	input_settle(input);
}

static int input_handle_retry(void *data)
{
	struct vkbd_device *input = data;
	input->retry_armed = false;
	if (input->retry_ms < RETRY_MAX_MS) {
		input->retry_ms *= 2;
	}
	input_flush(input);
	return 0;
}

static void input_handle_notify(void *data)
{
	/* The guest consumed events: room for what waits. */
	input_flush(data);
}

static bool input_send(struct vkbd_device *input, const union xenkbd_in_event *event)
{
	if (!input->connected) {
		return false;
	}
	bool was_dropping = input->ring.dropping;
	enum kbdif_status status = kbdif_ring_push(&input->ring, event);
	if (status == KBDIF_DROPPED && !was_dropping) {
		wlr_log(WLR_ERROR,
			"guest %s (domain %u) %s %u: not consuming input (%u events "
			"waiting): dropping events until it catches up",
			input->name, input->domid, input->kind, input->devid,
			input->ring.count + XENKBD_IN_RING_LEN);
	}
	input_flush(input);
	return status == KBDIF_OK;
}

static void describe(struct vkbd_device *input, char *buf, size_t size)
{
	int n = 0;
	buf[0] = '\0';
	if (input->keyboard) {
		n += snprintf(buf + n, size - (size_t)n, "keyboard");
	}
	if (input->pointer && (size_t)n < size) {
		n += snprintf(buf + n, size - (size_t)n, "%spointer", n > 0 ? ", " : "");
		if (input->raw_pointer && (size_t)n < size) {
			n += snprintf(buf + n, size - (size_t)n, " raw 0..%d", XENKBD_ABS_MAX);
		} else if (input->abs_pointer && (size_t)n < size) {
			n += snprintf(buf + n, size - (size_t)n, " absolute %dx%d", input->width,
				input->height);
		} else if ((size_t)n < size) {
			n += snprintf(buf + n, size - (size_t)n, " relative");
		}
	}
	if (input->multi_touch && (size_t)n < size) {
		snprintf(buf + n, size - (size_t)n, "%smulti-touch %dx%d, %d contact%s",
			n > 0 ? ", " : "", input->mt_width, input->mt_height, input->mt_contacts,
			input->mt_contacts == 1 ? "" : "s");
	}
}

/*
 * A frontend another backend served before us (mosaic restarted): what
 * that one left pressed stays pressed in the guest, repeating, unless
 * released. We cannot know what it was; Linux drops releases of keys and
 * contacts that are not down, so release everything xen-kbdfront has.
 */
static void release_inherited(struct vkbd_device *input)
{
	union xenkbd_in_event event;
	if (input->pointer) {
		for (uint32_t code = BTN_LEFT; code <= BTN_TASK; code++) {
			kbdif_event_key(&event, code, false);
			kbdif_ring_push(&input->ring, &event);
		}
		for (uint32_t code = KEY_ESC; input->keyboard && code < KEY_MAX; code++) {
			if (code == KEY_UNKNOWN) {
				code = KEY_OK; // xen-kbdfront's keyboard has no codes in between
			}
			kbdif_event_key(&event, code, false);
			kbdif_ring_push(&input->ring, &event);
		}
	}
	if (input->multi_touch && input->mt_contacts > 0) {
		for (int32_t c = 0; c < input->mt_contacts; c++) {
			kbdif_ring_assume_contact(&input->ring, (uint8_t)c);
			kbdif_event_touch(&event, XENKBD_MT_EV_UP, (uint8_t)c, 0, 0);
			kbdif_ring_push(&input->ring, &event);
		}
		kbdif_event_touch(&event, XENKBD_MT_EV_SYN, 0, 0, 0);
		kbdif_ring_push(&input->ring, &event);
	}
	input_flush(input);
}

static bool input_connect(struct vkbd_device *input)
{
	struct vkbd_manager *manager = input->manager;
	struct xenbus_device *dev = input->dev;
	char path[600];

	input->abs_pointer = input->pointer && input->feature_abs &&
			     read_request(input, XENKBD_FIELD_REQ_ABS_POINTER);
	/* kbdif: raw coordinates only apply to an absolute pointer. */
	input->raw_pointer = input->abs_pointer && input->feature_raw &&
			     read_request(input, XENKBD_FIELD_REQ_RAW_POINTER);
	input->multi_touch = input->feature_mt && read_request(input, XENKBD_FIELD_REQ_MTOUCH);

	uint32_t gref, port;
	snprintf(path, sizeof(path), "%s/" XENKBD_FIELD_RING_GREF, dev->fe_path);
	if (!xenstore_read_u32(manager->store, path, &gref)) {
		char *value = xenstore_readf(manager->store, "%s", path);
		char *pfn =
			xenstore_readf(manager->store, "%s/" XENKBD_FIELD_RING_REF, dev->fe_path);
		if (value == NULL && pfn != NULL) {
			xenbus_device_fatal(dev, "only page-ref (a frame number) was published: a "
						 "backend maps the page by page-gref");
		} else {
			xenbus_device_fatal(dev, "page-gref missing or malformed");
		}
		free(value);
		free(pfn);
		return false;
	}
	snprintf(path, sizeof(path), "%s/" XENKBD_FIELD_EVT_CHANNEL, dev->fe_path);
	if (!xenstore_read_u32(manager->store, path, &port)) {
		xenbus_device_fatal(dev, "event-channel missing or malformed");
		return false;
	}

	input->page = xengnttab_map_domain_grant_refs(
		manager->gnttab, 1, input->domid, &gref, PROT_READ | PROT_WRITE);
	if (input->page == NULL) {
		xenbus_device_fatal(dev, "cannot map page-gref %u", gref);
		return false;
	}
	kbdif_ring_init(&input->ring, input->page);
	input->retry_ms = RETRY_MS;
	input->port = evtchn_bind(manager->evtchn, input->domid, port, input_handle_notify, input);
	if (input->port == NULL) {
		release_ring(input);
		xenbus_device_fatal(dev, "cannot bind event-channel %u", port);
		return false;
	}
	input->connected = true;
	if (dev->inherited) {
		wlr_log(WLR_INFO, "guest %s (domain %u) %s %u: taking over from a backend before us",
			input->name, input->domid, input->kind, input->devid);
		release_inherited(input);
	}

	char what[160];
	describe(input, what, sizeof(what));
	wlr_log(WLR_INFO, "guest %s (domain %u) %s %u: connected (%s)", input->name, input->domid,
		input->kind, input->devid, what[0] != '\0' ? what : "nothing enabled");
	if (!input->pointer && input->keyboard && !input->warned_keys) {
		input->warned_keys = true;
		wlr_log(WLR_INFO,
			"guest %s (domain %u) %s %u: no keys are sent to a device without "
			"a pointer (xen-kbdfront looks every key up in its pointer device)",
			input->name, input->domid, input->kind, input->devid);
	}
	wl_signal_emit(&input->events.connect, input);
	return true;
}

static bool vkbd_probe(struct xenbus_device *dev)
{
	struct vkbd_manager *manager = dev->backend->data;
	struct vkbd_device *input = input_create(manager, dev);
	if (input == NULL) {
		return false;
	}
	dev->data = input;
	wl_list_insert(manager->inputs.prev, &input->link);
	wl_signal_emit(&manager->events.new_input, input);
	return true;
}

static bool vkbd_connect(struct xenbus_device *dev)
{
	return input_connect(dev->data);
}

static void vkbd_disconnect(struct xenbus_device *dev)
{
	input_disconnect(dev->data);
}

static void vkbd_remove(struct xenbus_device *dev)
{
	input_destroy(dev->data);
	dev->data = NULL;
}

static const struct xenbus_backend_impl vkbd_impl = {
	.probe = vkbd_probe,
	.connect = vkbd_connect,
	.disconnect = vkbd_disconnect,
	.remove = vkbd_remove,
	/* xen-kbdfront never reconnects: a restarted mosaic takes its rings over. */
	.keep_frontends = true,
};

struct vkbd_manager *vkbd_manager_create(
	struct wl_event_loop *loop, struct xenstore *store, struct evtchn *evtchn)
{
	struct vkbd_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	manager->loop = loop;
	manager->store = store;
	manager->evtchn = evtchn;
	wl_list_init(&manager->inputs);
	wl_signal_init(&manager->events.new_input);
	manager->gnttab = xengnttab_open(NULL, 0);
	if (manager->gnttab == NULL) {
		wlr_log_errno(
			WLR_ERROR, "Cannot open the grant table device (is xen-gntdev loaded?)");
		free(manager);
		return NULL;
	}
	return manager;
}

/* Separate from create so that new_input can be listened to before any device appears. */
bool vkbd_manager_start(struct vkbd_manager *manager)
{
	/* Both names of the one device type: libxl's backend-type=qemu and =linux. */
	manager->vkbd =
		xenbus_backend_create(manager->store, XENKBD_DRIVER_NAME, &vkbd_impl, manager);
	manager->vinput = xenbus_backend_create(manager->store, "vinput", &vkbd_impl, manager);
	return manager->vkbd != NULL && manager->vinput != NULL;
}

void vkbd_manager_destroy(struct vkbd_manager *manager)
{
	if (manager == NULL) {
		return;
	}
	xenbus_backend_destroy(manager->vkbd);
	xenbus_backend_destroy(manager->vinput);
	xengnttab_close(manager->gnttab);
	free(manager);
}

void vkbd_abs_range(const struct vkbd_device *input, int32_t *width, int32_t *height)
{
	if (input->raw_pointer) {
		*width = XENKBD_ABS_MAX + 1;
		*height = XENKBD_ABS_MAX + 1;
	} else {
		*width = input->width;
		*height = input->height;
	}
}

static int32_t clamp(int32_t v, int32_t range)
{
	if (v < 0 || range <= 0) {
		return 0;
	}
	return v >= range ? range - 1 : v;
}

bool vkbd_send_key(struct vkbd_device *input, uint32_t linux_keycode, bool pressed)
{
	/*
	 * xen-kbdfront tests the code in its pointer device's key bits, then
	 * its keyboard's: without the device it dereferences NULL, past
	 * KEY_MAX it reads beyond the bits.
	 */
	bool button = linux_keycode >= BTN_LEFT && linux_keycode <= BTN_TASK;
	if (!input->pointer || (!button && !input->keyboard) || linux_keycode == 0 ||
		linux_keycode >= KEY_MAX) {
		return false;
	}
	union xenkbd_in_event event;
	kbdif_event_key(&event, linux_keycode, pressed);
	return input_send(input, &event);
}

bool vkbd_send_motion(struct vkbd_device *input, int32_t dx, int32_t dy, int32_t dz)
{
	if (!input->pointer || input->abs_pointer) {
		return false;
	}
	union xenkbd_in_event event;
	kbdif_event_motion(&event, dx, dy, dz);
	return input_send(input, &event);
}

bool vkbd_send_position(struct vkbd_device *input, int32_t x, int32_t y, int32_t dz)
{
	if (!input->abs_pointer) {
		return false;
	}
	int32_t w, h;
	vkbd_abs_range(input, &w, &h);
	union xenkbd_in_event event;
	kbdif_event_position(&event, clamp(x, w), clamp(y, h), dz);
	return input_send(input, &event);
}

static bool send_touch(struct vkbd_device *input, uint8_t type, int32_t contact, int32_t x, int32_t y)
{
	if (!input->multi_touch || contact < 0 || contact >= input->mt_contacts) {
		return false;
	}
	union xenkbd_in_event event;
	kbdif_event_touch(&event, type, (uint8_t)contact, clamp(x, input->mt_width),
		clamp(y, input->mt_height));
	return input_send(input, &event);
}

bool vkbd_send_touch_down(struct vkbd_device *input, int32_t contact, int32_t x, int32_t y)
{
	return send_touch(input, XENKBD_MT_EV_DOWN, contact, x, y);
}

bool vkbd_send_touch_motion(struct vkbd_device *input, int32_t contact, int32_t x, int32_t y)
{
	return send_touch(input, XENKBD_MT_EV_MOTION, contact, x, y);
}

bool vkbd_send_touch_up(struct vkbd_device *input, int32_t contact)
{
	return send_touch(input, XENKBD_MT_EV_UP, contact, 0, 0);
}

bool vkbd_send_touch_frame(struct vkbd_device *input, int32_t contact)
{
	return send_touch(input, XENKBD_MT_EV_SYN, contact, 0, 0);
}
