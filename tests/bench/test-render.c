/*
 * mosaic's own pixman composition draws what wlroots' scene renderer draws.
 * Scenes made by mosaic's code (the grid, views with every fit, crops,
 * rotations and flips, stacking, placeholders with labels, output scales,
 * two outputs, 32- and 16-bit guests) are drawn both ways and compared
 * pixel by pixel; then frames committed with damage (some guests flipping,
 * others still, buffers of the swapchain reused) are compared with a whole
 * redraw after every frame.
 */
#include <drm_fourcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wlr_compat.h"
#include "inproc.h"
#include "vm-surfaces/buffer.h"
#include "vm-surfaces/connector.h"

static int failures;

/* What wlroots draws for the output: as a screenshot is taken. */
static uint32_t *render_wlroots(struct mosaic_output *output, int *w, int *h)
{
	struct mosaic_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	*w = wlr_output->width;
	*h = wlr_output->height;
	struct vm_buffer *buffer = vm_buffer_create_memory(*w, *h, DRM_FORMAT_XRGB8888);
	if (buffer == NULL) {
		return NULL;
	}
	if (!compat_scene_output_render_into(
		    output->scene_output, server->renderer, server->allocator, &buffer->base)) {
		wlr_buffer_drop(&buffer->base);
		return NULL;
	}
	uint32_t *pixels = buffer->data;
	buffer->data = NULL;
	wlr_buffer_drop(&buffer->base);
	return pixels;
}

/*
 * Counts the pixels whose colour differs; describes the first. With a
 * tolerance, up to that many pixels in a thousand may differ.
 */
static long compare(const char *what, const uint32_t *want, const uint32_t *got, int w, int h,
	size_t got_stride, int tolerance)
{
	long bad = 0;
	uint64_t sum = 0;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t a = want[(size_t)y * w + x] & 0xffffff;
			uint32_t b = got[(size_t)y * got_stride / 4 + x] & 0xffffff;
			for (int shift = 0; shift < 24; shift += 8) {
				sum += (uint64_t)abs(
					(int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff));
			}
			if (a != b && bad++ == 0 && tolerance == 0) {
				fprintf(stderr, "%s: (%d,%d) is %06x, wanted %06x\n", what, x, y, b,
					a);
			}
		}
	}
	long mean = (long)(sum * 100 / ((uint64_t)w * (uint64_t)h * 3));
	if (bad > 0) {
		fprintf(stderr,
			"%s: %ld of %d pixels differ (%d in 1000 allowed), by %ld.%02ld levels a "
			"channel on average\n",
			what, bad, w * h, tolerance, mean / 100, mean % 100);
	}
	if (bad * 1000 > (long)tolerance * w * h) {
		failures++;
		return bad;
	}
	return 0;
}

static void check_output(const char *what, struct mosaic_output *output)
{
	int w, h;
	uint32_t *want = render_wlroots(output, &w, &h);
	uint32_t *got = render_scene_pixels(output->render);
	if (want == NULL || got == NULL) {
		fprintf(stderr, "%s: cannot render\n", what);
		failures++;
	} else if (compare(what, want, got, w, h, (size_t)w * 4, COMPAT_SCENE_SAMPLING_TOLERANCE) ==
		   0) {
		fprintf(stderr, "%s: %dx%d identical\n", what, w, h);
	}
	free(want);
	free(got);
}

static void check_all(const char *what, struct inproc *ip)
{
	struct mosaic_output *output;
	wl_list_for_each(output, &ip->server.outputs, link) {
		char name[160];
		snprintf(name, sizeof(name), "%s on %s", what, output->wlr_output->name);
		check_output(name, output);
	}
}

static void replace_views(struct inproc *ip, const struct view_params *params, size_t n)
{
	struct mosaic_view *view, *tmp;
	wl_list_for_each_safe(view, tmp, &ip->server.views, link) {
		view_destroy(view);
	}
	for (size_t i = 0; i < n; i++) {
		if (view_create(&ip->server, &params[i]) == NULL) {
			fprintf(stderr, "cannot create view %zu\n", i);
			failures++;
		}
	}
}

static struct mosaic_surface *surface_of(struct inproc_guest *g)
{
	return g->connector->data;
}

