#include <stdlib.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/log.h>

#include "compositor/popup.h"
#include "compositor/wlr_compat.h"

struct popup {
	struct wlr_xdg_popup *popup;
	/* NULL once the window's owner is gone. */
	struct wlr_xdg_surface *window;
	struct wl_signal *changed;
	void *data;
	struct wl_list *list;
	struct wl_list link; // list
	struct wl_listener commit;
	struct wl_listener new_popup;
	struct wl_listener destroy;
};

/* A popup stays inside the window: a tile of the layout has nothing around it. */
static void popup_window_box(struct popup *p, struct wlr_box *box)
{
	wlr_xdg_surface_get_geometry(p->window, box);
}

static void popup_changed(struct popup *p)
{
	if (p->changed != NULL) {
		wl_signal_emit(p->changed, p->data);
	}
}

static void popup_handle_commit(struct wl_listener *listener, void *data)
{
	struct popup *p = wl_container_of(listener, p, commit);
	if (p->window != NULL && compat_xdg_popup_initial_commit(p->popup)) {
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
	if (p->window != NULL) {
		popup_create(data, p->window, p->changed, p->data, p->list);
	}
}

static void popup_handle_destroy(struct wl_listener *listener, void *data)
{
	struct popup *p = wl_container_of(listener, p, destroy);
	wl_list_remove(&p->commit.link);
	wl_list_remove(&p->new_popup.link);
	wl_list_remove(&p->destroy.link);
	wl_list_remove(&p->link);
	struct wl_signal *changed = p->changed;
	void *owner = p->data;
	free(p);
	if (changed != NULL) {
		wl_signal_emit(changed, owner);
	}
}

void popup_create(struct wlr_xdg_popup *popup, struct wlr_xdg_surface *window,
	struct wl_signal *changed, void *data, struct wl_list *list)
{
	struct popup *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		wl_resource_post_no_memory(popup->resource);
		return;
	}
	p->popup = popup;
	p->window = window;
	p->changed = changed;
	p->data = data;
	p->list = list;
	p->commit.notify = popup_handle_commit;
	wl_signal_add(&popup->base->surface->events.commit, &p->commit);
	p->new_popup.notify = popup_handle_new_popup;
	wl_signal_add(&popup->base->events.new_popup, &p->new_popup);
	p->destroy.notify = popup_handle_destroy;
	wl_signal_add(compat_xdg_popup_destroy_signal(popup), &p->destroy);
	wl_list_insert(list->prev, &p->link);
	if (!compat_xdg_popup_configured_at_commit()) {
		struct wlr_box box;
		popup_window_box(p, &box);
		wlr_xdg_popup_unconstrain_from_box(popup, &box);
	}
}

void popup_detach_all(struct wl_list *list)
{
	struct popup *p, *tmp;
	wl_list_for_each_safe(p, tmp, list, link) {
		p->window = NULL;
		p->changed = NULL;
		p->data = NULL;
		wl_list_remove(&p->link);
		wl_list_init(&p->link);
	}
}
