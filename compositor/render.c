#include <drm_fourcc.h>
#include <math.h>
#include <pixman.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>
#include <wlr/util/region.h>

#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/server.h"

/* Frames whose damage is smaller than this are composed at once, not by the thread. */
#define SMALL_DAMAGE (256 * 256)

/* A node that shows something on this output, in output buffer coordinates. */
struct draw {
	struct wlr_scene_node *node;
	struct wlr_box box;
	bool opaque;
	pixman_region32_t visible; // damaged, on the output, and not under an opaque node
};

/* What one node puts on the output this frame: made on the loop's thread, drawn on either. */
struct piece {
	pixman_image_t *image;     // the buffer's pixels, transformed; NULL: a colour
	struct wlr_buffer *buffer; // locked while the piece lives: its memory stays
	pixman_color_t colour;
	pixman_op_t op;
	int dx, dy; // image pixel (x + dx, y + dy) goes to output pixel (x, y) when not transformed
	pixman_region32_t region; // output buffer coordinates
};

/* One output frame: the pieces to draw into dest, bottom to top. */
struct render_frame {
	struct mosaic_output *output;
	pixman_image_t *dest;
	struct piece *pieces;
	size_t len;
	pixman_region32_t damage;  // what this frame draws
	pixman_region32_t tracked; // the damage tracker's current region when it began
	bool done;                 // drawn (under the lock)
	struct wl_list link;       // mosaic_render.queue or .done
};

/*
 * The composition thread. The loop's thread makes a frame's pieces (the
 * scene is read there only), the thread draws them into the output's buffer,
 * and the loop's thread commits it: guests' requests, hidden connectors'
 * clocks and control requests are served meanwhile.
 */
struct mosaic_render {
	struct mosaic_server *server;
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

struct scan {
	struct draw *draws;
	size_t len, cap;
	struct wlr_box area; // the output in layout coordinates
	float scale;
	bool drawable; // every node is one this file can draw
};

/* The formats wlroots 0.15's pixman renderer reads, as pixman names them. */
static pixman_format_code_t pixman_format(uint32_t drm_format, bool *opaque)
{
	*opaque = true;
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
		return PIXMAN_x8r8g8b8;
	case DRM_FORMAT_XBGR8888:
		return PIXMAN_x8b8g8r8;
	case DRM_FORMAT_RGBX8888:
		return PIXMAN_r8g8b8x8;
	case DRM_FORMAT_BGRX8888:
		return PIXMAN_b8g8r8x8;
	case DRM_FORMAT_RGB565:
		return PIXMAN_r5g6b5;
	case DRM_FORMAT_BGR565:
		return PIXMAN_b5g6r5;
	case DRM_FORMAT_XRGB2101010:
		return PIXMAN_x2r10g10b10;
	case DRM_FORMAT_XBGR2101010:
		return PIXMAN_x2b10g10r10;
	}
	*opaque = false;
	switch (drm_format) {
	case DRM_FORMAT_ARGB8888:
		return PIXMAN_a8r8g8b8;
	case DRM_FORMAT_ABGR8888:
		return PIXMAN_a8b8g8r8;
	case DRM_FORMAT_RGBA8888:
		return PIXMAN_r8g8b8a8;
	case DRM_FORMAT_BGRA8888:
		return PIXMAN_b8g8r8a8;
	case DRM_FORMAT_ARGB2101010:
		return PIXMAN_a2r10g10b10;
	case DRM_FORMAT_ABGR2101010:
		return PIXMAN_a2b10g10r10;
	}
	return 0;
}