/* Views over one output: every fit, crops, transforms, stacking, a placeholder. */
static void check_views(struct inproc *ip, const char *what)
{
	struct mosaic_output *out = output_find(&ip->server, NULL);
	struct inproc_guest *a = inproc_add_guest(ip, 1280, 720, DRM_FORMAT_XRGB8888);
	struct inproc_guest *b = inproc_add_guest(ip, 334, 177, DRM_FORMAT_RGB565);
	struct inproc_guest *c = inproc_add_guest(ip, 640, 480, DRM_FORMAT_ARGB8888);
	if (a == NULL || b == NULL || c == NULL) {
		fprintf(stderr, "%s: cannot add guests\n", what);
		failures++;
		return;
	}
	struct wlr_box area;
	output_get_box(out, &area);
	const struct view_params views[] = {
		{.output = out, .surface = surface_of(a), .rect = {0, 0, area.width, area.height},
			.fit = LAYOUT_FIT_CONTAIN, .visible = true},
		{.output = out, .surface = surface_of(b), .rect = {40, 30, 500, 300},
			.fit = LAYOUT_FIT_STRETCH, .visible = true},
		{.output = out, .surface = surface_of(c), .rect = {300, 200, 400, 400},
			.fit = LAYOUT_FIT_COVER, .visible = true, .transform = LAYOUT_TRANSFORM_90},
		{.output = out, .surface = surface_of(a), .rect = {700, 100, 300, 500},
			.fit = LAYOUT_FIT_CONTAIN, .visible = true, .has_crop = true,
			.crop = {100, 50, 700, 400}, .transform = LAYOUT_TRANSFORM_FLIPPED_270},
		{.output = out, .surface = surface_of(b), .rect = {900, 500, 200, 200},
			.fit = LAYOUT_FIT_NONE, .visible = true, .transform = LAYOUT_TRANSFORM_180},
		{.output = out, .surface = NULL, .rect = {area.width - 420, area.height - 260, 400, 240},
			.visible = true, .placeholder = true, .placeholder_colour = 0x304080,
			.label = "Navigation"},
		{.output = out, .surface = surface_of(c), .rect = {-100, area.height - 150, 500, 300},
			.fit = LAYOUT_FIT_STRETCH, .visible = true, .transform = LAYOUT_TRANSFORM_FLIPPED},
	};
	replace_views(ip, views, sizeof(views) / sizeof(views[0]));
	check_all(what, ip);
	inproc_flip(a);
	inproc_flip(b);
	char name[128];
	snprintf(name, sizeof(name), "%s, after flips", what);
	check_all(name, ip);
	inproc_remove_guests(ip);
}

static void check_grid(struct inproc *ip, int n)
{
	static const int sizes[][2] = {{1920, 1080}, {640, 480}, {1024, 600}, {334, 177},
		{800, 1280}};
	for (int i = 0; i < n; i++) {
		const int *s = sizes[i % 5];
		uint32_t format = i % 3 == 2 ? DRM_FORMAT_RGB565 : DRM_FORMAT_XRGB8888;
		if (inproc_add_guest(ip, s[0], s[1], format) == NULL) {
			failures++;
			return;
		}
	}
	char what[64];
	snprintf(what, sizeof(what), "grid of %d", n);
	check_all(what, ip);
	inproc_remove_guests(ip);
}

/* What an output buffer holds after each commit. */
struct committed {
	struct wl_listener commit;
	uint32_t *want;
	int width, height;
	const char *what;
	int frame;
	long bad;
};

static void handle_commit(struct wl_listener *listener, void *data)
{
	struct committed *c = wl_container_of(listener, c, commit);
	struct wlr_buffer *buffer = compat_output_event_commit_buffer(data);
	if (buffer == NULL || c->want == NULL) {
		return;
	}
	void *pixels;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(
		    buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &pixels, &format, &stride)) {
		return;
	}
	char what[128];
	snprintf(what, sizeof(what), "%s, frame %d", c->what, c->frame);
	c->bad += compare(what, c->want, pixels, c->width, c->height, stride, 0);
	wlr_buffer_end_data_ptr_access(buffer);
}

/* Frames with damage: some guests flip, some don't; each committed buffer is checked whole. */
static void check_damage(struct inproc *ip, const char *what)
{
	struct mosaic_output *out = output_find(&ip->server, NULL);
	for (int i = 0; i < 6; i++) {
		if (inproc_add_guest(ip, 640 + 64 * i, 360 + 36 * i, DRM_FORMAT_XRGB8888) == NULL) {
			failures++;
			return;
		}
	}
	struct committed c = {.what = what};
	c.commit.notify = handle_commit;
	wl_signal_add(&out->wlr_output->events.commit, &c.commit);
	unsigned seed = 1;
	for (c.frame = 0; c.frame < 24; c.frame++) {
		for (int i = 0; i < ip->nguests; i++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 3 == 0) {
				inproc_flip(&ip->guests[i]);
			}
		}
		c.want = render_scene_pixels(out->render);
		c.width = out->wlr_output->width;
		c.height = out->wlr_output->height;
		inproc_frame(ip, out);
		free(c.want);
		c.want = NULL;
	}
	wl_list_remove(&c.commit.link);
	if (c.bad == 0) {
		fprintf(stderr, "%s: 24 committed frames identical\n", what);
	}
	inproc_remove_guests(ip);
}

/*
 * Direct scan-out: a guest whose view fills the output 1:1 is committed as
 * it is (nothing composed); a view over it brings composition back, whole,
 * and its going, direct frames again. Every committed buffer is checked
 * whole against mosaic's full redraw: no black, stale or torn frame at the
 * changes.
 */
