#ifndef MOSAIC_COMPOSITOR_WLR_COMPAT_H
#define MOSAIC_COMPOSITOR_WLR_COMPAT_H

/*
 * The one place that knows which wlroots mosaic is built with.
 *
 * mosaic is written for wlroots 0.18 (Debian 13). With wlroots 0.15
 * (Debian 12) this file provides what the code calls: 0.18's own names
 * where 0.15 can take a call of the same shape (output states, event
 * structs, scene constructors), and compat_* helpers where the two differ in
 * what they need or in their structs' layout (backends on a display or a
 * loop, the output's buffer and damage, virtual input devices). On 0.18
 * the compat_* helpers are plain 0.18 calls (most a line or two; the
 * output frame's and the screenshot's are longer): dropping 0.15 means
 * deleting the 0.15 half below.
 */

#include <drm_fourcc.h>
#include <pixman.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/interfaces/wlr_keyboard.h>
#include <wlr/interfaces/wlr_pointer.h>
#include <wlr/interfaces/wlr_touch.h>
#include <wlr/render/allocator.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/version.h>

#define MOSAIC_WLR_018 (WLR_VERSION_MAJOR > 0 || WLR_VERSION_MINOR >= 18)

#if MOSAIC_WLR_018
#include <wlr/interfaces/wlr_buffer.h>
#include <wlr/render/pass.h>
#include <wlr/render/swapchain.h>
#include <wlr/types/wlr_damage_ring.h>
#include <wlr/types/wlr_subcompositor.h>
#include <wlr/util/transform.h>
#else
#include <wlr/interfaces/wlr_input_device.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_output_damage.h>
#endif

/* What an output frame drawn by mosaic (not by wlroots' scene) needs between its steps. */
struct compat_output_frame {
	struct wlr_output_state state; // what is committed
	pixman_image_t *image;         // the buffer's pixels, referenced
	pixman_region32_t damage;      // to draw, in buffer coordinates
	pixman_region32_t reported;    // the damage the commit reports
};

enum compat_frame_start {
	COMPAT_FRAME_FAILED,
	COMPAT_FRAME_NONE,  // nothing changed
	COMPAT_FRAME_READY, // image and damage are set
};

#if MOSAIC_WLR_018

/*
 * mosaic draws its frames with pixman itself (render_frame.c), the same on
 * every platform. wlroots' scene renderer draws what mosaic does not
 * (turned outputs, other renderers); both take a scaled buffer's nearest
 * pixel, but 0.18's rounds the source box to whole pixels and steps
 * through it in fixed point: at the edges of scaled views, the pixel next
 * to mosaic's is taken now and then. Pixels in 1000 that may differ (15
 * at most in mosaic's tests); views shown 1:1 are the same.
 */
#define COMPAT_SCENE_SAMPLING_TOLERANCE 20

/* ---- backends ---- */

static inline struct wlr_backend *compat_backend_autocreate(struct wl_display *display)
{
	return wlr_backend_autocreate(wl_display_get_event_loop(display), NULL);
}

static inline struct wlr_backend *compat_headless_backend_create(struct wl_display *display)
{
	return wlr_headless_backend_create(wl_display_get_event_loop(display));
}

/* ---- scene ---- */

static inline struct wlr_scene_tree *compat_scene_tree(struct wlr_scene *scene)
{
	return &scene->tree;
}

static inline bool compat_scene_node_enabled(const struct wlr_scene_node *node)
{
	return node->enabled;
}

static inline void compat_scene_node_position(const struct wlr_scene_node *node, int *x, int *y)
{
	*x = node->x;
	*y = node->y;
}

/* The tree a node is in, as a node; NULL for the root. */
static inline struct wlr_scene_node *compat_scene_node_parent(const struct wlr_scene_node *node)
{
	return node->parent != NULL ? &node->parent->node : NULL;
}

/* A tree's children, bottom first (linked by COMPAT_SCENE_NODE_LINK); NULL for a leaf. */
static inline struct wl_list *compat_scene_node_children(struct wlr_scene_node *node)
{
	return node->type == WLR_SCENE_NODE_TREE ? &wlr_scene_tree_from_node(node)->children : NULL;
}
#define COMPAT_SCENE_NODE_LINK link

/* ---- outputs ---- */

/*
 * What an output says it is, for layout files to match. Headless outputs
 * say nothing here: they are made "headless" by "headless", as in wlroots
 * 0.15, so that the same layout file finds them on both.
 */
static inline const char *compat_output_make(struct wlr_output *output)
{
	return output->make != NULL || !wlr_output_is_headless(output) ? output->make : "headless";
}

static inline const char *compat_output_model(struct wlr_output *output)
{
	return output->model != NULL || !wlr_output_is_headless(output) ? output->model : "headless";
}

