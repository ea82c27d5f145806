/*
 * Composition cost per output frame, in process: mosaic's own compositor
 * code (outputs, surfaces, views, the built-in grid, the frame handler that
 * composes and commits) on a headless 1920x1080 output with the pixman
 * renderer, fed by guest connectors whose buffers are plain memory. Next to
 * each figure, the floor: the same source images composed into an image of
 * the output's size with bare pixman calls (the uncovered background filled,
 * each guest's picture composited once, at the same place and scale).
 *
 * Frames are driven by calling the output's frame handler, so a frame's cost
 * is the process's CPU time for it and the composition thread: staging
 * flips, damage, drawing, the commit. Flips (a guest's request, which
 * re-creates its scene node) happen before it and are timed apart.
 *
 * The process keeps to the CPU it started on (--no-pin: not), so that
 * mosaic's frame and the floor find the pictures in the same core's caches:
 * unpinned, the composition thread sometimes runs on the other core of a
 * 2-core VM and one guest's frame measured 1.56 times the floor in about a
 * third of the runs (1.02-1.11 otherwise, and always when pinned).
 */
#define _GNU_SOURCE
#include <drm_fourcc.h>
#include <getopt.h>
#include <math.h>
#include <pixman.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/render/allocator.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/output.h"
#include "compositor/server.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "inproc.h"
#include "vm-surfaces/connector.h"

#define OUTPUT_W 1920
#define OUTPUT_H 1080

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The floor: the same pictures into an image of the output's size with bare
 * pixman calls. Only the given guests' views are drawn (all for a full
 * frame); with background, what no view covers is filled too.
 */
static double floor_frame(struct inproc *ip, pixman_image_t *dest, struct inproc_guest *only,
	bool background)
{
	double t0 = inproc_cpu_us();
	pixman_region32_t uncovered;
	pixman_region32_init_rect(&uncovered, 0, 0, OUTPUT_W, OUTPUT_H);
	struct mosaic_view *view;
	wl_list_for_each(view, &ip->server.views, link) {
		if (view->content == NULL ||
			(only != NULL && view->params.surface->connector != only->connector)) {
			continue;
		}
		struct wlr_buffer *buffer = view->content->buffer;
		void *data;
		uint32_t format;
		size_t stride;
		if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
			    &format, &stride)) {
			continue;
		}
		pixman_image_t *src = pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8,
			buffer->width, buffer->height, data, (int)stride);
		struct wlr_box box = view->box;
		struct wlr_fbox s = view->content->src_box;
		if (s.width != box.width || s.height != box.height) {
			pixman_transform_t t;
			pixman_transform_init_scale(&t, pixman_double_to_fixed(s.width / box.width),
				pixman_double_to_fixed(s.height / box.height));
			pixman_image_set_transform(src, &t);
		}
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dest, 0, 0, 0, 0, box.x, box.y,
			box.width, box.height);
		pixman_image_unref(src);
		wlr_buffer_end_data_ptr_access(buffer);
		pixman_region32_t r;
		pixman_region32_init_rect(&r, box.x, box.y, (unsigned)box.width, (unsigned)box.height);
		pixman_region32_subtract(&uncovered, &uncovered, &r);
		pixman_region32_fini(&r);
	}
	if (background) {
		int n;
		pixman_box32_t *boxes = pixman_region32_rectangles(&uncovered, &n);
		pixman_color_t colour = {0x1414, 0x1414, 0x1919, 0xffff};
		pixman_image_fill_boxes(PIXMAN_OP_SRC, dest, &colour, n, boxes);
	}
	pixman_region32_fini(&uncovered);
	return inproc_cpu_us() - t0;
}

struct result {
	double flip_us;  // handling the flips before a frame (scene updates)
	double frame_us; // the frame handler
	double floor_us;
};

static bool run_case(struct inproc *ip, int n, int gw, int gh, bool small, bool wlroots,
	int frames, struct result *out)
{
	ip->server.wlroots_render = wlroots;
	struct mosaic_output *output = output_find(&ip->server, NULL);
	for (int i = 0; i < n; i++) {
		if (inproc_add_guest(ip, gw, gh, DRM_FORMAT_XRGB8888) == NULL) {
			return false;
		}
	}
	/* One more guest, 64x64, shown 1:1: the only thing that changes. */
	struct inproc_guest *updater =
		small ? inproc_add_guest(ip, 64, 64, DRM_FORMAT_XRGB8888) : NULL;
	if (small && updater == NULL) {
		return false;
	}
	pixman_image_t *dest = pixman_image_create_bits(PIXMAN_x8r8g8b8, OUTPUT_W, OUTPUT_H, NULL, 0);
	double *flips = calloc((size_t)frames, sizeof(double));
	double *times = calloc((size_t)frames, sizeof(double));
	double *floors = calloc((size_t)frames, sizeof(double));
	bool ok = dest != NULL && flips != NULL && times != NULL && floors != NULL;
	/* The first frames draw everything, whatever the case: not counted. */
	for (int i = -5; ok && i < frames; i++) {
		double t0 = inproc_cpu_us();
		if (small) {
			inproc_flip(updater);
		} else {
			for (int g = 0; g < ip->nguests; g++) {
				inproc_flip(&ip->guests[g]);
			}
		}
		double f = inproc_cpu_us() - t0;
		double t = inproc_frame(ip, output);
		ok = t >= 0;
		double fl = floor_frame(ip, dest, updater, !small);
		if (i >= 0) {
			flips[i] = f;
			times[i] = t;
			floors[i] = fl;
		}
	}
	if (ok) {
		out->flip_us = median(flips, frames);
		out->frame_us = median(times, frames);
		out->floor_us = median(floors, frames);
	}
	free(flips);
	free(times);
	free(floors);
	if (dest != NULL) {
		pixman_image_unref(dest);
	}
	inproc_remove_guests(ip);
	/* Back to an empty output before the next case. */
	for (int i = 0; i < 3; i++) {
		inproc_frame(ip, output);
	}
	return ok;
}

