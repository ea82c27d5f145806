#include <stdlib.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/apps.h"
#include "compositor/popup.h"
#include "compositor/wlr_compat.h"

struct popup {
	struct mosaic_app *app; // NULL once the app is gone
	struct wlr_xdg_popup *popup;
	struct wl_list link; // mosaic_app.popups
	struct wl_listener commit;
	struct wl_listener new_popup;
	struct wl_listener destroy;
};

/* A popup stays inside the window: a tile of the layout has nothing around it. */
static void popup_window_box(struct popup *p, struct wlr_box *box)
{
	struct wlr_box geometry;
	wlr_xdg_surface_get_geometry(p->app->toplevel->base, &geometry);
	*box = geometry;
}

static void popup_changed(struct popup *p)
{
	if (p->app != NULL) {
		wl_signal_emit(&p->app->events.content, p->app);
	}
}

static void popup_handle_commit(struct wl_listener *listener, void *data)
{
	struct popup *p = wl_container_of(listener, p, commit);
	if (p->app != NULL && compat_xdg_popup_initial_commit(p->popup)) {
		struct wlr_box box;
		popup_window_box(p, &box);
		/* Places it, and answers its first commit with a configure. */
		wlr_xdg_popup_unconstrain_from_box(p->popup, &box);
	}
	popup_changed(p);
}

static void popup_handle_new_popup(struct wl_listener *listener, void *data)
{
	struct popup *p = wl_container_of(listener, p, new_popup);
	if (p->app != NULL) {
		popup_create(p->app, data);
	}
}

static void popup_handle_destroy(struct wl_listener *listener, void *data)
{
	struct popup *p = wl_container_of(listener, p, destroy);
	wl_list_remove(&p->commit.link);
	wl_list_remove(&p->new_popup.link);
	wl_list_remove(&p->destroy.link);
	wl_list_remove(&p->link);
	struct mosaic_app *app = p->app;
	free(p);
	if (app != NULL) {
		wl_signal_emit(&app->events.content, app);
	}
}

void popup_create(struct mosaic_app *app, struct wlr_xdg_popup *popup)
{
	struct popup *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		wl_resource_post_no_memory(popup->resource);
		return;
	}
	p->app = app;
	p->popup = popup;
	p->commit.notify = popup_handle_commit;
	wl_signal_add(&popup->base->surface->events.commit, &p->commit);
	p->new_popup.notify = popup_handle_new_popup;
	wl_signal_add(&popup->base->events.new_popup, &p->new_popup);
	p->destroy.notify = popup_handle_destroy;
	wl_signal_add(compat_xdg_popup_destroy_signal(popup), &p->destroy);
	wl_list_insert(app->popups.prev, &p->link);
	if (!compat_xdg_popup_configured_at_commit()) {
		struct wlr_box box;
		popup_window_box(p, &box);
		wlr_xdg_popup_unconstrain_from_box(popup, &box);
	}
}

void popup_detach_all(struct mosaic_app *app)
{
	struct popup *p, *tmp;
	wl_list_for_each_safe(p, tmp, &app->popups, link) {
		p->app = NULL;
		wl_list_remove(&p->link);
		wl_list_init(&p->link);
	}
}
