/*
 * mosaic-demo-statusbar: the cockpit demo's dom0 app, a status bar. A
 * Wayland client that draws, with cairo, a dark bar with a title on the
 * left and the time on the right, at the size mosaic configures, and
 * draws again each second (mosaic shows it where the demo's layout places
 * app_id org.mosaic.demo.statusbar).
 *
 *   mosaic-demo-statusbar [--title TEXT]
 */
#define _GNU_SOURCE
#include <cairo.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

#define APP_ID "org.mosaic.demo.statusbar"

struct bar {
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_surface *surface;
	int width, height; // as configured; 0: our choice
	bool configured, closed;
	const char *title;
};

static void buffer_handle_release(void *data, struct wl_buffer *buffer)
{
	wl_buffer_destroy(buffer);
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_handle_release};

static void draw(struct bar *bar)
{
	int w = bar->width > 0 ? bar->width : 1280, h = bar->height > 0 ? bar->height : 48;
	int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
	size_t size = (size_t)stride * (size_t)h;
	int fd = memfd_create("mosaic-demo-statusbar", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		fprintf(stderr, "statusbar: cannot allocate %dx%d\n", w, h);
		exit(1);
	}
	unsigned char *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pixels == MAP_FAILED) {
		fprintf(stderr, "statusbar: cannot map %dx%d\n", w, h);
		exit(1);
	}
	cairo_surface_t *cs = cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_RGB24, w, h, stride);
	cairo_t *cr = cairo_create(cs);
	cairo_set_source_rgb(cr, 0.09, 0.10, 0.13);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0.18, 0.50, 0.93);
	cairo_rectangle(cr, 0, h - 3, w, 3);
	cairo_fill(cr);
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, h * 0.42);
	cairo_set_source_rgb(cr, 0.92, 0.93, 0.95);
	cairo_font_extents_t fe;
	cairo_font_extents(cr, &fe);
	double baseline = (h - 3 + fe.ascent - fe.descent) / 2;
	cairo_move_to(cr, h * 0.4, baseline);
	cairo_show_text(cr, bar->title);
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	cairo_text_extents_t te;
	cairo_text_extents(cr, clock, &te);
	cairo_move_to(cr, w - te.x_advance - h * 0.4, baseline);
	cairo_show_text(cr, clock);
	cairo_destroy(cr);
	cairo_surface_destroy(cs);
	munmap(pixels, size);

	struct wl_shm_pool *pool = wl_shm_create_pool(bar->shm, fd, (int32_t)size);
	struct wl_buffer *buffer =
		wl_shm_pool_create_buffer(pool, 0, w, h, stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(buffer, &buffer_listener, bar);
	wl_surface_attach(bar->surface, buffer, 0, 0);
	wl_surface_damage_buffer(bar->surface, 0, 0, w, h);
	wl_surface_commit(bar->surface);
}

static void xdg_surface_handle_configure(void *data, struct xdg_surface *surface, uint32_t serial)
{
	struct bar *bar = data;
	xdg_surface_ack_configure(surface, serial);
	bar->configured = true;
	draw(bar);
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_handle_configure,
};

static void toplevel_handle_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
	int32_t height, struct wl_array *states)
{
	struct bar *bar = data;
	bar->width = width;
	bar->height = height;
}

static void toplevel_handle_close(void *data, struct xdg_toplevel *toplevel)
{
	struct bar *bar = data;
	bar->closed = true;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_handle_configure,
	.close = toplevel_handle_close,
};

static void wm_base_handle_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_handle_ping};

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version)
{
	struct bar *bar = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		bar->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		bar->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		bar->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(bar->wm_base, &wm_base_listener, bar);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	stop = 1;
}

int main(int argc, char *argv[])
{
	struct bar bar = {.title = "mosaic cockpit demo"};
	if (argc == 3 && strcmp(argv[1], "--title") == 0) {
		bar.title = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: mosaic-demo-statusbar [--title TEXT]\n");
		return 2;
	}
	signal(SIGTERM, handle_signal);
	signal(SIGINT, handle_signal);
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		fprintf(stderr, "statusbar: cannot connect to the Wayland display\n");
		return 1;
	}
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, &bar);
	wl_display_roundtrip(display);
	if (bar.compositor == NULL || bar.shm == NULL || bar.wm_base == NULL) {
		fprintf(stderr, "statusbar: the compositor lacks wl_compositor, wl_shm or xdg_wm_base\n");
		return 1;
	}
	bar.surface = wl_compositor_create_surface(bar.compositor);
	struct xdg_surface *xdg_surface = xdg_wm_base_get_xdg_surface(bar.wm_base, bar.surface);
	xdg_surface_add_listener(xdg_surface, &xdg_surface_listener, &bar);
	struct xdg_toplevel *toplevel = xdg_surface_get_toplevel(xdg_surface);
	xdg_toplevel_add_listener(toplevel, &toplevel_listener, &bar);
	xdg_toplevel_set_app_id(toplevel, APP_ID);
	xdg_toplevel_set_title(toplevel, "Status bar");
	wl_surface_commit(bar.surface);

	/* The clock changes once a second: so does the picture. */
	struct pollfd pfd = {.fd = wl_display_get_fd(display), .events = POLLIN};
	time_t shown = 0;
	while (!stop && !bar.closed) {
		wl_display_flush(display);
		int n = poll(&pfd, 1, 200);
		if (n > 0 && wl_display_dispatch(display) < 0) {
			break;
		}
		if (n < 0 && errno != EINTR) {
			break;
		}
		wl_display_dispatch_pending(display);
		if (bar.configured && time(NULL) != shown) {
			shown = time(NULL);
			draw(&bar);
		}
	}
	wl_display_disconnect(display);
	return 0;
}
