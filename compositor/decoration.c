#include <stdlib.h>
#include <wlr/types/wlr_server_decoration.h>
#include <wlr/types/wlr_xdg_decoration_v1.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/decoration.h"
#include "compositor/wlr_compat.h"

struct mosaic_decorations {
	struct wlr_xdg_decoration_manager_v1 *xdg;
	struct wlr_server_decoration_manager *kde;
	struct wl_list list; // decoration.link
	struct wl_listener new_decoration;
};

/* One toplevel's xdg-decoration: answered "server side" whatever it asks. */
struct decoration {
	struct wlr_xdg_toplevel_decoration_v1 *decoration;
	bool answered;
	struct wl_list link;
	struct wl_listener request_mode;
	struct wl_listener commit; // until the toplevel's first commit, when it may be answered
	struct wl_listener destroy;
};

static void decoration_answer(struct decoration *d)
{
	/* A configure may not precede the toplevel's first commit. */
	if (!compat_xdg_decoration_ready(d->decoration)) {
		return;
	}
	wlr_xdg_toplevel_decoration_v1_set_mode(
		d->decoration, WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
	d->answered = true;
}

static void decoration_handle_request_mode(struct wl_listener *listener, void *data)
{
	struct decoration *d = wl_container_of(listener, d, request_mode);
	decoration_answer(d);
}

static void decoration_handle_commit(struct wl_listener *listener, void *data)
{
	struct decoration *d = wl_container_of(listener, d, commit);
	if (!d->answered) {
		decoration_answer(d);
	}
	if (d->answered) {
		wl_list_remove(&d->commit.link);
		wl_list_init(&d->commit.link);
	}
}

static void decoration_free(struct decoration *d)
{
	wl_list_remove(&d->request_mode.link);
	wl_list_remove(&d->commit.link);
	wl_list_remove(&d->destroy.link);
	wl_list_remove(&d->link);
	free(d);
}

static void decoration_handle_destroy(struct wl_listener *listener, void *data)
{
	struct decoration *d = wl_container_of(listener, d, destroy);
	decoration_free(d);
}

static void decorations_handle_new(struct wl_listener *listener, void *data)
{
	struct mosaic_decorations *decorations =
		wl_container_of(listener, decorations, new_decoration);
	struct wlr_xdg_toplevel_decoration_v1 *decoration = data;
	struct decoration *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		wl_resource_post_no_memory(decoration->resource);
		return;
	}
	d->decoration = decoration;
	d->request_mode.notify = decoration_handle_request_mode;
	wl_signal_add(&decoration->events.request_mode, &d->request_mode);
	d->commit.notify = decoration_handle_commit;
	wl_signal_add(&compat_xdg_decoration_surface(decoration)->events.commit, &d->commit);
	d->destroy.notify = decoration_handle_destroy;
	wl_signal_add(&decoration->events.destroy, &d->destroy);
	wl_list_insert(&decorations->list, &d->link);
	decoration_answer(d);
}

struct mosaic_decorations *decorations_create(struct wl_display *display)
{
	struct mosaic_decorations *decorations = calloc(1, sizeof(*decorations));
	if (decorations == NULL) {
		return NULL;
	}
	wl_list_init(&decorations->list);
	decorations->xdg = wlr_xdg_decoration_manager_v1_create(display);
	decorations->kde = wlr_server_decoration_manager_create(display);
	if (decorations->xdg == NULL || decorations->kde == NULL) {
		wlr_log(WLR_ERROR, "Cannot offer the decoration globals");
		free(decorations);
		return NULL;
	}
	wlr_server_decoration_manager_set_default_mode(
		decorations->kde, WLR_SERVER_DECORATION_MANAGER_MODE_SERVER);
	decorations->new_decoration.notify = decorations_handle_new;
	wl_signal_add(&decorations->xdg->events.new_toplevel_decoration,
		&decorations->new_decoration);
	return decorations;
}

void decorations_destroy(struct mosaic_decorations *decorations)
{
	if (decorations == NULL) {
		return;
	}
	struct decoration *d, *tmp;
	wl_list_for_each_safe(d, tmp, &decorations->list, link) {
		decoration_free(d);
	}
	wl_list_remove(&decorations->new_decoration.link);
	free(decorations);
}
