#ifndef MOSAIC_COMPOSITOR_SCREENSHOT_H
#define MOSAIC_COMPOSITOR_SCREENSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Renders what an output shows, from the scene, into memory of our own
 * (independent of the output's buffers and of direct scan-out).
 */
struct mosaic_output;

/* XRGB8888 pixels, stride width * 4; free() them. */
bool screenshot_capture(struct mosaic_output *output, uint32_t **pixels, int *width,
	int *height);
bool screenshot_png(struct mosaic_output *output, uint8_t **png, size_t *len);

#endif
