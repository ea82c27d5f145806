#include <pixman.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/log.h"
#include "compositor/render.h"
#include "compositor/render_direct.h"
#include "compositor/render_frame.h"
#include "compositor/render_scan.h"
#include "compositor/server.h"
#include "compositor/wlr_compat.h"

/* Frames whose damage is smaller than this are composed at once, not by the thread. */
#define SMALL_DAMAGE (256 * 256)

/*
 * An output's composition thread. The loop's thread makes a frame's pieces
 * (the scene is read there only), the thread draws them into the output's
 * buffer, and the loop's thread commits it: guests' requests, hidden
 * connectors' clocks and control requests are served meanwhile. Each output
 * has its own: an instrument cluster's small frame never waits behind a
 * large one of another output.
 */
struct mosaic_render {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;     // a frame was queued, or stop
	pthread_cond_t finished; // a frame was drawn
	struct wl_list queue;    // frame.link, to draw
	struct wl_list done;     // frame.link, drawn, to commit
	bool stop;
	int done_fd; // eventfd: frames drawn
	struct wl_event_source *done_source;
};

static void *render_thread(void *data)
{
	struct mosaic_render *render = data;
	pthread_mutex_lock(&render->lock);
	for (;;) {
		while (wl_list_empty(&render->queue) && !render->stop) {
			pthread_cond_wait(&render->wake, &render->lock);
		}
		if (wl_list_empty(&render->queue)) {
			break;
		}
		struct render_frame *frame = wl_container_of(render->queue.next, frame, link);
		wl_list_remove(&frame->link);
		pthread_mutex_unlock(&render->lock);
		render_frame_draw(frame);
		pthread_mutex_lock(&render->lock);
		frame->done = true;
		wl_list_insert(render->done.prev, &frame->link);
		pthread_cond_broadcast(&render->finished);
		uint64_t one = 1;
		if (write(render->done_fd, &one, sizeof(one)) < 0) {
			/* The counter cannot overflow here; the loop reads it. */
		}
	}
	pthread_mutex_unlock(&render->lock);
	return NULL;
}

/* After the drawing: the commit, and what follows it. */
static void frame_commit(struct render_frame *frame)
{
	struct render_output *target = frame->owner;
	struct wlr_output *wlr_output = target->scene_output->output;
	target->drawing = NULL;
	render_frame_destroy(frame);
	bool committed = compat_output_frame_commit(target->scene_output, target->out);
	if (!committed) {
		wlr_log(WLR_ERROR, "Output %s: commit failed", wlr_output->name);
	}
	wl_signal_emit(&target->events.done, &committed);
}

static int render_handle_done(int fd, uint32_t mask, void *data)
{
	struct mosaic_render *render = data;
	uint64_t count;
	if (read(fd, &count, sizeof(count)) < 0) {
		/* Spurious: nothing to take. */
	}
	struct wl_list done;
	wl_list_init(&done);
	pthread_mutex_lock(&render->lock);
	wl_list_insert_list(&done, &render->done);
	wl_list_init(&render->done);
	pthread_mutex_unlock(&render->lock);
	struct render_frame *frame, *tmp;
	wl_list_for_each_safe(frame, tmp, &done, link) {
		wl_list_remove(&frame->link);
		frame_commit(frame);
	}
	return 0;
}

static void render_destroy(struct mosaic_render *render)
{
	if (render == NULL) {
		return;
	}
	if (render->done_source != NULL) {
		/* The output waited for its frame: nothing is queued. */
		pthread_mutex_lock(&render->lock);
		render->stop = true;
		pthread_cond_signal(&render->wake);
		pthread_mutex_unlock(&render->lock);
		pthread_join(render->thread, NULL);
		wl_event_source_remove(render->done_source);
		close(render->done_fd);
	}
	pthread_cond_destroy(&render->finished);
	pthread_cond_destroy(&render->wake);
	pthread_mutex_destroy(&render->lock);
	free(render);
}

/* The output's composition thread, started with its first large frame; NULL: none. */
static struct mosaic_render *render_get(struct render_output *target)
{
	if (target->render != NULL) {
		return target->render->stop ? NULL : target->render;
	}
	struct mosaic_render *render = calloc(1, sizeof(*render));
	if (render == NULL) {
		return NULL;
	}
	wl_list_init(&render->queue);
	wl_list_init(&render->done);
	pthread_mutex_init(&render->lock, NULL);
	pthread_cond_init(&render->wake, NULL);
	pthread_cond_init(&render->finished, NULL);
	render->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	render->done_source = render->done_fd < 0 ? NULL :
		wl_event_loop_add_fd(target->server->loop, render->done_fd, WL_EVENT_READABLE,
			render_handle_done, render);
	if (render->done_source == NULL ||
		pthread_create(&render->thread, NULL, render_thread, render) != 0) {
		log_warning("No composition thread for output %s: it is composed in the loop",
			target->scene_output->output->name);
		if (render->done_source != NULL) {
			wl_event_source_remove(render->done_source);
		}
		if (render->done_fd >= 0) {
			close(render->done_fd);
		}
		/* Marked stopped: not tried again. */
		render->stop = true;
		render->done_source = NULL;
		render->done_fd = -1;
		target->render = render;
		return NULL;
	}
	target->render = render;
	return render;
}

