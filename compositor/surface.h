#ifndef MOSAIC_COMPOSITOR_SURFACE_H
#define MOSAIC_COMPOSITOR_SURFACE_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

/*
 * A guest connector as the compositor knows it: who it is, what it shows,
 * and which output's frames complete its flips. It outlives the guest's
 * connection (the built-in grid keeps its place, with a placeholder). Where
 * it is shown is up to its views (view.h).
 */
struct mosaic_server;
struct vm_connector;
struct wlr_output;
struct input_target;

struct mosaic_surface {
	struct mosaic_server *server;
	uint32_t domid, devid, index;
	char *name;      // the domain's name, printable ASCII (it is the guest's)
	char *unique_id; // the connector's, printable ASCII; "" if none
	char *label;     // "name:dev.conn"
	uint32_t width, height; // the connector's resolution
	int64_t content_ms; // when it last showed something new (connected: CLOCK_MONOTONIC ms)

	struct vm_connector *connector; // NULL while the guest is away
	struct wl_event_source *forget; // frees the place of a guest away too long
	/* The output whose frames present the flips: the first that shows it, NULL if none. */
	struct wlr_output *presenter;

	/* Flip bookkeeping: content waiting for a frame, and content in a commit. */
	uint64_t dirty_seq;
	uint64_t staged_seq;
	uint32_t staged_commit;
	bool staged;

	struct {
		struct wl_signal content; // the guest showed something new: views redraw
	} events;
	struct wl_listener frame;
	struct wl_listener destroy;
	struct wl_list link; // mosaic_server.surfaces
};

/*
 * A guest's connector connected (data: struct vm_connector *): its surface,
 * new or the one of its place, announced by server.events.guest_connected.
 */
void surface_handle_new_connector(struct wl_listener *listener, void *data);
/* Announced first by server.events.surface_destroy. */
void surface_destroy(struct mosaic_surface *surface);
/* Which output presents the surface's flips (NULL: none shows it: a clock of its own). */
void surface_set_presenter(struct mosaic_surface *surface, struct wlr_output *output);
/* The surface's guest as input routing addresses it. */
void surface_input_target(const struct mosaic_surface *surface, struct input_target *target);

/* Output frame: note which content this commit carries; present: it is on screen. */
void surface_stage(struct mosaic_surface *surface, uint32_t commit_seq);
void surface_present(struct mosaic_surface *surface, uint32_t commit_seq);

#endif
