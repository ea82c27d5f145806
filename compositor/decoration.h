#ifndef MOSAIC_COMPOSITOR_DECORATION_H
#define MOSAIC_COMPOSITOR_DECORATION_H

#include <stdbool.h>

/*
 * Window decorations: apps are tiles of the layout, and mosaic draws no
 * title bars or borders around them. Clients are told so (xdg-decoration,
 * and KDE's server-decoration, which GTK 3 reads), so that they draw none
 * either: server side, and nothing drawn.
 */
struct wl_display;
struct mosaic_decorations;

/* NULL if a global cannot be made. */
struct mosaic_decorations *decorations_create(struct wl_display *display);
void decorations_destroy(struct mosaic_decorations *decorations);

#endif
