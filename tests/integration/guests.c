#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/wait.h>
#include <time.h>

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

/* --- Layout views (the test-layout-* tests) --- */

bool guests_line_value(const char *line, const char *key, char *value, size_t size)
{
	size_t klen = strlen(key);
	const char *p = line;
	while (*p != '\0') {
		while (*p == ' ') {
			p++;
		}
		const char *word = p;
		bool match = strncmp(word, key, klen) == 0 && word[klen] == '=';
		const char *v = strchr(word, '=');
		const char *space = strchr(word, ' ');
		if (v == NULL || (space != NULL && space < v)) {
			/* A bare word. */
			if (space == NULL) {
				return false;
			}
			p = space;
			continue;
		}
		v++;
		size_t n = 0;
		if (*v == '"') {
			v++;
			while (*v != '"' && *v != '\0') {
				if (*v == '\\' && (v[1] == '"' || v[1] == '\\')) {
					v++;
				}
				if (match && n + 1 < size) {
					value[n++] = *v;
				}
				v++;
			}
			if (*v == '"') {
				v++;
			}
		} else {
			while (*v != ' ' && *v != '\n' && *v != '\0') {
				if (match && n + 1 < size) {
					value[n++] = *v;
				}
				v++;
			}
		}
		if (match) {
			value[n] = '\0';
			return true;
		}
		p = v;
	}
	return false;
}

static long value_long(const char *line, const char *key)
{
	char buf[32];
	if (!guests_line_value(line, key, buf, sizeof(buf)) || strcmp(buf, "-") == 0) {
		return -1;
	}
	return strtol(buf, NULL, 10);
}

static bool parse_view(const char *line, struct view_info *v)
{
	char res[32], src[128];
	memset(v, 0, sizeof(*v));
	if (!guests_line_value(line, "label", v->label, sizeof(v->label)) ||
		!guests_line_value(line, "state", v->state, sizeof(v->state)) ||
		!guests_line_value(line, "output", v->output, sizeof(v->output)) ||
		!guests_line_value(line, "layout", v->layout, sizeof(v->layout)) ||
		!guests_line_value(line, "transform", v->transform, sizeof(v->transform)) ||
		!guests_line_value(line, "fit", v->fit, sizeof(v->fit)) ||
		!guests_line_value(line, "visible", v->visible, sizeof(v->visible)) ||
		!guests_line_value(line, "stale", v->stale, sizeof(v->stale)) ||
		!guests_line_value(line, "resolution", res, sizeof(res)) ||
		!guests_line_value(line, "src", src, sizeof(src)) ||
		sscanf(res, "%ldx%ld", &v->res_width, &v->res_height) != 2 ||
		sscanf(src, "%lf,%lf,%lf,%lf", &v->src_x, &v->src_y, &v->src_w, &v->src_h) != 4) {
		return false;
	}
	v->domid = value_long(line, "domid");
	v->dev = value_long(line, "dev");
	v->conn = value_long(line, "conn");
	v->x = value_long(line, "x");
	v->y = value_long(line, "y");
	v->width = value_long(line, "width");
	v->height = value_long(line, "height");
	v->z = value_long(line, "z");
	return true;
}

bool guests_find_view_nth(struct harness *h, const char *label, const char *output, int nth,
	struct view_info *out)
{
	char *text = harness_control(h, "surfaces");
	if (text == NULL) {
		return false;
	}
	bool found = false;
	for (char *line = strtok(text, "\n"); line != NULL && !found; line = strtok(NULL, "\n")) {
		struct view_info v;
		if (!parse_view(line, &v) || strcmp(v.label, label) != 0 ||
			(output != NULL && strcmp(v.output, output) != 0) || nth-- > 0) {
			continue;
		}
		*out = v;
		found = true;
	}
	free(text);
	return found;
}

bool guests_find_view(struct harness *h, const char *label, const char *output,
	struct view_info *out)
{
	return guests_find_view_nth(h, label, output, 0, out);
}

