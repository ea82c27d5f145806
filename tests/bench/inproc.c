#include <drm_fourcc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_output.h>

#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/server_setup.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "inproc.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"

double inproc_cpu_us(void)
{
	struct timespec ts;
	/* The process's: composition may run on a thread of its own. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

bool inproc_setup(struct inproc *ip, int outputs, int width, int height)
{
	memset(ip, 0, sizeof(*ip));
	/* mosaic's own composition is what is measured: it draws with pixman. */
	setenv("WLR_RENDERER", "pixman", 1);
	struct mosaic_config config = {
		.headless = true,
		.output_width = width,
		.output_height = height,
		.headless_outputs = outputs,
	};
	struct mosaic_server *server = &ip->server;
	if (!server_init_display(server, &config)) {
		return false;
	}
	ip->ready = true;
	return wlr_backend_start(server->backend) && wl_list_length(&server->outputs) == outputs;
}

/* A guest's frame: stripes and a gradient, different in the two buffers. */
static void fill(struct vm_buffer *buffer, int which)
{
	int bpp = buffer->format == DRM_FORMAT_RGB565 ? 2 : 4;
	for (int y = 0; y < buffer->base.height; y++) {
		uint8_t *row = (uint8_t *)buffer->data + (size_t)y * buffer->stride;
		for (int x = 0; x < buffer->base.width; x++) {
			uint32_t v = ((x / 16 + y / 16 + which) & 1) ?
				0xff2080c0u :
				0xff000000u | (uint32_t)(x * 255 / buffer->base.width) << 16 |
					(uint32_t)(y * 255 / buffer->base.height) << 8 | 0x20u;
			if (bpp == 2) {
				uint16_t p = (uint16_t)(((v >> 8) & 0xf800) | ((v >> 5) & 0x07e0) |
					((v >> 3) & 0x001f));
				memcpy(row + x * 2, &p, 2);
			} else {
				memcpy(row + x * 4, &v, 4);
			}
		}
	}
}

struct inproc_guest *inproc_add_guest(struct inproc *ip, int width, int height,
	uint32_t format)
{
	if (ip->nguests == INPROC_MAX_GUESTS) {
		return NULL;
	}
	struct inproc_guest *g = &ip->guests[ip->nguests];
	g->display = calloc(1, sizeof(*g->display));
	g->connector = calloc(1, sizeof(*g->connector));
	if (g->display == NULL || g->connector == NULL) {
		goto error;
	}
	g->display->domid = (uint32_t)(ip->nguests + 1);
	g->display->name = "guest";
	wl_list_init(&g->display->connectors);
	struct vm_connector *c = g->connector;
	c->display = g->display;
	c->width = (uint32_t)width;
	c->height = (uint32_t)height;
	wl_signal_init(&c->events.frame);
	wl_signal_init(&c->events.destroy);
	for (int i = 0; i < 2; i++) {
		/* 2 bytes a pixel fit in memory of 4. */
		g->buffers[i] = vm_buffer_create_memory(width, height, format);
		if (g->buffers[i] == NULL) {
			goto error;
		}
		if (format == DRM_FORMAT_RGB565) {
			g->buffers[i]->stride = (size_t)width * 2;
		}
		fill(g->buffers[i], i);
	}
	ip->nguests++;
	surface_handle_new_connector(&ip->server.new_connector, c);
	struct wlr_box src = {0, 0, width, height};
	vm_connector_show(c, &g->buffers[0]->base, &src, 0, false);
	return g;

error:
	for (int i = 0; i < 2; i++) {
		if (g->buffers[i] != NULL) {
			wlr_buffer_drop(&g->buffers[i]->base);
		}
	}
	free(g->connector);
	free(g->display);
	memset(g, 0, sizeof(*g));
	return NULL;
}

void inproc_flip(struct inproc_guest *g)
{
	g->front ^= 1;
	struct wlr_box src = g->connector->src;
	vm_connector_show(g->connector, &g->buffers[g->front]->base, &src, 0, false);
}

void inproc_remove_guests(struct inproc *ip)
{
	for (int i = 0; i < ip->nguests; i++) {
		struct inproc_guest *g = &ip->guests[i];
		wl_signal_emit(&g->connector->events.destroy, g->connector);
		if (g->connector->buffer != NULL) {
			wlr_buffer_unlock(g->connector->buffer);
		}
		free(g->connector);
		free(g->display);
		for (int j = 0; j < 2; j++) {
			wlr_buffer_drop(&g->buffers[j]->base);
		}
		memset(g, 0, sizeof(*g));
	}
	ip->nguests = 0;
	struct mosaic_view *view, *vtmp;
	wl_list_for_each_safe(view, vtmp, &ip->server.views, link) {
		view_destroy(view);
	}
	struct mosaic_surface *surface, *tmp;
	wl_list_for_each_safe(surface, tmp, &ip->server.surfaces, link) {
		surface_destroy(surface);
	}
}

void inproc_teardown(struct inproc *ip)
{
	if (!ip->ready) {
		return;
	}
	inproc_remove_guests(ip);
	server_finish(&ip->server);
}

double inproc_frame(struct inproc *ip, struct mosaic_output *output)
{
	struct wlr_output *wlr_output = output->wlr_output;
	uint32_t seq = wlr_output->commit_seq;
	/* Headless outputs' frames come from a 60 Hz clock: don't wait for it. */
	double t0 = inproc_cpu_us();
	output_render_frame(output);
	render_output_wait(output->render);
	double t = inproc_cpu_us() - t0;
	/* Present events and timers: not part of the frame. */
	wl_event_loop_dispatch(ip->server.loop, 0);
	return wlr_output->commit_seq == seq ? -1 : t;
}
