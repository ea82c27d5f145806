#include <math.h>
#include <pixman.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_matrix.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>

#include "compositor/render_frame.h"
#include "compositor/render_scan.h"
#include "compositor/wlr_compat.h"

/* What one node puts on the output this frame: made on the loop's thread, drawn on either. */
struct piece {
	pixman_image_t *image;     // the buffer's pixels, transformed; NULL: a colour
	struct wlr_buffer *buffer; // locked while the piece lives: its memory stays
	pixman_color_t colour;
	pixman_op_t op;
	int dx, dy; // image pixel (x + dx, y + dy) goes to output pixel (x, y) when not transformed
	pixman_region32_t region; // output buffer coordinates
};

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
static bool buffer_piece(struct wlr_output *wlr_output, const struct render_draw *draw,
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
	pixman_format_code_t format = render_pixman_format(drm_format, &opaque);
	piece->image = format == 0 ? NULL :
		pixman_image_create_bits_no_clear(format, node->buffer->width,
			node->buffer->height, data, (int)stride);
	if (piece->image == NULL) {
		return false;
	}
	struct wlr_fbox src = node->src_box;
	if (wlr_fbox_empty(&src)) {
		src = (struct wlr_fbox){0, 0, node->buffer->width, node->buffer->height};
	}
	/* Outputs mosaic draws are not turned: their projection is the identity. */
	static const float identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
	float matrix[9];
	wlr_matrix_project_box(
		matrix, &draw->box, wlr_output_transform_invert(node->transform), 0.0, identity);
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

void render_frame_destroy(struct render_frame *frame)
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
	free(frame);
}

/* Top to bottom, each node gets the damage that no opaque node above it covers. */
struct render_frame *render_frame_create(struct wlr_output *wlr_output, struct render_scan *scan,
	pixman_region32_t *damage, pixman_image_t *dest)
{
	struct render_frame *frame = calloc(1, sizeof(*frame));
	struct piece *pieces = calloc(scan->len + 1, sizeof(*pieces));
	if (frame == NULL || pieces == NULL) {
		free(frame);
		free(pieces);
		return NULL;
	}
	frame->pieces = pieces;
	frame->dest = pixman_image_ref(dest);
	pixman_region32_init(&frame->damage);
	pixman_region32_copy(&frame->damage, damage);

	pixman_region32_t covered;
	pixman_region32_init(&covered);
	for (size_t i = scan->len; i-- > 0;) {
		struct render_draw *d = &scan->draws[i];
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
		struct render_draw *d = &scan->draws[i];
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
			made = buffer_piece(wlr_output, d, piece);
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

void render_frame_draw(struct render_frame *frame)
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
