#ifndef MOSAIC_TESTS_BENCH_INPROC_H
#define MOSAIC_TESTS_BENCH_INPROC_H

#include <stdbool.h>
#include <stdint.h>

#include "compositor/server.h"

/*
 * mosaic's compositor in this process, without Xen: headless outputs, the
 * pixman renderer, and guest connectors whose framebuffers are memory of
 * ours. Everything from a connector's new content to the output's commit is
 * mosaic's own code (surfaces, views, the arrangement, the frame handler),
 * set up by server_init_display().
 */
struct vm_connector;
struct vm_buffer;
struct mosaic_output;

#define INPROC_MAX_GUESTS 64

struct inproc_guest {
	struct vm_display *display;
	struct vm_connector *connector;
	struct vm_buffer *buffers[2];
	int front;
};

struct inproc {
	struct mosaic_server server;
	struct inproc_guest guests[INPROC_MAX_GUESTS];
	int nguests;
	bool ready; // server_init_display() succeeded: teardown has something to undo
};

/* outputs headless outputs of width x height; false if it cannot be set up. */
bool inproc_setup(struct inproc *ip, int outputs, int width, int height);
void inproc_teardown(struct inproc *ip);

/* A guest connector with two framebuffers in format (DRM fourcc), shown at once. */
struct inproc_guest *inproc_add_guest(struct inproc *ip, int width, int height,
	uint32_t format);
/* The guest shows its other framebuffer (a page flip). */
void inproc_flip(struct inproc_guest *guest);
/* Every guest leaves, views and surfaces are gone. */
void inproc_remove_guests(struct inproc *ip);

/* One frame through the output's frame handler, drawn and committed; its CPU time in us, -1 if no commit. */
double inproc_frame(struct inproc *ip, struct mosaic_output *output);

/* The process's CPU time, microseconds. */
double inproc_cpu_us(void);

#endif
