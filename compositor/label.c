#include <cairo.h>
#include <drm_fourcc.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/util/log.h>

#include "compositor/label.h"
#include "compositor/wlr_compat.h"
#include "vm-surfaces/buffer.h"

#define LABEL_FONT "DejaVu Sans"
#define LABEL_MAX_SIZE 64.0
#define LABEL_MIN_SIZE 6.0

/* The font size at which text fits in max_width x max_height, or 0. */
static double fit_size(cairo_t *cr, const char *text, int max_width, int max_height)
{
	double size = fmin(LABEL_MAX_SIZE, max_height / 3.0);
	cairo_set_font_size(cr, size);
	cairo_text_extents_t ext;
	cairo_text_extents(cr, text, &ext);
	double avail = max_width * 0.9;
	if (ext.x_advance > avail && ext.x_advance > 0) {
		size *= avail / ext.x_advance;
	}
	return size >= LABEL_MIN_SIZE ? size : 0;
}

struct wlr_buffer *label_create(const char *text, uint32_t background, int max_width,
	int max_height)
{
	if (text == NULL || text[0] == '\0' || max_width <= 0 || max_height <= 0) {
		return NULL;
	}
	/* Measure on a scratch surface first: the buffer is sized to the text. */
	cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
	cairo_t *cr = cairo_create(scratch);
	cairo_select_font_face(cr, LABEL_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	double size = fit_size(cr, text, max_width, max_height);
	cairo_font_extents_t font;
	cairo_text_extents_t ext;
	cairo_set_font_size(cr, size > 0 ? size : LABEL_MIN_SIZE);
	cairo_font_extents(cr, &font);
	cairo_text_extents(cr, text, &ext);
	bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS && size > 0;
	cairo_destroy(cr);
	cairo_surface_destroy(scratch);
	if (!ok) {
		return NULL;
	}

	int pad = (int)ceil(size / 4);
	int width = (int)ceil(ext.x_advance) + 2 * pad;
	int height = (int)ceil(font.ascent + font.descent) + 2 * pad;
	if (width > max_width) {
		width = max_width;
	}
	if (height > max_height) {
		height = max_height;
	}
	/* cairo's RGB24 is XRGB8888 with a stride of width * 4 at these widths. */
	if (cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, width) != width * 4) {
		return NULL;
	}
	struct vm_buffer *buffer = vm_buffer_create_memory(width, height, DRM_FORMAT_XRGB8888);
	if (buffer == NULL) {
		return NULL;
	}
	cairo_surface_t *surface = cairo_image_surface_create_for_data(
		buffer->data, CAIRO_FORMAT_RGB24, width, height, width * 4);
	cr = cairo_create(surface);
	cairo_set_source_rgb(cr, ((background >> 16) & 0xff) / 255.0,
		((background >> 8) & 0xff) / 255.0, (background & 0xff) / 255.0);
	cairo_paint(cr);
	cairo_select_font_face(cr, LABEL_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, size);
	cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
	cairo_move_to(cr, pad - ext.x_bearing, pad + font.ascent);
	cairo_show_text(cr, text);
	cairo_surface_flush(surface);
	ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	if (!ok) {
		wlr_log(WLR_ERROR, "Cannot draw the label '%s'", text);
		wlr_buffer_drop(&buffer->base);
		return NULL;
	}
	return &buffer->base;
}

void label_finish(void)
{
	/* Fonts and their caches: gone at exit, so that leak checkers see real leaks only. */
	cairo_debug_reset_static_data();
	FcFini();
}

struct wlr_scene_buffer *label_node_create(struct wlr_scene_tree *parent, struct wlr_buffer *label)
{
	struct wlr_scene_buffer *node = wlr_scene_buffer_create(parent, label);
	if (node == NULL) {
		return NULL;
	}
	/* Without a source box, not every wlroots scales a buffer with its output. */
	struct wlr_fbox src = {0, 0, label->width, label->height};
	wlr_scene_buffer_set_source_box(node, &src);
	wlr_scene_buffer_set_dest_size(node, label->width, label->height);
	wlr_scene_buffer_set_filter_mode(node, WLR_SCALE_FILTER_NEAREST);
	return node;
}