static void check_direct(struct inproc *ip, const char *what)
{
	struct mosaic_output *out = output_find(&ip->server, NULL);
	struct wlr_box area;
	output_get_box(out, &area);
	struct inproc_guest *g = inproc_add_guest(ip, area.width, area.height, DRM_FORMAT_XRGB8888);
	if (g == NULL) {
		failures++;
		return;
	}
	const struct view_params alone[] = {
		{.output = out, .surface = surface_of(g), .rect = {0, 0, area.width, area.height},
			.fit = LAYOUT_FIT_NONE, .visible = true},
	};
	const struct view_params covered[] = {
		alone[0],
		{.output = out, .surface = NULL, .rect = {40, 30, 300, 200}, .visible = true,
			.placeholder = true, .placeholder_colour = 0x304080, .label = "Over"},
	};
	struct committed c = {.what = what};
	c.commit.notify = handle_commit;
	wl_signal_add(&out->wlr_output->events.commit, &c.commit);
	const struct render_stats *stats = &out->render->stats;
	/* Each step: the views, a flip or not, and how the frame must be made. */
	static const struct {
		bool covered, flip;
		enum render_made made;
	} steps[] = {
		{false, false, RENDER_MADE_DIRECT},
		{false, true, RENDER_MADE_DIRECT},
		{true, false, RENDER_MADE_COMPOSED},
		{true, true, RENDER_MADE_COMPOSED},
		{false, false, RENDER_MADE_DIRECT},
		{false, true, RENDER_MADE_DIRECT},
		{true, true, RENDER_MADE_COMPOSED},
		{false, true, RENDER_MADE_DIRECT},
	};
	uint64_t composed_before = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		c.frame = (int)i;
		if (i == 0 || steps[i].covered != steps[i - 1].covered) {
			if (steps[i].covered) {
				replace_views(ip, covered, 2);
			} else {
				replace_views(ip, alone, 1);
			}
		}
		if (steps[i].flip) {
			inproc_flip(g);
		}
		composed_before = stats->composed_pixels;
		c.want = render_scene_pixels(out->render);
		c.width = out->wlr_output->width;
		c.height = out->wlr_output->height;
		if (inproc_frame(ip, out) < 0) {
			fprintf(stderr, "%s, step %zu: no frame committed\n", what, i);
			failures++;
		}
		free(c.want);
		c.want = NULL;
		if (stats->last != steps[i].made) {
			fprintf(stderr, "%s, step %zu: made %d, wanted %d\n", what, i, stats->last,
				steps[i].made);
			failures++;
		}
		/* Back from direct frames, the whole output is drawn. */
		uint64_t whole = (uint64_t)c.width * (uint64_t)c.height;
		if (steps[i].made == RENDER_MADE_COMPOSED && i > 0 &&
			steps[i - 1].made == RENDER_MADE_DIRECT &&
			stats->composed_pixels - composed_before != whole) {
			fprintf(stderr, "%s, step %zu: %llu pixels composed after direct frames, "
					"wanted %llu\n",
				what, i, (unsigned long long)(stats->composed_pixels - composed_before),
				(unsigned long long)whole);
			failures++;
		}
	}
	wl_list_remove(&c.commit.link);
	if (c.bad == 0) {
		fprintf(stderr, "%s: %zu committed frames identical, direct and composed\n", what,
			sizeof(steps) / sizeof(steps[0]));
	}
	inproc_remove_guests(ip);
}

int main(void)
{
	wlr_log_init(WLR_ERROR, NULL);
	struct inproc *ip = calloc(1, sizeof(*ip));
	if (ip == NULL || !inproc_setup(ip, 2, 1280, 720)) {
		fprintf(stderr, "cannot set up a headless pixman server\n");
		return 1;
	}
	for (int n = 1; n <= 5; n++) {
		check_grid(ip, n);
	}
	check_views(ip, "views");
	check_damage(ip, "damage");
	check_direct(ip, "direct");

	/* The same at output scales: layout units are no longer pixels. */
	static const float scales[] = {2.0f, 1.5f};
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		struct mosaic_output *out = output_find(&ip->server, NULL);
		struct wlr_output_state state;
		wlr_output_state_init(&state);
		wlr_output_state_set_scale(&state, scales[i]);
		bool ok = wlr_output_commit_state(out->wlr_output, &state);
		wlr_output_state_finish(&state);
		if (!ok) {
			fprintf(stderr, "cannot set scale %.1f\n", scales[i]);
			failures++;
			continue;
		}
		char what[64];
		snprintf(what, sizeof(what), "views at scale %.1f", scales[i]);
		check_views(ip, what);
		check_grid(ip, 3);
	}
	/* Going away with a frame being drawn: it is dropped, and nothing of it stays. */
	struct mosaic_output *out = output_find(&ip->server, NULL);
	if (inproc_add_guest(ip, 1920, 1080, DRM_FORMAT_XRGB8888) != NULL) {
		output_render_frame(out);
		if (!render_output_busy(out->render)) {
			fprintf(stderr, "a full frame was not handed to the composition thread\n");
			failures++;
		}
	}
	inproc_teardown(ip);
	free(ip);
	if (failures > 0) {
		fprintf(stderr, "test-render: %d failed checks\n", failures);
		return 1;
	}
	printf("test-render: ok\n");
	return 0;
}
