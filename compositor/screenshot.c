#include <drm_fourcc.h>
#include <math.h>
#include <pixman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/output.h"
#include "compositor/render.h"
#include "compositor/screenshot.h"
#include "compositor/server.h"
#include "compositor/apps.h"
#include "compositor/surface.h"
#include "compositor/view.h"
#include "compositor/wlr_compat.h"
#include "protocol/control.h"
#include "vm-surfaces/buffer.h"

/*
 * As mosaic draws the output's frames (render.c), when it does: the same
 * pixels as wlroots' scene renderer, in about half the time. NULL if the
 * output is one wlroots draws.
 */
static uint32_t *render_output_mosaic(struct mosaic_output *output)
{
	return output->server->wlroots_render ? NULL : render_scene_pixels(output->render);
}

/* The whole output; pixels as a vm_buffer's memory, which the caller takes. */
static uint32_t *render_output(struct mosaic_output *output)
{
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_renderer *renderer = output->server->renderer;
	uint32_t *mosaic = render_output_mosaic(output);
	if (mosaic != NULL) {
		return mosaic;
	}
	struct vm_buffer *buffer =
		vm_buffer_create_memory(wlr_output->width, wlr_output->height, DRM_FORMAT_XRGB8888);
	if (buffer == NULL) {
		return NULL;
	}
	if (!compat_scene_output_render_into(
		    output->scene_output, renderer, output->server->allocator, &buffer->base)) {
		wlr_log(WLR_ERROR, "Screenshots need a renderer that draws into memory (pixman)");
		wlr_buffer_drop(&buffer->base);
		return NULL;
	}
	/* Keep the pixels, drop the buffer around them. */
	uint32_t *pixels = buffer->data;
	buffer->data = NULL;
	wlr_buffer_drop(&buffer->base);
	return pixels;
}

bool screenshot_capture(struct mosaic_output *output, const struct wlr_box *box, uint32_t **pixels,
	int *width, int *height)
{
	struct wlr_output *wlr_output = output->wlr_output;
	struct wlr_box all = {0, 0, wlr_output->width, wlr_output->height}, part = all;
	if (box != NULL && !wlr_box_intersection(&part, box, &all)) {
		return false;
	}
	if (wlr_box_empty(&part)) {
		return false;
	}
	uint32_t *whole = render_output(output);
	if (whole == NULL) {
		return false;
	}
	if (part.width == all.width && part.height == all.height) {
		*pixels = whole;
	} else {
		uint32_t *cut = malloc((size_t)part.width * part.height * 4);
		if (cut == NULL) {
			free(whole);
			return false;
		}
		for (int y = 0; y < part.height; y++) {
			memcpy(cut + (size_t)y * part.width,
				whole + (size_t)(part.y + y) * all.width + part.x,
				(size_t)part.width * 4);
		}
		free(whole);
		*pixels = cut;
	}
	*width = part.width;
	*height = part.height;
	return true;
}

/* Output-local layout coordinates to the output's pixels, as the scene renders them. */
static void to_output_pixels(struct wlr_output *output, struct wlr_box *box)
{
	double s = output->scale;
	int x0 = (int)round(box->x * s), y0 = (int)round(box->y * s);
	int x1 = (int)round((box->x + box->width) * s), y1 = (int)round((box->y + box->height) * s);
	*box = (struct wlr_box){x0, y0, x1 - x0, y1 - y0};
	int tw, th;
	wlr_output_transformed_resolution(output, &tw, &th);
	wlr_box_transform(box, box, wlr_output_transform_invert(output->transform), tw, th);
}

bool screenshot_guest_box(struct mosaic_server *server, const struct control_guest *guest,
	struct mosaic_output **output, struct wlr_box *box, char *why, size_t why_size)
{
	bool connected = false;
	struct mosaic_surface *surface;
	wl_list_for_each(surface, &server->surfaces, link) {
		if (surface->connector == NULL ||
			!control_guest_matches(guest, surface->name, surface->domid, surface->devid,
				surface->index)) {
			continue;
		}
		connected = true;
		struct mosaic_view *view;
		wl_list_for_each(view, &server->views, link) {
			if (view->params.surface != surface || view->content == NULL ||
				view->tree == NULL || wlr_box_empty(&view->box) ||
				(*output != NULL && view->params.output != *output)) {
				continue;
			}
			*output = view->params.output;
			*box = view->box;
			to_output_pixels((*output)->wlr_output, box);
			return true;
		}
	}
	/* Not a guest's connector: an app's window, by app_id or layout label. */
	bool app_known = false;
	struct mosaic_view *view;
	wl_list_for_each(view, &server->views, link) {
		if (connected || view->params.app == NULL || guest->domid >= 0 || guest->dev != 0 ||
			guest->conn != 0 ||
			(strcmp(app_get_app_id(view->params.app), guest->name) != 0 &&
				(view->label == NULL || strcmp(view->label, guest->name) != 0))) {
			continue;
		}
		app_known = true;
		if (view->content == NULL || view->tree == NULL || wlr_box_empty(&view->box) ||
			(*output != NULL && view->params.output != *output)) {
			continue;
		}
		*output = view->params.output;
		*box = view->box;
		to_output_pixels((*output)->wlr_output, box);
		return true;
	}
	snprintf(why, why_size, "%s",
		connected || app_known ? "not shown there" : "not connected");
	return false;
}