/* The signal that tells a mode change; compat_output_mode_changed() says if it was one. */
static inline struct wl_signal *compat_output_mode_signal(struct wlr_output *output)
{
	return &output->events.commit;
}

static inline bool compat_output_mode_changed(void *data)
{
	const struct wlr_output_event_commit *event = data;
	return (event->state->committed & WLR_OUTPUT_STATE_MODE) != 0;
}

/* A nested output's window resized by its host asks for a new state; NULL: not asked. */
static inline struct wl_signal *compat_output_request_state_signal(struct wlr_output *output)
{
	return &output->events.request_state;
}

static inline const struct wlr_output_state *compat_output_requested_state(void *data)
{
	const struct wlr_output_event_request_state *event = data;
	return event->state;
}

static inline struct wlr_buffer *compat_output_event_commit_buffer(void *data)
{
	const struct wlr_output_event_commit *event = data;
	return (event->state->committed & WLR_OUTPUT_STATE_BUFFER) ? event->state->buffer : NULL;
}

/*
 * The output's next buffer, with what must be drawn in it: what changed
 * since this buffer was last drawn. The scene's damage is what the commit
 * reports; damage that comes while the frame is drawn stays pending for
 * the next one.
 */
static inline enum compat_frame_start compat_output_frame_begin(
	struct wlr_scene_output *scene_output, struct wlr_renderer *renderer,
	struct compat_output_frame *frame)
{
	struct wlr_output *output = scene_output->output;
	if (!output->needs_frame &&
		!pixman_region32_not_empty(&scene_output->pending_commit_damage)) {
		return COMPAT_FRAME_NONE;
	}
	wlr_output_state_init(&frame->state);
	pixman_region32_init(&frame->damage);
	pixman_region32_init(&frame->reported);
	frame->image = NULL;
	pixman_region32_copy(&frame->reported, &scene_output->pending_commit_damage);
	wlr_output_state_set_damage(&frame->state, &scene_output->pending_commit_damage);
	if (!wlr_output_configure_primary_swapchain(output, &frame->state, &output->swapchain)) {
		goto error;
	}
	struct wlr_buffer *buffer = wlr_swapchain_acquire(output->swapchain, NULL);
	if (buffer == NULL) {
		goto error;
	}
	wlr_output_state_set_buffer(&frame->state, buffer);
	wlr_buffer_unlock(buffer);
	wlr_damage_ring_set_bounds(&scene_output->damage_ring, output->width, output->height);
	wlr_damage_ring_rotate_buffer(&scene_output->damage_ring, buffer, &frame->damage);
	pixman_image_t *image = wlr_pixman_renderer_get_buffer_image(renderer, buffer);
	if (image == NULL) {
		goto error;
	}
	frame->image = pixman_image_ref(image);
	return COMPAT_FRAME_READY;

error:
	wlr_output_state_finish(&frame->state);
	pixman_region32_fini(&frame->damage);
	pixman_region32_fini(&frame->reported);
	return COMPAT_FRAME_FAILED;
}

/* Software cursors over the frame, on the loop's thread, after the rest is drawn. */
static inline void compat_output_frame_cursors(struct wlr_scene_output *scene_output,
	struct wlr_renderer *renderer, struct compat_output_frame *frame)
{
	struct wlr_render_pass *pass =
		wlr_renderer_begin_buffer_pass(renderer, frame->state.buffer, NULL);
	if (pass != NULL) {
		wlr_output_add_software_cursors_to_render_pass(
			scene_output->output, pass, &frame->damage);
		wlr_render_pass_submit(pass);
	}
}

static inline void compat_output_frame_finish(struct compat_output_frame *frame)
{
	if (frame->image != NULL) {
		pixman_image_unref(frame->image);
	}
	wlr_output_state_finish(&frame->state);
	pixman_region32_fini(&frame->damage);
	pixman_region32_fini(&frame->reported);
}

static inline bool compat_output_frame_commit(
	struct wlr_scene_output *scene_output, struct compat_output_frame *frame)
{
	bool ok = wlr_output_commit_state(scene_output->output, &frame->state);
	compat_output_frame_finish(frame);
	return ok;
}

/* The frame is not shown: its buffer goes back to the swapchain. */
static inline void compat_output_frame_abort(
	struct wlr_scene_output *scene_output, struct compat_output_frame *frame)
{
	compat_output_frame_finish(frame);
}

/* Something in the scene changed on this output, or the output asks for a frame. */
static inline bool compat_scene_output_needs_frame(struct wlr_scene_output *scene_output)
{
	return scene_output->output->needs_frame ||
		pixman_region32_not_empty(&scene_output->pending_commit_damage);
}