char *guests_control_reply(struct harness *h, const char *request)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", h->control);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return NULL;
	}
	size_t len = strlen(request);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
		send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len ||
		send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		close(fd);
		return NULL;
	}
	FILE *in = fdopen(fd, "r");
	if (in == NULL) {
		close(fd);
		return NULL;
	}
	size_t cap = 1 << 16, used = 0;
	char *text = calloc(1, cap);
	char line[4096];
	while (text != NULL && fgets(line, sizeof(line), in) != NULL) {
		size_t l = strlen(line);
		if (used + l + 1 > cap) {
			break;
		}
		memcpy(text + used, line, l + 1);
		used += l;
		if (strcmp(line, "ok\n") == 0 || strncmp(line, "error ", 6) == 0) {
			break;
		}
	}
	fclose(in);
	return text;
}

void guests_transform_point(const char *t, double u, double v, double *ou, double *ov)
{
	if (strcmp(t, "90") == 0) {
		*ou = 1 - v, *ov = u;
	} else if (strcmp(t, "180") == 0) {
		*ou = 1 - u, *ov = 1 - v;
	} else if (strcmp(t, "270") == 0) {
		*ou = v, *ov = 1 - u;
	} else if (strcmp(t, "flipped") == 0) {
		*ou = 1 - u, *ov = v;
	} else if (strcmp(t, "flipped-90") == 0) {
		*ou = v, *ov = u;
	} else if (strcmp(t, "flipped-180") == 0) {
		*ou = u, *ov = 1 - v;
	} else if (strcmp(t, "flipped-270") == 0) {
		*ou = 1 - v, *ov = 1 - u;
	} else {
		*ou = u, *ov = v;
	}
}

int guests_check_view(const uint32_t *pixels, int width, int height, const struct view_info *v,
	const struct view_info *above, const char *name, int tolerance, int *checked)
{
	uint32_t w = (uint32_t)v->res_width, h = (uint32_t)v->res_height;
	uint32_t bar_h = vguest_pattern_bar_height(h), text_w = vguest_pattern_text_width(w);
	/*
	 * Bar centres at three heights, three points across the band, and
	 * points a few pixels inside the edges between bars and between bars
	 * and band: a picture shifted or scaled wrongly by more than that
	 * shows the neighbour's colour there.
	 */
	uint32_t mx = w / 60 + 2, my = h / 60 + 2;
	uint32_t points[VGUEST_PATTERN_BARS * 7 + 3][2];
	size_t n = 0;
	for (uint32_t i = 0; i < VGUEST_PATTERN_BARS; i++) {
		uint32_t cx = vguest_pattern_bar_centre_x(i, w);
		uint32_t x0 = (uint32_t)(((uint64_t)i * w + 7) / 8);
		uint32_t x1 = (uint32_t)(((uint64_t)(i + 1) * w + 7) / 8);
		for (uint32_t k = 0; k < 3; k++) {
			points[n][0] = cx;
			points[n++][1] = bar_h * (2 * k + 1) / 6;
		}
		points[n][0] = x0 + mx;
		points[n++][1] = bar_h / 2;
		points[n][0] = x1 - 1 - mx;
		points[n++][1] = bar_h / 2;
		points[n][0] = cx;
		points[n++][1] = bar_h - 1 - my;
		if (x0 >= text_w) {
			points[n][0] = cx;
			points[n++][1] = bar_h + my;
		}
	}
	for (uint32_t k = 0; k < 3; k++) {
		points[n][0] = text_w + (w - text_w) * (2 * k + 1) / 6;
		points[n++][1] = (bar_h + h) / 2;
	}
	int bad = 0, count = 0;
	for (size_t i = 0; i < n; i++) {
		double u = (points[i][0] + 0.5 - v->src_x) / v->src_w;
		double t = (points[i][1] + 0.5 - v->src_y) / v->src_h;
		if (v->src_w <= 0 || v->src_h <= 0 || u < 0 || u >= 1 || t < 0 || t >= 1) {
			continue;
		}
		double su, sv;
		guests_transform_point(v->transform, u, t, &su, &sv);
		long ox = v->x + (long)(su * v->width), oy = v->y + (long)(sv * v->height);
		/* Stay off the edges, where rounding decides. */
		if (ox < v->x + 2 || oy < v->y + 2 || ox >= v->x + v->width - 2 ||
			oy >= v->y + v->height - 2 || ox < 0 || oy < 0 || ox >= width || oy >= height) {
			continue;
		}
		if (above != NULL && ox >= above->x - 2 && oy >= above->y - 2 &&
			ox < above->x + above->width + 2 && oy < above->y + above->height + 2) {
			continue;
		}
		count++;
		uint32_t want = vguest_pattern_pixel(name, 0, w, h, points[i][0], points[i][1]);
		uint32_t got = pixels[oy * width + ox];
		if (!colour_close(got, want, tolerance)) {
			if (bad == 0) {
				fprintf(stderr,
					"%s: guest pixel %u,%u is %06x on screen at %ld,%ld, expected "
					"%06x\n",
					v->label, points[i][0], points[i][1], got, ox, oy, want);
			}
			bad++;
		}
	}
	if (checked != NULL) {
		*checked = count;
	}
	return bad;
}

