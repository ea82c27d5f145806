#ifndef MOSAIC_COMPOSITOR_POPUP_H
#define MOSAIC_COMPOSITOR_POPUP_H

/*
 * An app's popups (menus, tooltips), and theirs: kept inside the window's
 * size, configured as wlroots needs, and told upward as the app's content
 * (its views draw them over the window).
 */
struct mosaic_app;
struct wlr_xdg_popup;

/* A new popup of app's window (or of one of its popups). */
void popup_create(struct mosaic_app *app, struct wlr_xdg_popup *popup);
/* The app goes before its popups: they no longer tell it anything. */
void popup_detach_all(struct mosaic_app *app);

#endif
