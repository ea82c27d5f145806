#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests.h"
#include "pattern.h"

bool colour_close(uint32_t a, uint32_t b, int tolerance)
{
	for (int shift = 0; shift < 24; shift += 8) {
		int d = (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);
		if (d > tolerance || d < -tolerance) {
			return false;
		}
	}
	return true;
}

bool guests_find_surface(struct harness *h, long domid, long dev, long conn,
	struct surface_info *out)
{
	char *text = harness_control(h, "surfaces");
	if (text == NULL) {
		return false;
	}
	bool found = false;
	for (char *line = strtok(text, "\n"); line != NULL && !found; line = strtok(NULL, "\n")) {
		struct surface_info s = {0};
		char res[32];
		if (!line_get_int(line, "domid", &s.domid) || !line_get_int(line, "dev", &s.dev) ||
			!line_get_int(line, "conn", &s.conn) || s.domid != domid || s.dev != dev ||
			s.conn != conn) {
			continue;
		}
		found = line_get(line, "label", s.label, sizeof(s.label)) &&
			line_get(line, "state", s.state, sizeof(s.state)) &&
			line_get_int(line, "x", &s.x) && line_get_int(line, "y", &s.y) &&
			line_get_int(line, "width", &s.width) &&
			line_get_int(line, "height", &s.height) &&
			line_get(line, "resolution", res, sizeof(res)) &&
			sscanf(res, "%ldx%ld", &s.res_width, &s.res_height) == 2;
		if (found) {
			*out = s;
		}
	}
	free(text);
	return found;
}

static uint32_t sample(const uint32_t *pixels, int width, int height,
	const struct surface_info *s, uint32_t gx, uint32_t gy)
{
	/* The pixel centre of guest (gx, gy) as scaled onto the output. */
	long ox = s->x + (long)(((double)gx + 0.5) * s->width / s->res_width);
	long oy = s->y + (long)(((double)gy + 0.5) * s->height / s->res_height);
	if (ox < 0 || oy < 0 || ox >= width || oy >= height) {
		return 0xff000000u;
	}
	return pixels[oy * width + ox];
}

static int check_points(const uint32_t *pixels, int width, int height,
	const struct surface_info *s, const char *name, uint32_t format, int tolerance)
{
	uint32_t w = (uint32_t)s->res_width, h = (uint32_t)s->res_height;
	uint32_t bar_h = vguest_pattern_bar_height(h);
	uint32_t text_w = vguest_pattern_text_width(w);
	uint32_t points[VGUEST_PATTERN_BARS + 1][2];
	for (uint32_t i = 0; i < VGUEST_PATTERN_BARS; i++) {
		points[i][0] = vguest_pattern_bar_centre_x(i, w);
		points[i][1] = bar_h / 2;
	}
	points[VGUEST_PATTERN_BARS][0] = (text_w + w) / 2;
	points[VGUEST_PATTERN_BARS][1] = (bar_h + h) / 2;

	int bad = 0;
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		uint32_t want = format == 0 ?
			vguest_pattern_pixel(name, 0, w, h, points[i][0], points[i][1]) :
			vguest_pattern_expected(name, 0, w, h, points[i][0], points[i][1], format);
		uint32_t got = sample(pixels, width, height, s, points[i][0], points[i][1]);
		if (!colour_close(got, want, tolerance)) {
			if (bad == 0) {
				fprintf(stderr, "%s: guest pixel %u,%u is %06x on screen, expected %06x\n",
					s->label, points[i][0], points[i][1], got, want);
			}
			bad++;
		}
	}
	return bad;
}

int guests_check_pattern(const uint32_t *pixels, int width, int height,
	const struct surface_info *s, const char *name, int tolerance)
{
	return check_points(pixels, width, height, s, name, 0, tolerance);
}

int guests_check_pattern_format(const uint32_t *pixels, int width, int height,
	const struct surface_info *s, const char *name, uint32_t format)
{
	return check_points(pixels, width, height, s, name, format,
		vguest_pattern_tolerance(format));
}

uint32_t guests_centre_colour(const uint32_t *pixels, int width, int height,
	const struct surface_info *s)
{
	long ox = s->x + s->width / 2, oy = s->y + s->height / 2;
	if (ox < 0 || oy < 0 || ox >= width || oy >= height) {
		return 0xff000000u;
	}
	return pixels[oy * width + ox];
}