/* The next frame draws the whole output, in whichever buffer it gets. */
static inline void compat_scene_output_damage_whole(struct wlr_scene_output *scene_output)
{
	struct wlr_output *output = scene_output->output;
	wlr_damage_ring_add_whole(&scene_output->damage_ring);
	pixman_region32_union_rect(&scene_output->pending_commit_damage,
		&scene_output->pending_commit_damage, 0, 0, (unsigned)output->width,
		(unsigned)output->height);
	wlr_output_schedule_frame(output);
}

/*
 * The whole output as wlroots' scene renderer draws it, copied into
 * target (a buffer in memory of the output's size). It is drawn in a
 * buffer of its own: the output's buffers and damage are left as they
 * were. false: the renderer draws where the CPU cannot read.
 */
static inline bool compat_scene_output_render_into(struct wlr_scene_output *scene_output,
	struct wlr_renderer *renderer, struct wlr_allocator *allocator, struct wlr_buffer *target)
{
	uint64_t modifier = DRM_FORMAT_MOD_INVALID;
	const struct wlr_drm_format format = {
		.format = DRM_FORMAT_XRGB8888, .len = 1, .capacity = 1, .modifiers = &modifier};
	struct wlr_swapchain *swapchain =
		wlr_swapchain_create(allocator, target->width, target->height, &format);
	if (swapchain == NULL) {
		return false;
	}
	struct wlr_output_state state;
	wlr_output_state_init(&state);
	const struct wlr_scene_output_state_options options = {.swapchain = swapchain};
	bool ok = wlr_scene_output_build_state(scene_output, &state, &options) &&
		  (state.committed & WLR_OUTPUT_STATE_BUFFER) && state.buffer != NULL &&
		  state.buffer->width == target->width && state.buffer->height == target->height;
	void *dst = NULL;
	uint32_t dst_format;
	size_t dst_stride;
	bool dst_open =
		ok && wlr_buffer_begin_data_ptr_access(target, WLR_BUFFER_DATA_PTR_ACCESS_WRITE,
			      &dst, &dst_format, &dst_stride);
	pixman_image_t *from =
		dst_open ? wlr_pixman_renderer_get_buffer_image(renderer, state.buffer) : NULL;
	pixman_image_t *to = NULL;
	if (from != NULL) {
		to = pixman_image_create_bits_no_clear(
			PIXMAN_x8r8g8b8, target->width, target->height, dst, (int)dst_stride);
	}
	ok = to != NULL;
	if (ok) {
		pixman_image_composite32(PIXMAN_OP_SRC, from, NULL, to, 0, 0, 0, 0, 0, 0,
			target->width, target->height);
		pixman_image_unref(to);
	}
	if (dst_open) {
		wlr_buffer_end_data_ptr_access(target);
	}
	wlr_output_state_finish(&state);
	wlr_swapchain_destroy(swapchain);
	return ok;
}

/* ---- input ---- */

#define compat_pointer_event_device(event) (&(event)->pointer->base)
#define compat_touch_event_device(event) (&(event)->touch->base)
/* In an event's initializer: the device it comes from. */
#define COMPAT_POINTER_EVENT_FROM(device) .pointer = wlr_pointer_from_input_device(device)
#define COMPAT_TOUCH_EVENT_FROM(device) .touch = wlr_touch_from_input_device(device)

static inline bool compat_button_pressed(const struct wlr_pointer_button_event *event)
{
	return event->state == WL_POINTER_BUTTON_STATE_PRESSED;
}

static inline enum wl_pointer_button_state compat_button_state(bool pressed)
{
	return pressed ? WL_POINTER_BUTTON_STATE_PRESSED : WL_POINTER_BUTTON_STATE_RELEASED;
}

static inline bool compat_axis_vertical(const struct wlr_pointer_axis_event *event)
{
	return event->orientation == WL_POINTER_AXIS_VERTICAL_SCROLL;
}

static inline enum wl_pointer_axis compat_axis_orientation_vertical(void)
{
	return WL_POINTER_AXIS_VERTICAL_SCROLL;
}

/* Wheel steps are counted in 120ths. */
#define COMPAT_AXIS_DISCRETE_STEP WLR_POINTER_AXIS_DISCRETE_STEP

static inline enum wl_pointer_axis_source compat_axis_source_wheel(void)
{
	return WL_POINTER_AXIS_SOURCE_WHEEL;
}

/* A wheel or scroll event to the seat's pointer focus (an app), as it came. */
static inline void compat_seat_pointer_notify_axis(
	struct wlr_seat *seat, const struct wlr_pointer_axis_event *event)
{
	wlr_seat_pointer_notify_axis(seat, event->time_msec, event->orientation, event->delta,
		event->delta_discrete, event->source, event->relative_direction);
}

