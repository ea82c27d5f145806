#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mosaicctl/compare.h"
#include "mosaicctl/expect.h"
#include "protocol/control.h"
#include "protocol/png.h"

/* "dir/name.png" -> "name" */
static void base_name(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	snprintf(out, size, "%s", slash != NULL ? slash + 1 : path);
	size_t len = strlen(out);
	if (len > 4 && strcmp(out + len - 4, ".png") == 0) {
		out[len - 4] = '\0';
	}
}

static bool make_dir(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0777) < 0 && errno != EEXIST) {
				return false;
			}
			*p = '/';
		}
	}
	return mkdir(path, 0777) == 0 || errno == EEXIST;
}

static bool save(const char *path, const uint32_t *pixels, int width, int height)
{
	char why[256];
	if (!png_save_xrgb8888(path, pixels, width, height, why, sizeof(why))) {
		fprintf(stderr, "mosaicctl: cannot write %s: %s\n", path, why);
		return false;
	}
	return true;
}

void expect_report_match(
	const struct ctl *ctl, const struct expect *e, const struct capture *c, uint64_t compared)
{
	char line[1500], q1[1300];
	snprintf(line, sizeof(line),
		"expect result=match reference=%s compared=%" PRIu64 " output=%s seq=%lu captures=%d",
		control_quote(e->reference, q1, sizeof(q1)), compared, c->output, c->seq, e->tries);
	ctl_print_line(ctl, "expect", line);
}

void expect_report_progress(const struct ctl *ctl, const struct expect *e,
	const struct capture *c, const struct compare_result *r)
{
	char line[256];
	snprintf(line, sizeof(line),
		"capture n=%d output=%s seq=%lu width=%d height=%d differing=%" PRIu64, e->tries,
		c->output, c->seq, c->width, c->height,
		r != NULL ? r->differing : (uint64_t)c->width * c->height);
	ctl_print_line(ctl, "expect", line);
	fflush(stdout);
}

void expect_report_missing(const struct ctl *ctl, const struct expect *e, const struct capture *c)
{
	bool wrote = save(e->reference, c->pixels, c->width, c->height);
	fprintf(stderr,
		"mosaicctl: expect: there was no %s: %s the capture (%dx%d) "
		"there; look at it before you keep it\n",
		e->reference, wrote ? "wrote" : "could not write", c->width, c->height);
	char line[1500], q1[1300];
	snprintf(line, sizeof(line), "expect result=missing reference=%s capture=%s",
		control_quote(e->reference, q1, sizeof(q1)), wrote ? "written" : "-");
	ctl_print_line(ctl, "expect", line);
}

/* The capture is not the reference's size: nothing was compared. */
static void report_size(const struct ctl *ctl, const struct expect *e, const struct capture *c,
	const char *capture_path)
{
	fprintf(stderr,
		"mosaicctl: expect %s: the capture is %dx%d, the reference %dx%d\n"
		"mosaicctl: capture: %s\n",
		e->reference, c->width, c->height, e->reference_width, e->reference_height,
		capture_path != NULL ? capture_path : "(not written)");
	char line[3000], q1[1300], q2[1300];
	snprintf(line, sizeof(line),
		"expect result=size reference=%s width=%d height=%d reference-width=%d "
		"reference-height=%d capture=%s",
		control_quote(e->reference, q1, sizeof(q1)), c->width, c->height,
		e->reference_width, e->reference_height,
		control_quote(capture_path != NULL ? capture_path : "-", q2, sizeof(q2)));
	ctl_print_line(ctl, "expect", line);
}

static void report_differ(const struct ctl *ctl, const struct expect *e, const struct capture *c,
	const struct compare_result *r, const char *capture_path, const char *diff_path)
{
	fprintf(stderr,
		"mosaicctl: expect %s: %" PRIu64 " of %" PRIu64
		" pixels differ by more than %d,%d,%d (R,G,B), within %d,%d %dx%d; the first at "
		"%d,%d is %06x, the reference %06x (%d capture%s, timeout %d ms)\n"
		"mosaicctl: capture: %s\nmosaicctl: diff: %s\n",
		e->reference, r->differing, r->compared, e->options.tolerance[0],
		e->options.tolerance[1], e->options.tolerance[2], r->box.x, r->box.y, r->box.width,
		r->box.height, r->first_x, r->first_y, r->first_capture, r->first_reference,
		e->tries, e->tries == 1 ? "" : "s", e->timeout_ms,
		capture_path != NULL ? capture_path : "(not written)",
		diff_path != NULL ? diff_path : "(not written)");
	char line[3000], q1[1300], q2[1300], q3[1300];
	snprintf(line, sizeof(line),
		"expect result=differ reference=%s differing=%" PRIu64 " compared=%" PRIu64
		" x=%d y=%d width=%d height=%d max-delta=%d,%d,%d output=%s seq=%lu capture=%s "
		"diff=%s",
		control_quote(e->reference, q1, sizeof(q1)), r->differing, r->compared, r->box.x,
		r->box.y, r->box.width, r->box.height, r->max_delta[0], r->max_delta[1],
		r->max_delta[2], c->output, c->seq,
		control_quote(capture_path != NULL ? capture_path : "-", q2, sizeof(q2)),
		control_quote(diff_path != NULL ? diff_path : "-", q3, sizeof(q3)));
	ctl_print_line(ctl, "expect", line);
}

void expect_report_mismatch(const struct ctl *ctl, const struct expect *e,
	const struct capture *c, const struct compare_result *r)
{
	char name[256], capture_path[1200], diff_path[1200];
	base_name(e->reference, name, sizeof(name));
	snprintf(capture_path, sizeof(capture_path), "%s/%s-actual.png", e->diff_dir, name);
	snprintf(diff_path, sizeof(diff_path), "%s/%s-diff.png", e->diff_dir, name);
	if (!make_dir(e->diff_dir)) {
		fprintf(stderr, "mosaicctl: cannot create %s: %s\n", e->diff_dir, strerror(errno));
	}
	bool wrote = save(capture_path, c->pixels, c->width, c->height);
	if (r == NULL) {
		report_size(ctl, e, c, wrote ? capture_path : NULL);
		return;
	}
	uint32_t *diff = compare_diff_picture(
		e->reference_pixels, c->pixels, c->width, c->height, &e->options);
	bool wrote_diff = diff != NULL && save(diff_path, diff, c->width, c->height);
	free(diff);
	report_differ(ctl, e, c, r, wrote ? capture_path : NULL, wrote_diff ? diff_path : NULL);
}