void guests_count_placeholder(const uint32_t *pixels, int width, int height, long x, long y,
	long w, long h, uint32_t colour, long *flat, long *light, long *other)
{
	*flat = *light = *other = 0;
	int base = (int)(((colour >> 16) & 0xff) + ((colour >> 8) & 0xff) + (colour & 0xff));
	for (long py = y; py < y + h; py++) {
		for (long px = x; px < x + w; px++) {
			if (px < 0 || py < 0 || px >= width || py >= height) {
				continue;
			}
			uint32_t p = pixels[py * width + px];
			int sum = (int)(((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff));
			if (colour_close(p, colour, 2)) {
				(*flat)++;
			} else if (sum > base + 120) {
				(*light)++;
			} else {
				(*other)++;
			}
		}
	}
}

bool guests_source_file(const char *relative, char *out, size_t size)
{
	/* This file is tests/integration/guests.c: the top is three levels up. */
	char here[1024];
	snprintf(here, sizeof(here), "%s", __FILE__);
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(here, '/');
		if (slash == NULL) {
			snprintf(here, sizeof(here), ".");
			break;
		}
		*slash = '\0';
	}
	int n = snprintf(out, size, "%s/%s", here, relative);
	return n > 0 && (size_t)n < size && access(out, R_OK) == 0;
}

bool guests_copy_replacing(const char *src, const char *dst, const char *const pairs[][2])
{
	FILE *in = fopen(src, "r");
	if (in == NULL) {
		return false;
	}
	static char text[1 << 16];
	size_t len = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[len] = '\0';
	FILE *out = fopen(dst, "w");
	if (out == NULL) {
		return false;
	}
	for (const char *p = text; *p != '\0';) {
		bool replaced = false;
		for (size_t i = 0; pairs != NULL && pairs[i][0] != NULL; i++) {
			size_t l = strlen(pairs[i][0]);
			if (strncmp(p, pairs[i][0], l) == 0) {
				fputs(pairs[i][1], out);
				p += l;
				replaced = true;
				break;
			}
		}
		if (!replaced) {
			fputc(*p++, out);
		}
	}
	return fclose(out) == 0;
}

int guests_follow(struct harness *h)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", h->control);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
		send(fd, "follow\n", 7, MSG_NOSIGNAL) != 7) {
		close(fd);
		return -1;
	}
	return fd;
}

bool guests_follow_wait(int fd, const char *needle, int timeout_ms, char *line, size_t size)
{
	static char buf[65536];
	static size_t len;
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		char *nl;
		while ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			bool match = strstr(buf, needle) != NULL;
			if (match && line != NULL) {
				snprintf(line, size, "%s", buf);
			}
			if (match || strncmp(buf, "event frame ", 12) != 0) {
				fprintf(stderr, "follow: %s\n", buf);
			}
			size_t used = (size_t)(nl - buf) + 1;
			memmove(buf, buf + used, len - used);
			len -= used;
			if (match) {
				return true;
			}
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			return false;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, (int)left) <= 0) {
			continue;
		}
		if (len == sizeof(buf) - 1) {
			len = 0;
		}
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			return false;
		}
		len += (size_t)n;
	}
}

static char scratch_dir[256];