/* As wlroots' scene sizes a node. */
static void node_size(struct wlr_scene_node *node, int *width, int *height)
{
	*width = *height = 0;
	if (node->type == WLR_SCENE_NODE_RECT) {
		struct wlr_scene_rect *rect = (struct wlr_scene_rect *)node;
		*width = rect->width;
		*height = rect->height;
	} else if (node->type == WLR_SCENE_NODE_BUFFER) {
		struct wlr_scene_buffer *buffer = (struct wlr_scene_buffer *)node;
		if (buffer->dst_width > 0 && buffer->dst_height > 0) {
			*width = buffer->dst_width;
			*height = buffer->dst_height;
		} else if (buffer->transform & WL_OUTPUT_TRANSFORM_90) {
			*width = buffer->buffer->height;
			*height = buffer->buffer->width;
		} else {
			*width = buffer->buffer->width;
			*height = buffer->buffer->height;
		}
	}
}

/* As wlroots' scene scales a box to the output's pixels. */
static void scale_box(struct wlr_box *box, float scale)
{
	int x1 = (int)round((box->x + box->width) * scale);
	int y1 = (int)round((box->y + box->height) * scale);
	box->x = (int)round(box->x * scale);
	box->y = (int)round(box->y * scale);
	box->width = x1 - box->x;
	box->height = y1 - box->y;
}

static bool buffer_opaque(struct wlr_buffer *buffer, bool *opaque)
{
	void *data;
	uint32_t format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
		    &format, &stride)) {
		return false;
	}
	wlr_buffer_end_data_ptr_access(buffer);
	return pixman_format(format, opaque) != 0;
}

static void add_draw(struct scan *scan, struct wlr_scene_node *node, int lx, int ly)
{
	struct wlr_box box = {.x = lx, .y = ly};
	node_size(node, &box.width, &box.height);
	struct wlr_box on_output;
	if (!wlr_box_intersection(&on_output, &box, &scan->area)) {
		return;
	}
	bool opaque;
	if (node->type == WLR_SCENE_NODE_RECT) {
		opaque = ((struct wlr_scene_rect *)node)->color[3] >= 1.0f;
	} else if (!buffer_opaque(((struct wlr_scene_buffer *)node)->buffer, &opaque)) {
		scan->drawable = false;
		return;
	}
	if (scan->len == scan->cap) {
		size_t cap = scan->cap ? scan->cap * 2 : 32;
		struct draw *draws = realloc(scan->draws, cap * sizeof(*draws));
		if (draws == NULL) {
			scan->drawable = false;
			return;
		}
		scan->draws = draws;
		scan->cap = cap;
	}
	box.x -= scan->area.x;
	box.y -= scan->area.y;
	scale_box(&box, scan->scale);
	scan->draws[scan->len++] = (struct draw){.node = node, .box = box, .opaque = opaque};
}

/* The nodes on the output, bottom to top, as wlroots would draw them. */
static void scan_node(struct scan *scan, struct wlr_scene_node *node, int lx, int ly)
{
	if (!node->state.enabled || !scan->drawable) {
		return;
	}
	lx += node->state.x;
	ly += node->state.y;
	switch (node->type) {
	case WLR_SCENE_NODE_ROOT:
	case WLR_SCENE_NODE_TREE:
		break;
	case WLR_SCENE_NODE_RECT:
	case WLR_SCENE_NODE_BUFFER:
		add_draw(scan, node, lx, ly);
		break;
	case WLR_SCENE_NODE_SURFACE:
		/* Wayland clients' surfaces: mosaic shows none; wlroots draws them. */
		scan->drawable = false;
		return;
	}
	struct wlr_scene_node *child;
	wl_list_for_each(child, &node->state.children, state.link) {
		scan_node(scan, child, lx, ly);
	}
}

static pixman_color_t pixman_colour(const float colour[4])
{
	/* As wlroots' pixman renderer turns a colour into pixman's. */
	return (pixman_color_t){
		.red = (uint16_t)(colour[0] * 0xffff),
		.green = (uint16_t)(colour[1] * 0xffff),
		.blue = (uint16_t)(colour[2] * 0xffff),
		.alpha = (uint16_t)(colour[3] * 0xffff),
	};
}

static void matrix_to_pixman(const float m[9], pixman_transform_t *t)
{
	struct pixman_f_transform f;
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			f.m[i][j] = m[i * 3 + j];
		}
	}
	pixman_transform_from_pixman_f_transform(t, &f);
}