static uint64_t region_area(pixman_region32_t *region)
{
	int n;
	pixman_box32_t *boxes = pixman_region32_rectangles(region, &n);
	uint64_t area = 0;
	for (int i = 0; i < n; i++) {
		area += (uint64_t)(boxes[i].x2 - boxes[i].x1) * (uint64_t)(boxes[i].y2 - boxes[i].y1);
	}
	return area;
}

static bool software_cursor_shown(struct wlr_output *wlr_output)
{
	struct wlr_output_cursor *cursor;
	wl_list_for_each(cursor, &wlr_output->cursors, link) {
		if (cursor->enabled && cursor->visible && cursor != wlr_output->hardware_cursor) {
			return true;
		}
	}
	return false;
}

/* false (and the scan freed) if wlroots must draw this output. */
static bool scan_output(struct render_output *target, struct render_scan *scan)
{
	struct mosaic_server *server = target->server;
	struct wlr_output *wlr_output = target->scene_output->output;
	*scan = (struct render_scan){.scale = wlr_output->scale, .drawable = true};
	if (!wlr_renderer_is_pixman(server->renderer) ||
		wlr_output->transform != WL_OUTPUT_TRANSFORM_NORMAL) {
		return false;
	}
	scan->area.x = target->scene_output->x;
	scan->area.y = target->scene_output->y;
	wlr_output_effective_resolution(wlr_output, &scan->area.width, &scan->area.height);
	render_scan_node(scan, &compat_scene_tree(server->scene)->node, 0, 0);
	if (!scan->drawable) {
		free(scan->draws);
		scan->draws = NULL;
		return false;
	}
	return true;
}

enum render_start render_output_start(struct render_output *target)
{
	struct mosaic_server *server = target->server;
	struct wlr_scene_output *scene_output = target->scene_output;
	struct wlr_output *wlr_output = scene_output->output;
	uint32_t seq = wlr_output->commit_seq;
	struct render_scan scan;
	struct render_stats *stats = &target->stats;
	if (server->wlroots_render || !scan_output(target, &scan)) {
		bool ok = wlr_scene_output_commit(scene_output, NULL);
		if (ok && wlr_output->commit_seq != seq) {
			stats->last = RENDER_MADE_WLROOTS;
			stats->wlroots_frames++;
		}
		return !ok ? RENDER_FAILED :
			(wlr_output->commit_seq != seq ? RENDER_COMMITTED : RENDER_NOTHING);
	}

	const struct wlr_scene_node *direct = software_cursor_shown(wlr_output) ? NULL :
		render_direct_candidate(wlr_output, &scan);
	bool committed;
	if (direct != NULL && !compat_scene_output_needs_frame(scene_output)) {
		free(scan.draws);
		return RENDER_NOTHING;
	}
	if (direct != NULL && render_direct_commit(wlr_output, direct, &target->refused, &committed)) {
		free(scan.draws);
		if (committed) {
			stats->last = RENDER_MADE_DIRECT;
			stats->direct_tree = compat_scene_node_parent(direct);
			stats->direct_frames++;
		}
		return committed ? RENDER_COMMITTED : RENDER_FAILED;
	}
	if (stats->last == RENDER_MADE_DIRECT) {
		/* The output's own buffers missed the frames shown directly. */
		compat_scene_output_damage_whole(scene_output);
	}

	struct compat_output_frame *out = target->out;
	enum compat_frame_start start =
		compat_output_frame_begin(scene_output, server->renderer, out);
	if (start != COMPAT_FRAME_READY) {
		free(scan.draws);
		return start == COMPAT_FRAME_NONE ? RENDER_NOTHING : RENDER_FAILED;
	}
	pixman_image_set_clip_region32(out->image, NULL);
	stats->last = RENDER_MADE_COMPOSED;
	stats->direct_tree = NULL;
	stats->composed_frames++;
	stats->composed_pixels += region_area(&out->damage);
	struct render_frame *frame =
		render_frame_create(wlr_output, &scan, &out->damage, out->image);
	free(scan.draws);
	struct mosaic_render *render = NULL;
	if (frame != NULL && region_area(&out->damage) > SMALL_DAMAGE &&
		!software_cursor_shown(wlr_output)) {
		render = render_get(target);
	}
	if (render != NULL) {
		/* The buffer stays the output's until the commit. */
		frame->owner = target;
		target->drawing = frame;
		pthread_mutex_lock(&render->lock);
		wl_list_insert(render->queue.prev, &frame->link);
		pthread_cond_signal(&render->wake);
		pthread_mutex_unlock(&render->lock);
		return RENDER_LATER;
	}
	if (frame != NULL) {
		render_frame_draw(frame);
		render_frame_destroy(frame);
	}
	compat_output_frame_cursors(scene_output, server->renderer, out);
	return compat_output_frame_commit(scene_output, out) ? RENDER_COMMITTED : RENDER_FAILED;
}

