#ifndef MOSAIC_COMPOSITOR_SCREENCOPY_H
#define MOSAIC_COMPOSITOR_SCREENCOPY_H

#include <stdbool.h>

/*
 * Screen capture by dom0's Wayland clients (wlr-screencopy, as grim uses
 * it). Guests' screens are private: mosaic offers it only when told to
 * (--allow-screencopy, or allow-screencopy = true in the layout file, at
 * start); otherwise no protocol on its Wayland socket gives out a pixel. The control socket's screenshots are its owner's alone.
 */
struct mosaic_server;

/* The globals capture needs: wl_shm for the client's buffers, xdg-output, screencopy. */
bool screencopy_enable(struct mosaic_server *server);

#endif