static inline void compat_seat_set_keyboard(struct wlr_seat *seat, struct wlr_input_device *device)
{
	wlr_seat_set_keyboard(seat, wlr_keyboard_from_input_device(device));
}

static inline struct wlr_input_device *compat_virtual_keyboard_device(
	struct wlr_virtual_keyboard_v1 *keyboard)
{
	return &keyboard->keyboard.base;
}

/* Before a virtual keyboard's device goes: nothing to do. */
static inline void compat_virtual_keyboard_release(struct wlr_input_device *device)
{
}

static const struct wlr_pointer_impl compat_pointer_impl = {.name = "mosaic-pointer"};
static const struct wlr_touch_impl compat_touch_impl = {.name = "mosaic-touch"};
static const struct wlr_keyboard_impl compat_keyboard_impl = {.name = "mosaic-keyboard"};

/* A device of mosaic's own, that no backend drives; NULL if out of memory. */
static inline struct wlr_input_device *compat_input_device_create(
	enum wlr_input_device_type type, const char *name)
{
	if (type == WLR_INPUT_DEVICE_POINTER) {
		struct wlr_pointer *pointer = calloc(1, sizeof(*pointer));
		if (pointer == NULL) {
			return NULL;
		}
		wlr_pointer_init(pointer, &compat_pointer_impl, name);
		return &pointer->base;
	}
	if (type == WLR_INPUT_DEVICE_KEYBOARD) {
		struct wlr_keyboard *keyboard = calloc(1, sizeof(*keyboard));
		if (keyboard == NULL) {
			return NULL;
		}
		wlr_keyboard_init(keyboard, &compat_keyboard_impl, name);
		return &keyboard->base;
	}
	struct wlr_touch *touch = calloc(1, sizeof(*touch));
	if (touch == NULL) {
		return NULL;
	}
	wlr_touch_init(touch, &compat_touch_impl, name);
	return &touch->base;
}

static inline void compat_input_device_destroy(struct wlr_input_device *device)
{
	if (device->type == WLR_INPUT_DEVICE_POINTER) {
		struct wlr_pointer *pointer = wlr_pointer_from_input_device(device);
		wlr_pointer_finish(pointer);
		free(pointer);
	} else if (device->type == WLR_INPUT_DEVICE_KEYBOARD) {
		struct wlr_keyboard *keyboard = wlr_keyboard_from_input_device(device);
		wlr_keyboard_finish(keyboard);
		free(keyboard);
	} else {
		struct wlr_touch *touch = wlr_touch_from_input_device(device);
		wlr_touch_finish(touch);
		free(touch);
	}
}

/* ---- dom0's Wayland clients ---- */

/* wl_compositor and wl_subcompositor; false if either cannot be made. */
static inline bool compat_compositor_create(struct wl_display *display, struct wlr_renderer *renderer)
{
	return wlr_compositor_create(display, 6, renderer) != NULL &&
		wlr_subcompositor_create(display) != NULL;
}

/*
 * The xdg-shell helpers are macros: wlroots' xdg-shell header needs the
 * protocol's generated header, which only the files that use them include.
 */
#define compat_xdg_shell_create(display) wlr_xdg_shell_create(display, 6)
/* Tells of a new toplevel; compat_xdg_new_toplevel() takes it from the signal's data. */
#define compat_xdg_new_toplevel_signal(shell) (&(shell)->events.new_toplevel)
/* NULL: a surface of another role. */
#define compat_xdg_new_toplevel(data) ((struct wlr_xdg_toplevel *)(data))
#define compat_xdg_toplevel_map_signal(toplevel) (&(toplevel)->base->surface->events.map)
#define compat_xdg_toplevel_unmap_signal(toplevel) (&(toplevel)->base->surface->events.unmap)
#define compat_xdg_toplevel_destroy_signal(toplevel) (&(toplevel)->events.destroy)
#define compat_xdg_toplevel_commit_signal(toplevel) (&(toplevel)->base->surface->events.commit)
/* Popups: configured by mosaic at their first commit (0.18), or by wlroots at once (0.15). */
#define compat_xdg_popup_destroy_signal(popup) (&(popup)->events.destroy)
#define compat_xdg_popup_initial_commit(popup) ((popup)->base->initial_commit)
#define compat_xdg_popup_configured_at_commit() true
/* An xdg-decoration's toplevel surface (the wlr_surface), and whether it may be configured. */
#define compat_xdg_decoration_surface(decoration) ((decoration)->toplevel->base->surface)
#define compat_xdg_decoration_ready(decoration) ((decoration)->toplevel->base->initialized)
/* At each commit: the first one waits for mosaic's first configure. */
#define compat_xdg_toplevel_committed(toplevel) \
	do { \
		if ((toplevel)->base->initial_commit) { \
			wlr_xdg_toplevel_set_size(toplevel, 0, 0); \
		} \
	} while (0)