static void remove_scratch(void)
{
	if (scratch_dir[0] != '\0') {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir);
		if (system(cmd) != 0) {
			fprintf(stderr, "cannot remove %s\n", scratch_dir);
		}
	}
}

const char *guests_scratch_dir(void)
{
	if (scratch_dir[0] == '\0') {
		snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/mosaic-layout-XXXXXX");
		CHECK(mkdtemp(scratch_dir) != NULL, "mkdtemp failed");
		atexit(remove_scratch);
		/* mosaic's Wayland socket goes here: wtype finds it by XDG_RUNTIME_DIR. */
		setenv("XDG_RUNTIME_DIR", scratch_dir, 1);
	}
	return scratch_dir;
}

struct proc *guests_wayland_spawn(const char *program, const char *const args[])
{
	const char *dir = guests_scratch_dir();
	char socket_name[64] = "";
	/* mosaic makes its Wayland socket once it has made its control socket: wait for it. */
	int64_t deadline = now_ms() + 10000;
	while (socket_name[0] == '\0') {
		DIR *d = opendir(dir);
		CHECK(d != NULL, "cannot read %s", dir);
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "wayland-", 8) == 0 && strchr(e->d_name, '.') == NULL) {
				snprintf(socket_name, sizeof(socket_name), "%s", e->d_name);
			}
		}
		closedir(d);
		CHECK(socket_name[0] != '\0' || now_ms() < deadline,
			"mosaic has no Wayland socket in %s", dir);
		if (socket_name[0] == '\0') {
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
		}
	}
	char *argv[16] = {(char *)program};
	int argc = 1;
	for (int i = 0; args[i] != NULL && argc < 15; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	char env_display[96];
	snprintf(env_display, sizeof(env_display), "WAYLAND_DISPLAY=%s", socket_name);
	char *env[] = {env_display, NULL};
	const char *name = strrchr(program, '/');
	return proc_spawn(name != NULL ? name + 1 : program, argv, env);
}

struct proc *guests_wtype_spawn(const char *const args[])
{
	return guests_wayland_spawn("/usr/bin/wtype", args);
}