/*
 * A buffer shown 1:1 gets a transform that is a whole-pixel move give or
 * take float rounding: pixman would still sample it pixel by pixel. Without
 * the transform it copies rows, two to three times faster; each output
 * pixel takes the same buffer pixel (the rounding is far below half one).
 */
static bool translation_only(const pixman_transform_t *t, int *dx, int *dy)
{
	const pixman_fixed_t e = 16; // 1/4096 of a pixel, per pixel
	if (abs(t->matrix[0][0] - pixman_fixed_1) > e || abs(t->matrix[1][1] - pixman_fixed_1) > e ||
		abs(t->matrix[0][1]) > e || abs(t->matrix[1][0]) > e || t->matrix[2][0] != 0 ||
		t->matrix[2][1] != 0 || t->matrix[2][2] != pixman_fixed_1) {
		return false;
	}
	double tx = pixman_fixed_to_double(t->matrix[0][2]);
	double ty = pixman_fixed_to_double(t->matrix[1][2]);
	if (fabs(tx - round(tx)) > 1e-3 || fabs(ty - round(ty)) > 1e-3) {
		return false;
	}
	*dx = (int)round(tx);
	*dy = (int)round(ty);
	return true;
}

/*
 * A buffer node's pixels as a pixman image. The transform from output
 * pixels to the buffer's is the one wlroots' pixman renderer builds, so the
 * same output pixel samples the same buffer pixel.
 */
static bool buffer_piece(struct wlr_output *wlr_output, const struct draw *draw,
	struct piece *piece)
{
	struct wlr_scene_buffer *node = (struct wlr_scene_buffer *)draw->node;
	void *data;
	uint32_t drm_format;
	size_t stride;
	if (!wlr_buffer_begin_data_ptr_access(node->buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data,
		    &drm_format, &stride)) {
		return false;
	}
	/* The pointer stays good while the buffer is locked (our buffers are memory). */
	wlr_buffer_end_data_ptr_access(node->buffer);
	bool opaque;
	pixman_format_code_t format = pixman_format(drm_format, &opaque);
	piece->image = format == 0 ? NULL :
		pixman_image_create_bits_no_clear(format, node->buffer->width,
			node->buffer->height, data, (int)stride);
	if (piece->image == NULL) {
		return false;
	}
	struct wlr_fbox src = node->src_box;
	if (wlr_fbox_empty(&src)) {
		src = (struct wlr_fbox){0, 0, draw->box.width, draw->box.height};
	}
	float matrix[9];
	wlr_matrix_project_box(matrix, &draw->box, wlr_output_transform_invert(node->transform),
		0.0, wlr_output->transform_matrix);
	wlr_matrix_scale(matrix, 1.0f / (float)src.width, 1.0f / (float)src.height);
	pixman_transform_t transform;
	matrix_to_pixman(matrix, &transform);
	pixman_transform_invert(&transform, &transform);
	if (!translation_only(&transform, &piece->dx, &piece->dy)) {
		pixman_image_set_transform(piece->image, &transform);
	}
	/*
	 * Output pixels at the edge of the box whose sample rounds to just
	 * outside the buffer take the edge's colour: nothing is drawn under
	 * an opaque node, so there must be no hole.
	 */
	pixman_image_set_repeat(piece->image, PIXMAN_REPEAT_PAD);
	piece->op = opaque ? PIXMAN_OP_SRC : PIXMAN_OP_OVER;
	piece->buffer = wlr_buffer_lock(node->buffer);
	return true;
}

static void frame_destroy(struct render_frame *frame)
{
	for (size_t i = 0; i < frame->len; i++) {
		struct piece *piece = &frame->pieces[i];
		if (piece->image != NULL) {
			pixman_image_unref(piece->image);
		}
		if (piece->buffer != NULL) {
			wlr_buffer_unlock(piece->buffer);
		}
		pixman_region32_fini(&piece->region);
	}
	free(frame->pieces);
	if (frame->dest != NULL) {
		pixman_image_unref(frame->dest);
	}
	pixman_region32_fini(&frame->damage);
	pixman_region32_fini(&frame->tracked);
	free(frame);
}