#else /* wlroots 0.15 */

/* mosaic draws the very pixels of wlroots' scene renderer. */
#define COMPAT_SCENE_SAMPLING_TOLERANCE 0

/* Scaled buffers are sampled at the nearest pixel (pixman's default filter). */
enum wlr_scale_filter_mode {
	WLR_SCALE_FILTER_BILINEAR,
	WLR_SCALE_FILTER_NEAREST,
};

static inline void wlr_scene_buffer_set_filter_mode(
	struct wlr_scene_buffer *scene_buffer, enum wlr_scale_filter_mode filter_mode)
{
}

/* ---- backends ---- */

static inline struct wlr_backend *compat_backend_autocreate(struct wl_display *display)
{
	return wlr_backend_autocreate(display);
}

static inline struct wlr_backend *compat_headless_backend_create(struct wl_display *display)
{
	return wlr_headless_backend_create(display);
}

/* ---- scene ---- */

/* Parents are trees; the root is a node that starts as a tree does. */
#define wlr_scene_tree_create(parent) (wlr_scene_tree_create)(&(parent)->node)
#define wlr_scene_rect_create(parent, width, height, color)                                        \
	(wlr_scene_rect_create)(&(parent)->node, width, height, color)
#define wlr_scene_buffer_create(parent, buffer) (wlr_scene_buffer_create)(&(parent)->node, buffer)
#define wlr_scene_output_commit(scene_output, options) (wlr_scene_output_commit)(scene_output)

static inline struct wlr_scene_tree *compat_scene_tree(struct wlr_scene *scene)
{
	return (struct wlr_scene_tree *)&scene->node;
}

static inline bool compat_scene_node_enabled(const struct wlr_scene_node *node)
{
	return node->state.enabled;
}

static inline void compat_scene_node_position(const struct wlr_scene_node *node, int *x, int *y)
{
	*x = node->state.x;
	*y = node->state.y;
}

static inline struct wlr_scene_node *compat_scene_node_parent(const struct wlr_scene_node *node)
{
	return node->parent;
}

static inline struct wl_list *compat_scene_node_children(struct wlr_scene_node *node)
{
	bool tree = node->type == WLR_SCENE_NODE_ROOT || node->type == WLR_SCENE_NODE_TREE;
	return tree ? &node->state.children : NULL;
}
#define COMPAT_SCENE_NODE_LINK state.link

/* ---- outputs ---- */

static inline const char *compat_output_make(struct wlr_output *output)
{
	return output->make;
}

static inline const char *compat_output_model(struct wlr_output *output)
{
	return output->model;
}

#define wlr_output_layout_create(display) (wlr_output_layout_create)()

static inline void compat_output_layout_get_box(
	struct wlr_output_layout *layout, struct wlr_output *output, struct wlr_box *box)
{
	struct wlr_box *b = (wlr_output_layout_get_box)(layout, output);
	*box = b != NULL ? *b : (struct wlr_box){0};
}
#define wlr_output_layout_get_box(layout, output, box)                                             \
	compat_output_layout_get_box(layout, output, box)

static inline void wlr_output_state_init(struct wlr_output_state *state)
{
	memset(state, 0, sizeof(*state));
	pixman_region32_init(&state->damage);
}

static inline void wlr_output_state_finish(struct wlr_output_state *state)
{
	if ((state->committed & WLR_OUTPUT_STATE_BUFFER) && state->buffer != NULL) {
		wlr_buffer_unlock(state->buffer);
	}
	pixman_region32_fini(&state->damage);
}

static inline void wlr_output_state_set_buffer(
	struct wlr_output_state *state, struct wlr_buffer *buffer)
{
	if ((state->committed & WLR_OUTPUT_STATE_BUFFER) && state->buffer != NULL) {
		wlr_buffer_unlock(state->buffer);
	}
	state->committed |= WLR_OUTPUT_STATE_BUFFER;
	state->buffer = wlr_buffer_lock(buffer);
}

static inline void wlr_output_state_set_enabled(struct wlr_output_state *state, bool enabled)
{
	state->committed |= WLR_OUTPUT_STATE_ENABLED;
	state->enabled = enabled;
}

static inline void wlr_output_state_set_mode(
	struct wlr_output_state *state, struct wlr_output_mode *mode)
{
	state->committed |= WLR_OUTPUT_STATE_MODE;
	state->mode_type = WLR_OUTPUT_STATE_MODE_FIXED;
	state->mode = mode;
}

static inline void wlr_output_state_set_custom_mode(
	struct wlr_output_state *state, int32_t width, int32_t height, int32_t refresh)
{
	state->committed |= WLR_OUTPUT_STATE_MODE;
	state->mode_type = WLR_OUTPUT_STATE_MODE_CUSTOM;
	state->mode = NULL;
	state->custom_mode.width = width;
	state->custom_mode.height = height;
	state->custom_mode.refresh = refresh;
}

