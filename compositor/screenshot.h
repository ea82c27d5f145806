#ifndef MOSAIC_COMPOSITOR_SCREENSHOT_H
#define MOSAIC_COMPOSITOR_SCREENSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wlr/util/box.h>

/*
 * Renders what an output shows, from the scene, into memory of our own
 * (independent of the output's buffers and of direct scan-out). Pictures
 * are in the output's own pixels, as the display gets them: a rotated
 * output's picture is turned. Encoding them is encode.c's, off the loop.
 */
struct mosaic_output;
struct mosaic_server;
struct control_guest;

/*
 * XRGB8888 pixels, stride width * 4, of the whole output (box NULL) or of
 * box, in the output's pixels (clipped to them; nothing left is a failure);
 * free() them.
 */
bool screenshot_capture(struct mosaic_output *output, const struct wlr_box *box, uint32_t **pixels,
	int *width, int *height);

/*
 * Where the guest's picture is in the output's pixels: the first view (bottom
 * to top) that shows the guest's connector, on output if it is not NULL (else
 * on any; *output says which). A name that is no guest's may be an app's
 * app_id or layout label: its window's view. On failure, why says why.
 */
bool screenshot_guest_box(struct mosaic_server *server, const struct control_guest *guest,
	struct mosaic_output **output, struct wlr_box *box, char *why, size_t why_size);

#endif
