#ifndef MOSAIC_COMPOSITOR_STALE_H
#define MOSAIC_COMPOSITOR_STALE_H

#include <stdbool.h>
#include <stdint.h>
#include <wlr/util/box.h>

/*
 * The stale marker of a live view (stale-after in the layout file): when
 * its guest has presented nothing new for that long, a dark veil, a red
 * frame and the word FROZEN over the view, drawn by mosaic above every
 * guest's content, so that a frozen cluster cannot pass for a live one.
 * It goes with the guest's next frame.
 */
struct mosaic_server;
struct stale_watch;

/*
 * Watches area (layout coordinates) whose guest last showed something new
 * at last_content_ms (CLOCK_MONOTONIC): marked at once if that is over
 * stale_after_ms ago. NULL when out of memory.
 */
struct stale_watch *stale_watch_create(struct mosaic_server *server, const struct wlr_box *area,
	int32_t stale_after_ms, int64_t last_content_ms);
void stale_watch_destroy(struct stale_watch *watch);
/* The guest showed something new: the marker goes, the clock starts again. */
void stale_watch_content(struct stale_watch *watch);
bool stale_watch_marked(const struct stale_watch *watch);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t stale_now_ms(void);

#endif