static const char usage[] =
	"Usage: bench-compose [--frames N] [--guests 1,4,8,16] [--size WxH] [--update full|small|both]\n"
	"                     [--no-pin]\n"
	"Composition cost per output frame (1920x1080, pixman) against the raw pixman floor.\n"
	"Runs on one CPU unless --no-pin.\n";

/* Keeps the process (and the threads it starts) on the CPU it runs on. */
static int pin_to_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;
	CPU_ZERO(&set);
	if (cpu >= 0) {
		CPU_SET(cpu, &set);
	}
	return cpu >= 0 && sched_setaffinity(0, sizeof(set), &set) == 0 ? cpu : -1;
}

int main(int argc, char *argv[])
{
	int frames = 200;
	const char *counts = "1,4,8,16";
	int gw = 1920, gh = 1080;
	int updates = 3; // bit 0: full damage, bit 1: a 64x64 guest
	bool pin = true;
	static const struct option options[] = {
		{"frames", required_argument, NULL, 'f'},
		{"guests", required_argument, NULL, 'g'},
		{"size", required_argument, NULL, 's'},
		{"update", required_argument, NULL, 'u'},
		{"no-pin", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "f:g:s:u:h", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			frames = atoi(optarg);
			break;
		case 'g':
			counts = optarg;
			break;
		case 's':
			if (sscanf(optarg, "%dx%d", &gw, &gh) != 2 || gw <= 0 || gh <= 0) {
				fputs(usage, stderr);
				return 2;
			}
			break;
		case 'u':
			if (strcmp(optarg, "full") == 0) {
				updates = 1;
			} else if (strcmp(optarg, "small") == 0) {
				updates = 2;
			} else if (strcmp(optarg, "both") == 0) {
				updates = 3;
			} else {
				fputs(usage, stderr);
				return 2;
			}
			break;
		case 'P':
			pin = false;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (frames < 1) {
		fputs(usage, stderr);
		return 2;
	}
	wlr_log_init(getenv("BENCH_DEBUG") ? WLR_DEBUG : WLR_ERROR, NULL);
	/* Before the composition thread starts: it inherits the mask. */
	int cpu = pin ? pin_to_cpu() : -1;
	if (pin && cpu < 0) {
		fprintf(stderr, "bench-compose: cannot keep to one CPU; running unpinned\n");
	}
	struct inproc *ip = calloc(1, sizeof(*ip));
	if (ip == NULL || !inproc_setup(ip, 1, OUTPUT_W, OUTPUT_H)) {
		fprintf(stderr, "bench-compose: cannot set up a headless pixman server\n");
		return 1;
	}
	printf("# composition per output frame: %dx%d output, guests %dx%d XRGB8888 in mosaic's "
	       "grid, median of %d frames, CPU time, %s\n",
		OUTPUT_W, OUTPUT_H, gw, gh, frames, cpu >= 0 ? "on one CPU" : "unpinned");
	printf("%-7s %-12s %8s %10s %7s %10s %7s %10s\n", "guests", "update", "flip_us",
		"wlroots_us", "ratio", "mosaic_us", "ratio", "floor_us");
	int status = 0;
	char list[128];
	snprintf(list, sizeof(list), "%s", counts);
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok != NULL;
		tok = strtok_r(NULL, ",", &save)) {
		int n = atoi(tok);
		if (n < 1 || n >= INPROC_MAX_GUESTS) {
			fprintf(stderr, "bench-compose: %d guests: 1 to %d\n", n, INPROC_MAX_GUESTS - 1);
			status = 2;
			break;
		}
		for (int small = 0; small <= 1; small++) {
			if (!(updates & (1 << small))) {
				continue;
			}
			struct result w, m;
			if (!run_case(ip, n, gw, gh, small, true, frames, &w) ||
				!run_case(ip, n, gw, gh, small, false, frames, &m)) {
				fprintf(stderr, "bench-compose: %d guests: a frame was not committed\n", n);
				status = 1;
				continue;
			}
			/* Both runs measured the floor: the lower is the floor. */
			double floor_us = w.floor_us < m.floor_us ? w.floor_us : m.floor_us;
			printf("%-7d %-12s %8.1f %10.1f %7.2f %10.1f %7.2f %10.1f\n", n,
				small ? "64x64 guest" : "full", m.flip_us, w.frame_us,
				w.frame_us / floor_us, m.frame_us, m.frame_us / floor_us, floor_us);
			fflush(stdout);
		}
	}
	inproc_teardown(ip);
	free(ip);
	return status;
}