static inline void wlr_output_state_set_scale(struct wlr_output_state *state, float scale)
{
	state->committed |= WLR_OUTPUT_STATE_SCALE;
	state->scale = scale;
}

static inline void wlr_output_state_set_transform(
	struct wlr_output_state *state, enum wl_output_transform transform)
{
	state->committed |= WLR_OUTPUT_STATE_TRANSFORM;
	state->transform = transform;
}

/* Puts a state in the output's pending one: configuration, and a buffer shown as it is. */
static inline void compat_output_apply_state(
	struct wlr_output *output, const struct wlr_output_state *state)
{
	if (state->committed & WLR_OUTPUT_STATE_ENABLED) {
		wlr_output_enable(output, state->enabled);
	}
	if ((state->committed & WLR_OUTPUT_STATE_MODE) &&
		state->mode_type == WLR_OUTPUT_STATE_MODE_FIXED) {
		wlr_output_set_mode(output, state->mode);
	} else if (state->committed & WLR_OUTPUT_STATE_MODE) {
		wlr_output_set_custom_mode(output, state->custom_mode.width,
			state->custom_mode.height, state->custom_mode.refresh);
	}
	if (state->committed & WLR_OUTPUT_STATE_SCALE) {
		wlr_output_set_scale(output, state->scale);
	}
	if (state->committed & WLR_OUTPUT_STATE_TRANSFORM) {
		wlr_output_set_transform(output, state->transform);
	}
	if (state->committed & WLR_OUTPUT_STATE_BUFFER) {
		wlr_output_attach_buffer(output, state->buffer);
	}
}

/* Configurations, and buffers shown as they are (mosaic's frames go by compat_output_frame_*). */
static inline bool wlr_output_commit_state(
	struct wlr_output *output, const struct wlr_output_state *state)
{
	compat_output_apply_state(output, state);
	return wlr_output_commit(output);
}

static inline bool wlr_output_test_state(
	struct wlr_output *output, const struct wlr_output_state *state)
{
	compat_output_apply_state(output, state);
	bool ok = wlr_output_test(output);
	wlr_output_rollback(output);
	return ok;
}

static inline struct wl_signal *compat_output_mode_signal(struct wlr_output *output)
{
	return &output->events.mode;
}

static inline bool compat_output_mode_changed(void *data)
{
	return true;
}

/* Nested outputs resize themselves here. */
static inline struct wl_signal *compat_output_request_state_signal(struct wlr_output *output)
{
	return NULL;
}

static inline const struct wlr_output_state *compat_output_requested_state(void *data)
{
	return NULL;
}

static inline struct wlr_buffer *compat_output_event_commit_buffer(void *data)
{
	const struct wlr_output_event_commit *event = data;
	return event->buffer;
}

static inline void compat_output_frame_finish(struct compat_output_frame *frame)
{
	if (frame->image != NULL) {
		pixman_image_unref(frame->image);
	}
	wlr_output_state_finish(&frame->state);
	pixman_region32_fini(&frame->damage);
	pixman_region32_fini(&frame->reported);
}

static inline enum compat_frame_start compat_output_frame_begin(
	struct wlr_scene_output *scene_output, struct wlr_renderer *renderer,
	struct compat_output_frame *frame)
{
	struct wlr_output *output = scene_output->output;
	bool needs_frame;
	wlr_output_state_init(&frame->state);
	pixman_region32_init(&frame->damage);
	pixman_region32_init(&frame->reported);
	frame->image = NULL;
	if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &frame->damage)) {
		goto error;
	}
	if (!needs_frame) {
		wlr_output_rollback(output);
		compat_output_frame_finish(frame);
		return COMPAT_FRAME_NONE;
	}
	pixman_region32_copy(&frame->reported, &scene_output->damage->current);
	wlr_renderer_begin(renderer, output->width, output->height);
	pixman_image_t *image = wlr_pixman_renderer_get_current_image(renderer);
	wlr_renderer_end(renderer);
	if (image == NULL) {
		wlr_output_rollback(output);
		goto error;
	}
	frame->image = pixman_image_ref(image);
	return COMPAT_FRAME_READY;

error:
	compat_output_frame_finish(frame);
	return COMPAT_FRAME_FAILED;
}

static inline void compat_output_frame_cursors(struct wlr_scene_output *scene_output,
	struct wlr_renderer *renderer, struct compat_output_frame *frame)
{
	struct wlr_output *output = scene_output->output;
	wlr_renderer_begin(renderer, output->width, output->height);
	wlr_output_render_software_cursors(output, &frame->damage);
	wlr_renderer_end(renderer);
}