/*
 * Top to bottom, each node gets the damage that no opaque node above it
 * covers; what no opaque node covers is cleared to black, as wlroots does.
 * The first piece is that clear.
 */
static struct render_frame *frame_create(struct mosaic_output *output, struct scan *scan,
	pixman_region32_t *damage, pixman_image_t *dest)
{
	struct render_frame *frame = calloc(1, sizeof(*frame));
	struct piece *pieces = calloc(scan->len + 1, sizeof(*pieces));
	if (frame == NULL || pieces == NULL) {
		free(frame);
		free(pieces);
		return NULL;
	}
	frame->output = output;
	frame->pieces = pieces;
	frame->dest = pixman_image_ref(dest);
	pixman_region32_init(&frame->damage);
	pixman_region32_copy(&frame->damage, damage);
	pixman_region32_init(&frame->tracked);

	pixman_region32_t covered;
	pixman_region32_init(&covered);
	for (size_t i = scan->len; i-- > 0;) {
		struct draw *d = &scan->draws[i];
		pixman_region32_init_rect(&d->visible, d->box.x, d->box.y, (unsigned)d->box.width,
			(unsigned)d->box.height);
		pixman_region32_intersect(&d->visible, &d->visible, damage);
		pixman_region32_subtract(&d->visible, &d->visible, &covered);
		if (d->opaque) {
			pixman_region32_union_rect(&covered, &covered, d->box.x, d->box.y,
				(unsigned)d->box.width, (unsigned)d->box.height);
		}
	}
	static const float black[4] = {0, 0, 0, 1};
	struct piece *clear = &frame->pieces[frame->len++];
	pixman_region32_init(&clear->region);
	pixman_region32_subtract(&clear->region, damage, &covered);
	clear->colour = pixman_colour(black);
	clear->op = PIXMAN_OP_SRC;
	pixman_region32_fini(&covered);

	for (size_t i = 0; i < scan->len; i++) {
		struct draw *d = &scan->draws[i];
		struct piece *piece = &frame->pieces[frame->len];
		memset(piece, 0, sizeof(*piece));
		bool made = false;
		if (!pixman_region32_not_empty(&d->visible)) {
			/* Covered, or not damaged: nothing to draw. */
		} else if (d->node->type == WLR_SCENE_NODE_RECT) {
			struct wlr_scene_rect *rect = (struct wlr_scene_rect *)d->node;
			piece->colour = pixman_colour(rect->color);
			piece->op = d->opaque ? PIXMAN_OP_SRC : PIXMAN_OP_OVER;
			made = true;
		} else {
			made = buffer_piece(output->wlr_output, d, piece);
		}
		if (made) {
			piece->region = d->visible; // the piece takes the region
			frame->len++;
		} else {
			pixman_region32_fini(&d->visible);
		}
	}
	return frame;
}

