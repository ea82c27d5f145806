#ifndef MOSAIC_COMPOSITOR_POPUP_H
#define MOSAIC_COMPOSITOR_POPUP_H

#include <wayland-server-core.h>

/*
 * A window's popups (menus, tooltips), and theirs: kept inside the window,
 * configured as wlroots needs, and told upward by the window's owner's
 * signal (an app's content: its views draw them over the window).
 */
struct wlr_xdg_popup;
struct wlr_xdg_surface;

/*
 * A new popup of window (or of one of its popups): changed is emitted with
 * data whenever it commits or goes; it is kept on list.
 */
void popup_create(struct wlr_xdg_popup *popup, struct wlr_xdg_surface *window,
	struct wl_signal *changed, void *data, struct wl_list *list);
/* The popups on list: their window's owner is gone, they tell nobody any more. */
void popup_detach_all(struct wl_list *list);

#endif
