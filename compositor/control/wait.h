#ifndef MOSAIC_COMPOSITOR_WAIT_H
#define MOSAIC_COMPOSITOR_WAIT_H

#include <stdint.h>

/*
 * Control requests answered later, so that tests never sleep: until a
 * guest's connector has presented a given page flip (wait-flip), or until an
 * output presents a frame later than a given one (wait-frame). Woken by the
 * presentation itself, bounded by a timer.
 */
struct mosaic_server;
struct mosaic_output;
struct control_guest;
struct mosaic_wait;

/* reply: the whole reply, data lines and status line. The wait is gone when it is called. */
typedef void (*wait_done_func)(void *data, const char *reply);

/* flip: counted from 1 since the guest connected; it may connect later. */
struct mosaic_wait *wait_flip_create(struct mosaic_server *server,
	const struct control_guest *guest, uint64_t flip, int timeout_ms, wait_done_func done,
	void *data);
struct mosaic_wait *wait_frame_create(struct mosaic_server *server, struct mosaic_output *output,
	uint32_t after, int timeout_ms, wait_done_func done, void *data);
/* Gives up waiting; done is not called. NULL is fine. */
void wait_destroy(struct mosaic_wait *wait);

#endif