/* Pixman only: this runs on the composition thread too. */
static void frame_draw(struct render_frame *frame)
{
	pixman_image_t *dest = frame->dest;
	for (size_t i = 0; i < frame->len; i++) {
		struct piece *piece = &frame->pieces[i];
		int n;
		pixman_box32_t *boxes = pixman_region32_rectangles(&piece->region, &n);
		if (n == 0) {
			continue;
		}
		if (piece->image == NULL) {
			pixman_image_fill_boxes(piece->op, dest, &piece->colour, n, boxes);
			continue;
		}
		for (int j = 0; j < n; j++) {
			pixman_box32_t *r = &boxes[j];
			pixman_image_composite32(piece->op, piece->image, NULL, dest, r->x1 + piece->dx,
				r->y1 + piece->dy, 0, 0, r->x1, r->y1, r->x2 - r->x1, r->y2 - r->y1);
		}
	}
}

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
		frame_draw(frame);
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
	struct mosaic_output *output = frame->output;
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_output_damage *tracker = output->scene_output->damage;
	output->drawing = NULL;
	/*
	 * Damage that came while the frame was drawn is not in it, but the
	 * commit files it as drawn in this buffer: add it again after.
	 */
	pixman_region32_t late;
	pixman_region32_init(&late);
	pixman_region32_subtract(&late, &tracker->current, &frame->tracked);
	wlr_output_set_damage(wlr_output, &frame->damage);
	bool committed = wlr_output_commit(wlr_output);
	if (!committed) {
		wlr_log(WLR_ERROR, "Output %s: commit failed", wlr_output->name);
	}
	if (pixman_region32_not_empty(&late)) {
		wlr_output_damage_add(tracker, &late);
	}
	pixman_region32_fini(&late);
	frame_destroy(frame);
	output_frame_done(output, committed);
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

static struct mosaic_render *render_get(struct mosaic_server *server)
{
	if (server->render != NULL) {
		return server->render->stop ? NULL : server->render;
	}
	struct mosaic_render *render = calloc(1, sizeof(*render));
	if (render == NULL) {
		return NULL;
	}
	render->server = server;
	wl_list_init(&render->queue);
	wl_list_init(&render->done);
	pthread_mutex_init(&render->lock, NULL);
	pthread_cond_init(&render->wake, NULL);
	pthread_cond_init(&render->finished, NULL);
	render->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	render->done_source = render->done_fd < 0 ? NULL :
		wl_event_loop_add_fd(server->loop, render->done_fd, WL_EVENT_READABLE,
			render_handle_done, render);
	if (render->done_source == NULL ||
		pthread_create(&render->thread, NULL, render_thread, render) != 0) {
		wlr_log(WLR_ERROR, "No composition thread: outputs are composed in the loop");
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
		server->render = render;
		return NULL;
	}
	server->render = render;
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
static bool scan_output(struct mosaic_output *output, struct scan *scan)
{
	struct mosaic_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	*scan = (struct scan){.scale = wlr_output->scale, .drawable = true};
	if (!wlr_renderer_is_pixman(server->renderer) ||
		wlr_output->transform != WL_OUTPUT_TRANSFORM_NORMAL) {
		return false;
	}
	scan->area.x = output->scene_output->x;
	scan->area.y = output->scene_output->y;
	wlr_output_effective_resolution(wlr_output, &scan->area.width, &scan->area.height);
	scan_node(scan, &server->scene->node, 0, 0);
	if (!scan->drawable) {
		free(scan->draws);
		scan->draws = NULL;
		return false;
	}
	return true;
}

enum render_start render_output_start(struct mosaic_output *output)
{
	struct mosaic_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_scene_output *scene_output = output->scene_output;
	uint32_t seq = wlr_output->commit_seq;
	struct scan scan;
	if (server->wlroots_render || !scan_output(output, &scan)) {
		bool ok = wlr_scene_output_commit(scene_output);
		return !ok ? RENDER_FAILED :
			(wlr_output->commit_seq != seq ? RENDER_COMMITTED : RENDER_NOTHING);
	}

