#ifndef MOSAIC_INPUT_ROUTING_VKBD_H
#define MOSAIC_INPUT_ROUTING_VKBD_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

#include "protocol/kbdif.h"

/*
 * The PV input backend (kbdif, Linux's xen-kbdfront): serves every guest's
 * vkbd devices, whichever way the toolstack asked for them: libxl's
 * backend-type=qemu puts them under backend/vkbd, backend-type=linux under
 * backend/vinput. Each device is a vkbd_device; sending an event on it writes
 * it into the guest's event ring (see protocol/kbdif.h for what happens
 * when the guest does not keep up).
 *
 * What the device can carry comes from the toolstack's backend keys,
 * read once when the device is probed, as xen-kbdfront reads them;
 * what the guest asked for comes at connect.
 */
struct xenstore;
struct evtchn;
struct evtchn_port;
struct xenbus_device;
typedef struct xengntdev_handle xengnttab_handle;

struct vkbd_manager {
	struct wl_event_loop *loop;
	struct xenstore *store;
	struct evtchn *evtchn;
	xengnttab_handle *gnttab;
	struct xenbus_backend *vkbd, *vinput;
	struct wl_list inputs; // vkbd_device.link
	struct {
		struct wl_signal new_input; // struct vkbd_device *, when a device is probed
	} events;
};

struct vkbd_device {
	struct vkbd_manager *manager;
	uint32_t domid, devid;
	char *name;            // the domain's name, printable ASCII (it is the guest's)
	const char *kind;      // "vkbd" or "vinput"
	char *unique_id;       // NULL when none was written
	bool keyboard;         // !feature-disable-keyboard
	bool pointer;          // !feature-disable-pointer
	bool abs_pointer;      // the frontend asked for and was offered absolute positions
	bool raw_pointer;      // ...for raw 0..XENKBD_ABS_MAX coordinates
	bool multi_touch;      // ...for multi-touch
	int32_t width, height;         // absolute pointer range from the backend keys
	int32_t mt_width, mt_height;   // multi-touch surface
	int32_t mt_contacts;           // multi-touch-num-contacts
	bool connected;        // events can be sent
	struct {
		struct wl_signal connect;    // the frontend connected (requested features are known)
		struct wl_signal disconnect; // the connection ended: every key/contact is gone with it
		struct wl_signal destroy;
	} events;
	struct wl_list link;
	/* private */
	struct xenbus_device *dev;
	bool feature_abs, feature_raw, feature_mt; // what the backend keys offer
	void *page;
	struct evtchn_port *port;
	struct kbdif_ring ring;
	struct wl_event_source *retry; // the ring was full: look again shortly
	bool retry_armed;
	int retry_ms;
	struct wl_event_source *broken; // idle: report a broken ring outside the sender's call
	bool warned_keys;
};

struct vkbd_manager *vkbd_manager_create(struct wl_event_loop *loop, struct xenstore *store, struct evtchn *evtchn);
bool vkbd_manager_start(struct vkbd_manager *manager);
void vkbd_manager_destroy(struct vkbd_manager *manager);

/*
 * Sending while not connected does nothing and returns false. So does
 * sending what the guest cannot take: keys need a pointer device (Linux's
 * xen-kbdfront looks every key up in it) and, but for BTN_LEFT..BTN_TASK,
 * the keyboard, and a code in 1..KEY_MAX-1; positions need abs_pointer,
 * relative motion a pointer without it (xen-kbdfront's absolute pointer has
 * only the wheel as a relative axis: use vkbd_send_position's dz); touches
 * need multi_touch and a contact below mt_contacts. Otherwise true: written,
 * or queued behind a full ring; false also when the guest has stopped
 * consuming and events are being dropped. Positions outside [0, range) and
 * touches outside [0, mt_width) x [0, mt_height) are clamped to the edges.
 */
/* The range absolute positions are scaled to: raw -> XENKBD_ABS_MAX+1 each way, else width x height. */
void vkbd_abs_range(const struct vkbd_device *input, int32_t *width, int32_t *height);
bool vkbd_send_key(struct vkbd_device *input, uint32_t linux_keycode, bool pressed);
bool vkbd_send_motion(struct vkbd_device *input, int32_t dx, int32_t dy, int32_t dz);
bool vkbd_send_position(struct vkbd_device *input, int32_t x, int32_t y, int32_t dz);
bool vkbd_send_touch_down(struct vkbd_device *input, int32_t contact, int32_t x, int32_t y);
bool vkbd_send_touch_motion(struct vkbd_device *input, int32_t contact, int32_t x, int32_t y);
bool vkbd_send_touch_up(struct vkbd_device *input, int32_t contact);
bool vkbd_send_touch_frame(struct vkbd_device *input, int32_t contact); // XENKBD_MT_EV_SYN

#endif