int guests_wtype(const char *const args[])
{
	struct proc *proc = guests_wtype_spawn(args);
	int status = proc_wait_exit(proc, 10000);
	CHECK(status != -1, "wtype did not finish");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The output's scale (`outputs`: scale=), 1 if mosaic does not say. */
static double output_scale(struct harness *h, const char *output)
{
	char *reply = harness_control(h, "outputs");
	char want[64];
	snprintf(want, sizeof(want), "output name=%s ", output);
	const char *line = reply != NULL ? strstr(reply, want) : NULL;
	double scale = 1;
	if (line == NULL || !line_get_double(line, "scale", &scale) || scale <= 0) {
		scale = 1;
	}
	free(reply);
	return scale;
}

/* A view's box (layout units, as `surfaces` gives it) in its output's pixels. */
static struct view_info in_pixels(const struct view_info *v, double scale)
{
	struct view_info p = *v;
	p.x = lround(v->x * scale);
	p.y = lround(v->y * scale);
	p.width = lround(v->width * scale);
	p.height = lround(v->height * scale);
	return p;
}

void guests_wait_view(struct harness *h, const char *label, const char *output, int nth,
	const char *name, const struct view_info *above, struct view_info *v)
{
	int64_t deadline = now_ms() + 10000;
	/* Screenshots are in the output's pixels: views and what is above them, scaled. */
	double scale = output_scale(h, output);
	for (;;) {
		CHECK(guests_find_view_nth(h, label, output, nth, v), "no view #%d of %s on %s", nth,
			label, output);
		struct view_info a = above != NULL ? in_pixels(above, scale) : (struct view_info){0};
		struct view_info px = in_pixels(v, scale);
		if (strcmp(v->state, "connected") == 0 && v->width > 0) {
			uint32_t *pixels;
			int w, hgt;
			CHECK(harness_screenshot(h, output, &pixels, &w, &hgt), "screenshot of %s failed",
				output);
			int checked = 0;
			int bad = guests_check_view(
				pixels, w, hgt, &px, above != NULL ? &a : NULL, name, 2, &checked);
			if (bad == 0 && checked >= 8) {
				free(pixels);
				return;
			}
			if (now_ms() >= deadline) {
				char path[160];
				snprintf(path, sizeof(path), "test-layout-%s-%s.png", name, output);
				harness_save_png(path, pixels, w, hgt);
				fail("%s on %s: %d of %d samples off (capture written to %s)", label,
					output, bad, checked, path);
			}
			free(pixels);
		}
		CHECK(now_ms() < deadline, "%s is %s on %s", label, v->state, output);
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}
}

long guests_flips_ok(struct proc *guest)
{
	char line[512];
	CHECK(proc_wait_line(guest, "flips=", 10000, line, sizeof(line)), "%s stopped reporting",
		guest->name);
	long flips, timeouts, errors;
	CHECK(line_get_int(line, "flips", &flips) && line_get_int(line, "timeouts", &timeouts) &&
			line_get_int(line, "errors", &errors),
		"unexpected report: %s", line);
	CHECK(timeouts == 0 && errors == 0, "%s: %s", guest->name, line);
	return flips;
}

double guests_flip_rate(struct proc *guest, int reports)
{
	long first = guests_flips_ok(guest);
	int64_t t0 = now_ms();
	long last = first;
	for (int i = 0; i < reports; i++) {
		last = guests_flips_ok(guest);
	}
	return (double)(last - first) * 1000.0 / (double)(now_ms() - t0);
}

long guests_mapped_by_others(struct harness *h, int domid)
{
	char id[16];
	snprintf(id, sizeof(id), "%d", domid);
	const char *args[] = {"stats", "--domid", id, NULL};
	char *out = harness_xensim_output(h, args);
	CHECK(out != NULL, "xensim stats failed");
	long n = -1;
	CHECK(line_get_int(out, "mapped_by_others", &n), "no mapped_by_others in: %s", out);
	free(out);
	return n;
}

long guests_flips_accepted(struct harness *h, const char *name)
{
	char *out = harness_control(h, "guests");
	CHECK(out != NULL, "guests failed");
	char needle[64];
	snprintf(needle, sizeof(needle), "guest name=%s ", name);
	const char *line = strstr(out, needle);
	long flips = -1;
	CHECK(line != NULL && line_get_int(line, "flips", &flips), "no flips for %s in: %s", name,
		out);
	free(out);
	return flips;
}

long guests_mosaic_rss_kb(struct harness *h)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)h->mosaic->pid);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	long kb = -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb;
}

static void invert_name(const char *t, char *out, size_t size)
{
	snprintf(out, size, "%s", strcmp(t, "90") == 0 ? "270" : strcmp(t, "270") == 0 ? "90" : t);
}

void guests_view_point(const struct view_info *v, double px, double py, double *gx, double *gy)
{
	char inv[16];
	invert_name(v->transform, inv, sizeof(inv));
	double su, sv;
	guests_transform_point(inv, (px - v->x) / v->width, (py - v->y) / v->height, &su, &sv);
	*gx = v->src_x + su * v->src_w;
	*gy = v->src_y + sv * v->src_h;
}

void guests_wait_app_view(struct harness *h, const char *label, const char *output,
	const char *app_id, long width, long height, struct view_info *v)
{
	int64_t deadline = now_ms() + 10000;
	while (!guests_find_view(h, label, output, v) || v->res_width != width ||
		v->res_height != height) {
		CHECK(now_ms() < deadline, "%s never showed a %ldx%ld picture", label, width, height);
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	}
	guests_wait_view(h, label, output, 0, app_id, NULL, v);
}

void guests_check_point(const char *line, double x, double y)
{
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", line);
	double v[2] = {NAN, NAN};
	for (char *save, *tok = strtok_r(copy, " ", &save); tok != NULL;
		tok = strtok_r(NULL, " ", &save)) {
		v[0] = v[1];
		v[1] = strtod(tok, NULL);
	}
	CHECK(fabs(v[0] - x) < 1.01 && fabs(v[1] - y) < 1.01, "'%s': expected %.2f %.2f", line, x,
		y);
}