	bool needs_frame;
	pixman_region32_t damage;
	pixman_region32_init(&damage);
	if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &damage)) {
		pixman_region32_fini(&damage);
		free(scan.draws);
		return RENDER_FAILED;
	}
	if (!needs_frame) {
		pixman_region32_fini(&damage);
		free(scan.draws);
		wlr_output_rollback(wlr_output);
		return RENDER_NOTHING;
	}
	wlr_renderer_begin(server->renderer, wlr_output->width, wlr_output->height);
	pixman_image_t *dest = wlr_pixman_renderer_get_current_image(server->renderer);
	pixman_image_set_clip_region32(dest, NULL);
	struct render_frame *frame = frame_create(output, &scan, &damage, dest);
	free(scan.draws);
	struct mosaic_render *render = NULL;
	if (frame != NULL && region_area(&damage) > SMALL_DAMAGE &&
		!software_cursor_shown(wlr_output)) {
		render = render_get(server);
	}
	if (render != NULL) {
		/* The buffer stays attached to the output until the commit. */
		wlr_renderer_end(server->renderer);
		pixman_region32_copy(&frame->tracked, &scene_output->damage->current);
		pixman_region32_fini(&damage);
		output->drawing = frame;
		pthread_mutex_lock(&render->lock);
		wl_list_insert(render->queue.prev, &frame->link);
		pthread_cond_signal(&render->wake);
		pthread_mutex_unlock(&render->lock);
		return RENDER_LATER;
	}
	if (frame != NULL) {
		frame_draw(frame);
		frame_destroy(frame);
	}
	wlr_output_render_software_cursors(wlr_output, &damage);
	wlr_renderer_end(server->renderer);
	/* The damage of this frame, for the backend (the same as wlroots sets). */
	wlr_output_set_damage(wlr_output, &scene_output->damage->current);
	pixman_region32_fini(&damage);
	return wlr_output_commit(wlr_output) ? RENDER_COMMITTED : RENDER_FAILED;
}

bool render_output_busy(struct mosaic_output *output)
{
	return output->drawing != NULL;
}

/* The output's frame in flight, once drawn; NULL if none. */
static struct render_frame *frame_wait(struct mosaic_output *output)
{
	struct render_frame *frame = output->drawing;
	if (frame == NULL) {
		return NULL;
	}
	struct mosaic_render *render = output->server->render;
	pthread_mutex_lock(&render->lock);
	while (!frame->done) {
		pthread_cond_wait(&render->finished, &render->lock);
	}
	wl_list_remove(&frame->link);
	pthread_mutex_unlock(&render->lock);
	return frame;
}

void render_output_wait(struct mosaic_output *output)
{
	struct render_frame *frame = frame_wait(output);
	if (frame != NULL) {
		frame_commit(frame);
	}
}

void render_output_cancel(struct mosaic_output *output)
{
	struct render_frame *frame = frame_wait(output);
	if (frame != NULL) {
		output->drawing = NULL;
		frame_destroy(frame);
		/* The buffer attached for it goes back to the swapchain. */
		wlr_output_rollback(output->wlr_output);
	}
}

void render_finish(struct mosaic_server *server)
{
	struct mosaic_render *render = server->render;
	if (render == NULL) {
		return;
	}
	if (render->done_source != NULL) {
		/* Outputs waited for their frames as they went: nothing is queued. */
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
	server->render = NULL;
}

uint32_t *render_scene_pixels(struct mosaic_output *output)
{
	struct wlr_output *wlr_output = output->wlr_output;
	uint32_t *pixels = malloc((size_t)wlr_output->width * (size_t)wlr_output->height * 4);
	pixman_image_t *dest = pixels == NULL ? NULL :
		pixman_image_create_bits_no_clear(PIXMAN_x8r8g8b8, wlr_output->width,
			wlr_output->height, pixels, wlr_output->width * 4);
	bool ok = dest != NULL && render_scene(output, dest);
	if (dest != NULL) {
		pixman_image_unref(dest);
	}
	if (!ok) {
		free(pixels);
		return NULL;
	}
	return pixels;
}

bool render_scene(struct mosaic_output *output, pixman_image_t *dest)
{
	struct scan scan;
	if (!scan_output(output, &scan)) {
		return false;
	}
	pixman_region32_t all;
	pixman_region32_init_rect(&all, 0, 0, (unsigned)output->wlr_output->width,
		(unsigned)output->wlr_output->height);
	struct render_frame *frame = frame_create(output, &scan, &all, dest);
	free(scan.draws);
	pixman_region32_fini(&all);
	if (frame == NULL) {
		return false;
	}
	frame_draw(frame);
	frame_destroy(frame);
	return true;
}