static inline bool compat_output_frame_commit(
	struct wlr_scene_output *scene_output, struct compat_output_frame *frame)
{
	struct wlr_output *output = scene_output->output;
	struct wlr_output_damage *tracker = scene_output->damage;
	/*
	 * Damage that came while the frame was drawn is not in it, but the
	 * commit files it as drawn in this buffer: add it again after.
	 */
	pixman_region32_t late;
	pixman_region32_init(&late);
	pixman_region32_subtract(&late, &tracker->current, &frame->reported);
	wlr_output_set_damage(output, &frame->reported);
	bool ok = wlr_output_commit(output);
	if (pixman_region32_not_empty(&late)) {
		wlr_output_damage_add(tracker, &late);
	}
	pixman_region32_fini(&late);
	compat_output_frame_finish(frame);
	return ok;
}

static inline void compat_output_frame_abort(
	struct wlr_scene_output *scene_output, struct compat_output_frame *frame)
{
	compat_output_frame_finish(frame);
	wlr_output_rollback(scene_output->output);
}

static inline bool compat_scene_output_needs_frame(struct wlr_scene_output *scene_output)
{
	return scene_output->output->needs_frame ||
		pixman_region32_not_empty(&scene_output->damage->current);
}

static inline void compat_scene_output_damage_whole(struct wlr_scene_output *scene_output)
{
	wlr_output_damage_add_whole(scene_output->damage);
}

static inline bool compat_scene_output_render_into(struct wlr_scene_output *scene_output,
	struct wlr_renderer *renderer, struct wlr_allocator *allocator, struct wlr_buffer *target)
{
	struct wlr_scene *scene = scene_output->scene;
	struct wlr_output *output = scene_output->output;
	/*
	 * A buffer node's texture is made by the scene's commit, before it
	 * draws; a node made since the last frame has none yet, and making it
	 * while drawing is not allowed. Do what the commit does.
	 */
	struct wlr_scene_buffer *node, *tmp;
	wl_list_for_each_safe(node, tmp, &scene->pending_buffers, pending_link)
	{
		if (node->texture == NULL) {
			node->texture = wlr_texture_from_buffer(renderer, node->buffer);
		}
		wl_list_remove(&node->pending_link);
		wl_list_init(&node->pending_link);
	}
	if (!wlr_renderer_begin_with_buffer(renderer, target)) {
		return false;
	}
	static const float black[4] = {0, 0, 0, 1};
	wlr_renderer_clear(renderer, black);
	/*
	 * The scene takes damage in the output's transformed space, as its own
	 * commit passes it; without any, it assumes the buffer's size and
	 * leaves part of a rotated output out.
	 */
	int tw, th;
	wlr_output_transformed_resolution(output, &tw, &th);
	pixman_region32_t all;
	pixman_region32_init_rect(&all, 0, 0, (unsigned)tw, (unsigned)th);
	wlr_scene_render_output(scene, output, scene_output->x, scene_output->y, &all);
	pixman_region32_fini(&all);
	wlr_renderer_end(renderer);
	return true;
}

/* ---- input ---- */

#define wlr_pointer_motion_event wlr_event_pointer_motion
#define wlr_pointer_motion_absolute_event wlr_event_pointer_motion_absolute
#define wlr_pointer_button_event wlr_event_pointer_button
#define wlr_pointer_axis_event wlr_event_pointer_axis
#define wlr_touch_down_event wlr_event_touch_down
#define wlr_touch_up_event wlr_event_touch_up
#define wlr_touch_motion_event wlr_event_touch_motion
#define wlr_touch_cancel_event wlr_event_touch_cancel
#define wlr_keyboard_key_event wlr_event_keyboard_key

#define compat_pointer_event_device(event) ((event)->device)
#define compat_touch_event_device(event) ((event)->device)
#define COMPAT_POINTER_EVENT_FROM(dev) .device = (dev)
#define COMPAT_TOUCH_EVENT_FROM(dev) .device = (dev)

static inline struct wlr_keyboard *wlr_keyboard_from_input_device(struct wlr_input_device *device)
{
	return device->keyboard;
}

static inline struct wlr_pointer *wlr_pointer_from_input_device(struct wlr_input_device *device)
{
	return device->pointer;
}

static inline struct wlr_touch *wlr_touch_from_input_device(struct wlr_input_device *device)
{
	return device->touch;
}

static inline bool compat_button_pressed(const struct wlr_event_pointer_button *event)
{
	return event->state == WLR_BUTTON_PRESSED;
}

static inline enum wlr_button_state compat_button_state(bool pressed)
{
	return pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED;
}

static inline bool compat_axis_vertical(const struct wlr_event_pointer_axis *event)
{
	return event->orientation == WLR_AXIS_ORIENTATION_VERTICAL;
}