bool render_output_busy(struct render_output *target)
{
	return target->drawing != NULL;
}

/* The output's frame in flight, once drawn; NULL if none. */
static struct render_frame *frame_wait(struct render_output *target)
{
	struct render_frame *frame = target->drawing;
	if (frame == NULL) {
		return NULL;
	}
	struct mosaic_render *render = target->render;
	pthread_mutex_lock(&render->lock);
	while (!frame->done) {
		pthread_cond_wait(&render->finished, &render->lock);
	}
	wl_list_remove(&frame->link);
	pthread_mutex_unlock(&render->lock);
	return frame;
}

void render_output_wait(struct render_output *target)
{
	struct render_frame *frame = frame_wait(target);
	if (frame != NULL) {
		frame_commit(frame);
	}
}

static void render_output_cancel(struct render_output *target)
{
	struct render_frame *frame = frame_wait(target);
	if (frame != NULL) {
		target->drawing = NULL;
		render_frame_destroy(frame);
		/* Its buffer goes back to the swapchain. */
		compat_output_frame_abort(target->scene_output, target->out);
	}
}

/*
 * A nested output's window was resized (or any output's mode changed) while
 * a frame was drawn on the thread: the buffer it is drawn into belonged to
 * the swapchain the new size replaced, and committing it would hand wlroots
 * a buffer of no swapchain. The frame is dropped; the next one is drawn at
 * the new size.
 */
static void target_handle_mode(struct wl_listener *listener, void *data)
{
	struct render_output *target = wl_container_of(listener, target, mode);
	if (!compat_output_mode_changed(data)) {
		return;
	}
	/* A new mode may take what the old one refused. */
	target->refused = (struct render_direct_refusal){0};
	if (target->drawing == NULL) {
		return;
	}
	render_output_cancel(target);
	bool committed = false;
	wl_signal_emit(&target->events.done, &committed);
	wlr_output_schedule_frame(target->scene_output->output);
}

struct render_output *render_output_create(struct mosaic_server *server,
	struct wlr_scene_output *scene_output)
{
	struct render_output *target = calloc(1, sizeof(*target));
	struct compat_output_frame *out = calloc(1, sizeof(*out));
	if (target == NULL || out == NULL) {
		free(target);
		free(out);
		return NULL;
	}
	target->out = out;
	target->server = server;
	target->scene_output = scene_output;
	wl_signal_init(&target->events.done);
	target->mode.notify = target_handle_mode;
	wl_signal_add(compat_output_mode_signal(scene_output->output), &target->mode);
	return target;
}

void render_output_destroy(struct render_output *target)
{
	if (target == NULL) {
		return;
	}
	wl_list_remove(&target->mode.link);
	render_output_cancel(target);
	render_destroy(target->render);
	free(target->out);
	free(target);
}

uint32_t *render_scene_pixels(struct render_output *target)
{
	struct wlr_output *wlr_output = target->scene_output->output;
	uint32_t *pixels = malloc((size_t)wlr_output->width * (size_t)wlr_output->height * 4);
	pixman_image_t *dest = pixels == NULL ? NULL :
		pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8, wlr_output->width,
			wlr_output->height, pixels, wlr_output->width * 4);
	bool ok = dest != NULL && render_scene(target, dest);
	if (dest != NULL) {
		pixman_image_unref(dest);
	}
	if (!ok) {
		free(pixels);
		return NULL;
	}
	return pixels;
}

bool render_scene(struct render_output *target, pixman_image_t *dest)
{
	struct render_scan scan;
	if (!scan_output(target, &scan)) {
		return false;
	}
	struct wlr_output *wlr_output = target->scene_output->output;
	pixman_region32_t all;
	pixman_region32_init_rect(
		&all, 0, 0, (unsigned)wlr_output->width, (unsigned)wlr_output->height);
	struct render_frame *frame = render_frame_create(wlr_output, &scan, &all, dest);
	free(scan.draws);
	pixman_region32_fini(&all);
	if (frame == NULL) {
		return false;
	}
	render_frame_draw(frame);
	render_frame_destroy(frame);
	return true;
}