static inline enum wlr_axis_orientation compat_axis_orientation_vertical(void)
{
	return WLR_AXIS_ORIENTATION_VERTICAL;
}

/* Wheel steps are counted in whole steps. */
#define COMPAT_AXIS_DISCRETE_STEP 1

static inline enum wlr_axis_source compat_axis_source_wheel(void)
{
	return WLR_AXIS_SOURCE_WHEEL;
}

static inline void wlr_cursor_set_xcursor(
	struct wlr_cursor *cursor, struct wlr_xcursor_manager *manager, const char *name)
{
	wlr_xcursor_manager_set_cursor_image(manager, name, cursor);
}

static inline void compat_seat_pointer_notify_axis(
	struct wlr_seat *seat, const struct wlr_event_pointer_axis *event)
{
	wlr_seat_pointer_notify_axis(seat, event->time_msec, event->orientation, event->delta,
		event->delta_discrete, event->source);
}

static inline void compat_seat_set_keyboard(struct wlr_seat *seat, struct wlr_input_device *device)
{
	wlr_seat_set_keyboard(seat, device);
}

static inline struct wlr_input_device *compat_virtual_keyboard_device(
	struct wlr_virtual_keyboard_v1 *keyboard)
{
	return &keyboard->input_device;
}

/*
 * A virtual keyboard's wlr_keyboard is never freed (its impl's destroy
 * does nothing); without an impl, the device's destroy frees it.
 */
static inline void compat_virtual_keyboard_release(struct wlr_input_device *device)
{
	device->keyboard->impl = NULL;
}

static inline struct wlr_input_device *compat_input_device_create(
	enum wlr_input_device_type type, const char *name)
{
	struct wlr_input_device *device = calloc(1, sizeof(*device));
	if (device == NULL) {
		return NULL;
	}
	/* Without impls, wlr_input_device_destroy frees both halves. */
	wlr_input_device_init(device, type, NULL, name, 0, 0);
	if (type == WLR_INPUT_DEVICE_POINTER) {
		device->pointer = calloc(1, sizeof(*device->pointer));
		if (device->pointer != NULL) {
			wlr_pointer_init(device->pointer, NULL);
			return device;
		}
	} else if (type == WLR_INPUT_DEVICE_KEYBOARD) {
		device->keyboard = calloc(1, sizeof(*device->keyboard));
		if (device->keyboard != NULL) {
			wlr_keyboard_init(device->keyboard, NULL);
			return device;
		}
	} else {
		device->touch = calloc(1, sizeof(*device->touch));
		if (device->touch != NULL) {
			wlr_touch_init(device->touch, NULL);
			return device;
		}
	}
	wlr_input_device_destroy(device);
	return NULL;
}

static inline void compat_input_device_destroy(struct wlr_input_device *device)
{
	wlr_input_device_destroy(device);
}

/* ---- dom0's Wayland clients ---- */

/* wl_subcompositor comes with it. */
static inline bool compat_compositor_create(struct wl_display *display, struct wlr_renderer *renderer)
{
	return wlr_compositor_create(display, renderer) != NULL;
}

#define compat_xdg_shell_create(display) wlr_xdg_shell_create(display)

#define wlr_xdg_toplevel_set_size(toplevel, width, height) \
	(wlr_xdg_toplevel_set_size)((toplevel)->base, width, height)

/* xdg surfaces are told of at their first commit, with their role. */
#define compat_xdg_new_toplevel_signal(shell) (&(shell)->events.new_surface)
#define compat_xdg_new_toplevel(data) \
	(((struct wlr_xdg_surface *)(data))->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL ? \
			((struct wlr_xdg_surface *)(data))->toplevel : \
			NULL)
#define compat_xdg_toplevel_map_signal(toplevel) (&(toplevel)->base->events.map)
#define compat_xdg_toplevel_unmap_signal(toplevel) (&(toplevel)->base->events.unmap)
#define compat_xdg_toplevel_destroy_signal(toplevel) (&(toplevel)->base->events.destroy)
#define compat_xdg_toplevel_commit_signal(toplevel) (&(toplevel)->base->surface->events.commit)
#define compat_xdg_popup_destroy_signal(popup) (&(popup)->base->events.destroy)
#define compat_xdg_popup_initial_commit(popup) ((void)(popup), false)
#define compat_xdg_popup_configured_at_commit() false
#define compat_xdg_decoration_surface(decoration) ((decoration)->surface->surface)
#define compat_xdg_decoration_ready(decoration) ((void)(decoration), true)
/* wlroots answers the first commit with a configure itself. */
#define compat_xdg_toplevel_committed(toplevel) ((void)(toplevel))

#endif

#endif
