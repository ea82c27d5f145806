#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "protocol/compare.h"
#include "protocol/control.h"
#include "protocol/mosaicctl.h"
#include "protocol/png.h"

#define MAX_MASKS 64

/* What to capture: an output (NULL: the first), a rectangle of it, or a guest's picture. */
struct target {
	const char *output;
	const char *rect; // "rect=X,Y,W,H" for the request
	const char *guest;
	char rect_word[64], guest_word[160];
};

struct capture {
	uint32_t *pixels; // XRGB8888
	int width, height;
	char output[128];  // the output it came from
	unsigned long seq; // the output's frame it shows (or a later one)
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool parse_seconds(const char *text, int *ms)
{
	char *end;
	errno = 0;
	double s = strtod(text, &end);
	if (end == text || *end != '\0' || errno != 0 || !(s >= 0) || s > 3600) {
		return false;
	}
	*ms = (int)lround(s * 1000);
	return true;
}

/* Takes the target's options; false (with a message) for a bad one. *i is at the option. */
static bool target_option(struct target *t, int argc, char **argv, int *i, bool *taken)
{
	*taken = false;
	const char *arg = argv[*i];
	if (*i + 1 >= argc) {
		return true;
	}
	if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
		t->output = argv[++*i];
	} else if (strcmp(arg, "--rect") == 0) {
		struct compare_rect r;
		if (!compare_parse_rect(argv[*i + 1], &r)) {
			fprintf(stderr, "mosaicctl: --rect wants X,Y,WxH, got '%s'\n",
				argv[*i + 1]);
			return false;
		}
		snprintf(t->rect_word, sizeof(t->rect_word), "rect=%d,%d,%d,%d", r.x, r.y, r.width,
			r.height);
		t->rect = t->rect_word;
		++*i;
	} else if (strcmp(arg, "--surface") == 0) {
		struct control_guest g;
		if (!control_parse_guest(argv[*i + 1], &g)) {
			fprintf(stderr,
				"mosaicctl: --surface wants NAME or DOMID, then :CONN or "
				":DEV.CONN, got '%s'\n",
				argv[*i + 1]);
			return false;
		}
		snprintf(t->guest_word, sizeof(t->guest_word), "surface=%s", argv[*i + 1]);
		t->guest = t->guest_word;
		++*i;
	} else {
		return true;
	}
	*taken = true;
	if (t->rect != NULL && t->guest != NULL) {
		fprintf(stderr, "mosaicctl: --rect and --surface do not go together\n");
		return false;
	}
	return true;
}

/* The screenshot request for a target. */
static void target_words(const struct target *t, const char *words[5])
{
	int n = 0;
	words[n++] = "screenshot";
	if (t->output != NULL) {
		words[n++] = t->output;
	}
	if (t->rect != NULL) {
		words[n++] = t->rect;
	}
	if (t->guest != NULL) {
		words[n++] = t->guest;
	}
	words[n] = NULL;
}

/* The value of key in the reply's "type" line; "" if absent. */
static void reply_value(
	const char *lines, const char *type, const char *key, char *out, size_t size)
{
	out[0] = '\0';
	char copy[CONTROL_MAX_LINE];
	for (const char *p = lines; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		snprintf(copy, sizeof(copy), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		struct control_field fields[CONTROL_MAX_FIELDS];
		int count = control_parse_fields(copy, fields, CONTROL_MAX_FIELDS);
		if (count < 1 || fields[0].key != NULL || strcmp(fields[0].value, type) != 0) {
			continue;
		}
		for (int i = 1; i < count; i++) {
			if (fields[i].key != NULL && strcmp(fields[i].key, key) == 0) {
				snprintf(out, size, "%s", fields[i].value);
				return;
			}
		}
	}
}

/*
 * 1: captured; 0: mosaic answered an error (in why); -1: mosaic cannot be
 * reached, or its picture is broken (said on stderr).
 */
static int capture(const struct ctl *ctl, const struct target *t, struct capture *c, char *why,
	size_t why_size)
{
	const char *words[5];
	target_words(t, words);
	struct ctl_reply reply;
	if (!ctl_request(ctl, words, &reply)) {
		return -1;
	}
	if (reply.error[0] != '\0') {
		snprintf(why, why_size, "%s", reply.error);
		ctl_reply_finish(&reply);
		return 0;
	}
	char seq[32], decode_why[256];
	reply_value(reply.lines, "screenshot", "output", c->output, sizeof(c->output));
	reply_value(reply.lines, "screenshot", "seq", seq, sizeof(seq));
	c->seq = strtoul(seq, NULL, 10);
	bool ok =
		reply.png != NULL && png_decode_argb8888(reply.png, reply.png_len, &c->pixels,
					     &c->width, &c->height, decode_why, sizeof(decode_why));
	ctl_reply_finish(&reply);
	if (!ok) {
		fprintf(stderr, "mosaicctl: mosaic sent no picture, or a broken one\n");
		return -1;
	}
	return 1;
}

int ctl_screenshot(const struct ctl *ctl, int argc, char **argv)
{
	struct target t = {0};
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		bool taken;
		if (!target_option(&t, argc, argv, &i, &taken)) {
			return 2;
		}
		if (taken) {
			continue;
		}
		if (path != NULL || (argv[i][0] == '-' && argv[i][1] != '\0')) {
			fprintf(stderr, "mosaicctl: screenshot: unexpected '%s' (see --help)\n",
				argv[i]);
			return 2;
		}
		path = argv[i];
	}
	if (path == NULL) {
		fprintf(stderr, "mosaicctl: screenshot wants a FILE (- for stdout)\n");
		return 2;
	}
	const char *words[5];
	target_words(&t, words);
	struct ctl_reply reply;
	if (!ctl_request(ctl, words, &reply)) {
		return 1;
	}
	if (reply.error[0] != '\0' || reply.png == NULL) {
		fprintf(stderr, "mosaicctl: %s\n",
			reply.error[0] ? reply.error : "no picture came");
		ctl_reply_finish(&reply);
		return 1;
	}
	bool to_stdout = strcmp(path, "-") == 0;
	FILE *out = to_stdout ? stdout : fopen(path, "wb");
	bool ok = out != NULL && fwrite(reply.png, 1, reply.png_len, out) == reply.png_len;
	if (out != NULL && !to_stdout) {
		ok = fclose(out) == 0 && ok;
	}
	ctl_reply_finish(&reply);
	if (!ok) {
		fprintf(stderr, "mosaicctl: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Sends "wait-frame [OUTPUT] [after=SEQ] timeout=MS"; false if mosaic went away. */
static bool request_wait_frame(const struct ctl *ctl, const char *output, const char *seq,
	int ms, struct ctl_reply *reply)
{
	char after[64], timeout[40];
	snprintf(timeout, sizeof(timeout), "timeout=%d", ms > 0 ? ms : 1);
	const char *words[5] = {"wait-frame"};
	int n = 1;
	if (output != NULL) {
		words[n++] = output;
	}
	if (seq != NULL) {
		snprintf(after, sizeof(after), "after=%s", seq);
		words[n++] = after;
	}
	words[n++] = timeout;
	words[n] = NULL;
	return ctl_request(ctl, words, reply);
}

/*
 * Waits for a frame of the output (NULL: the first) after seq (NULL: the
 * last one so far); false on timeout or error (in why).
 */
static bool wait_frame(const struct ctl *ctl, const char *output, const char *seq, int ms,
	char *why, size_t why_size)
{
	struct ctl_reply reply;
	if (!request_wait_frame(ctl, output, seq, ms, &reply)) {
		snprintf(why, why_size, "mosaic went away");
		return false;
	}
	bool ok = reply.error[0] == '\0';
	snprintf(why, why_size, "%s", reply.error);
	ctl_reply_finish(&reply);
	return ok;
}

/* Waits for a guest to have presented a flip at all: it is connected and shown. */
static bool wait_guest(const struct ctl *ctl, const char *guest, int ms)
{
	char timeout[40];
	snprintf(timeout, sizeof(timeout), "timeout=%d", ms > 0 ? ms : 1);
	const char *words[] = {"wait-flip", guest, "1", timeout, NULL};
	struct ctl_reply reply;
	if (!ctl_request(ctl, words, &reply)) {
		return false;
	}
	bool ok = reply.error[0] == '\0';
	ctl_reply_finish(&reply);
	return ok;
}

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

struct expect {
	const char *reference;
	struct target target;
	struct compare_options options;
	struct compare_rect masks[MAX_MASKS];
	int timeout_ms;
	const char *diff_dir;
	bool verbose; // a line per capture that does not match yet
};

static int expect_parse(struct expect *e, int argc, char **argv)
{
	e->timeout_ms = 5000;
	e->options.masks = e->masks;
	const char *env = getenv("MOSAIC_DIFF_DIR");
	e->diff_dir = env != NULL && env[0] != '\0' ? env : ".";
	for (int i = 1; i < argc; i++) {
		bool taken;
		if (!target_option(&e->target, argc, argv, &i, &taken)) {
			return 2;
		}
		if (taken) {
			continue;
		}
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--tolerance") == 0 && value != NULL) {
			if (!compare_parse_tolerance(value, e->options.tolerance)) {
				fprintf(stderr,
					"mosaicctl: --tolerance wants N or R,G,B (0..255)\n");
				return 2;
			}
			i++;
		} else if (strcmp(arg, "--mask") == 0 && value != NULL) {
			if (e->options.masks_len == MAX_MASKS ||
				!compare_parse_rect(value, &e->masks[e->options.masks_len])) {
				fprintf(stderr,
					"mosaicctl: --mask wants X,Y,WxH (at most %d of them)\n",
					MAX_MASKS);
				return 2;
			}
			e->options.masks_len++;
			i++;
		} else if (strcmp(arg, "--timeout") == 0 && value != NULL) {
			if (!parse_seconds(value, &e->timeout_ms)) {
				fprintf(stderr, "mosaicctl: --timeout wants seconds, 0 to 3600\n");
				return 2;
			}
			i++;
		} else if (strcmp(arg, "--diff-dir") == 0 && value != NULL) {
			e->diff_dir = value;
			i++;
		} else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
			e->verbose = true;
		} else if (e->reference == NULL && (arg[0] != '-' || arg[1] == '\0')) {
			e->reference = arg;
		} else {
			fprintf(stderr, "mosaicctl: expect: unexpected '%s' (see --help)\n", arg);
			return 2;
		}
	}
	if (e->reference == NULL) {
		fprintf(stderr, "mosaicctl: expect wants a REFERENCE.png\n");
		return 2;
	}
	return 0;
}

/* A guest not connected yet, or not shown yet, may be soon: waits for it; false if not. */
static bool wait_for_guest(const struct ctl *ctl, const struct expect *e, const char *why, int ms)
{
	if (e->target.guest == NULL) {
		return false;
	}
	const char *guest = e->target.guest + strlen("surface=");
	char ignored[512];
	if (strstr(why, "not connected") != NULL) {
		return wait_guest(ctl, guest, ms);
	}
	return strstr(why, "not shown") != NULL &&
	       wait_frame(ctl, e->target.output, NULL, ms, ignored, sizeof(ignored));
}

/* Writes the capture and its diff, and says what differs: on stdout and on stderr. */
static int report_mismatch(const struct ctl *ctl, const struct expect *e, const struct capture *c,
	const uint32_t *reference, int ref_w, int ref_h, const struct compare_result *r, int tries)
{
	char name[256], capture_path[1200], diff_path[1200];
	base_name(e->reference, name, sizeof(name));
	snprintf(capture_path, sizeof(capture_path), "%s/%s-actual.png", e->diff_dir, name);
	snprintf(diff_path, sizeof(diff_path), "%s/%s-diff.png", e->diff_dir, name);
	if (!make_dir(e->diff_dir)) {
		fprintf(stderr, "mosaicctl: cannot create %s: %s\n", e->diff_dir, strerror(errno));
	}
	bool wrote = save(capture_path, c->pixels, c->width, c->height);
	char line[3000], q1[1300], q2[1300], q3[1300];
	if (r == NULL) {
		fprintf(stderr,
			"mosaicctl: expect %s: the capture is %dx%d, the reference %dx%d\n"
			"mosaicctl: capture: %s\n",
			e->reference, c->width, c->height, ref_w, ref_h,
			wrote ? capture_path : "(not written)");
		snprintf(line, sizeof(line),
			"expect result=size reference=%s width=%d height=%d reference-width=%d "
			"reference-height=%d capture=%s",
			control_quote(e->reference, q1, sizeof(q1)), c->width, c->height, ref_w,
			ref_h, control_quote(wrote ? capture_path : "-", q2, sizeof(q2)));
		ctl_print_line(ctl, line);
		return 1;
	}
	uint32_t *diff =
		compare_diff_picture(reference, c->pixels, c->width, c->height, &e->options);
	bool wrote_diff = diff != NULL && save(diff_path, diff, c->width, c->height);
	free(diff);
	fprintf(stderr,
		"mosaicctl: expect %s: %" PRIu64 " of %" PRIu64
		" pixels differ by more than %d,%d,%d (R,G,B), within %d,%d %dx%d; the first at "
		"%d,%d is %06x, the reference %06x (%d capture%s, timeout %d ms)\n"
		"mosaicctl: capture: %s\nmosaicctl: diff: %s\n",
		e->reference, r->differing, r->compared, e->options.tolerance[0],
		e->options.tolerance[1], e->options.tolerance[2], r->box.x, r->box.y, r->box.width,
		r->box.height, r->first_x, r->first_y, r->first_capture, r->first_reference, tries,
		tries == 1 ? "" : "s", e->timeout_ms, wrote ? capture_path : "(not written)",
		wrote_diff ? diff_path : "(not written)");
	snprintf(line, sizeof(line),
		"expect result=differ reference=%s differing=%" PRIu64 " compared=%" PRIu64
		" x=%d y=%d width=%d height=%d max-delta=%d,%d,%d output=%s seq=%lu capture=%s "
		"diff=%s",
		control_quote(e->reference, q1, sizeof(q1)), r->differing, r->compared, r->box.x,
		r->box.y, r->box.width, r->box.height, r->max_delta[0], r->max_delta[1],
		r->max_delta[2], c->output, c->seq,
		control_quote(wrote ? capture_path : "-", q2, sizeof(q2)),
		control_quote(wrote_diff ? diff_path : "-", q3, sizeof(q3)));
	ctl_print_line(ctl, line);
	return 1;
}

int ctl_expect(const struct ctl *ctl, int argc, char **argv)
{
	struct expect e = {0};
	int status = expect_parse(&e, argc, argv);
	if (status != 0) {
		return status;
	}
	uint32_t *reference = NULL;
	int ref_w = 0, ref_h = 0;
	char why[512];
	bool missing = access(e.reference, F_OK) != 0 && errno == ENOENT;
	if (!missing &&
		!png_load_argb8888(e.reference, &reference, &ref_w, &ref_h, why, sizeof(why))) {
		fprintf(stderr, "mosaicctl: cannot read %s: %s\n", e.reference, why);
		return 1;
	}
	int64_t deadline = now_ms() + e.timeout_ms;
	struct capture c = {0};
	struct compare_result result;
	int tries = 0;
	for (;;) {
		free(c.pixels);
		memset(&c, 0, sizeof(c));
		int got = capture(ctl, &e.target, &c, why, sizeof(why));
		if (got < 0) {
			status = 1;
			break;
		}
		int64_t left = deadline - now_ms();
		if (got == 0) {
			if (left > 0 && wait_for_guest(ctl, &e, why, (int)left)) {
				continue;
			}
			fprintf(stderr, "mosaicctl: expect %s: %s\n", e.reference, why);
			status = 1;
			break;
		}
		tries++;
		if (missing) {
			/* How references are made: the capture goes there, for a person to see. */
			bool wrote = save(e.reference, c.pixels, c.width, c.height);
			fprintf(stderr,
				"mosaicctl: expect: there was no %s: %s the capture (%dx%d) "
				"there; look at it before you keep it\n",
				e.reference, wrote ? "wrote" : "could not write", c.width,
				c.height);
			char line[1500], q1[1300];
			snprintf(line, sizeof(line),
				"expect result=missing reference=%s capture=%s",
				control_quote(e.reference, q1, sizeof(q1)),
				wrote ? "written" : "-");
			ctl_print_line(ctl, line);
			status = 1;
			break;
		}
		bool same_size = c.width == ref_w && c.height == ref_h;
		if (same_size) {
			compare_pictures(
				reference, c.pixels, c.width, c.height, &e.options, &result);
			if (result.differing == 0) {
				char line[1500], q1[1300];
				snprintf(line, sizeof(line),
					"expect result=match reference=%s compared=%" PRIu64
					" output=%s seq=%lu captures=%d",
					control_quote(e.reference, q1, sizeof(q1)), result.compared,
					c.output, c.seq, tries);
				ctl_print_line(ctl, &line[0]);
				status = 0;
				break;
			}
		}
		/* Not yet: compare again when the output shows something new. */
		if (e.verbose) {
			char line[256];
			snprintf(line, sizeof(line),
				"capture n=%d output=%s seq=%lu width=%d height=%d "
				"differing=%" PRIu64,
				tries, c.output, c.seq, c.width, c.height,
				same_size ? result.differing : (uint64_t)c.width * c.height);
			ctl_print_line(ctl, line);
			fflush(stdout);
		}
		char seq[32];
		snprintf(seq, sizeof(seq), "%lu", c.seq);
		why[0] = '\0';
		if (left <= 0 || !wait_frame(ctl, c.output, seq, (int)left, why, sizeof(why))) {
			if (why[0] != '\0' && strncmp(why, "timeout", 7) != 0) {
				fprintf(stderr, "mosaicctl: expect %s: %s\n", e.reference, why);
			}
			status = report_mismatch(ctl, &e, &c, reference, ref_w, ref_h,
				same_size ? &result : NULL, tries);
			break;
		}
	}
	free(c.pixels);
	free(reference);
	return status;
}

/* Prints a waiting request's answer; the exit status: 0, or 1 on error. */
static int print_wait_reply(const struct ctl *ctl, struct ctl_reply *reply)
{
	int status = 0;
	if (reply->error[0] != '\0') {
		fprintf(stderr, "mosaicctl: %s\n", reply->error);
		status = 1;
	} else if (reply->lines[0] != '\0' && !ctl_print_line(ctl, reply->lines)) {
		status = 1;
	}
	ctl_reply_finish(reply);
	return status;
}

/* A wait's --timeout: seconds, at least a millisecond; false with a message. */
static bool wait_timeout(const char *value, int *ms)
{
	if (!parse_seconds(value, ms) || *ms < 1) {
		fprintf(stderr, "mosaicctl: --timeout wants seconds, 0.001 to 3600\n");
		return false;
	}
	return true;
}

int ctl_wait_flip(const struct ctl *ctl, int argc, char **argv)
{
	int ms = 10000;
	const char *guest = NULL, *count = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (!wait_timeout(argv[++i], &ms)) {
				return 2;
			}
		} else if (guest == NULL) {
			guest = argv[i];
		} else if (count == NULL) {
			count = argv[i];
		} else {
			fprintf(stderr, "mosaicctl: wait-flip: unexpected '%s' (see --help)\n",
				argv[i]);
			return 2;
		}
	}
	if (count == NULL) {
		fprintf(stderr, "mosaicctl: wait-flip wants GUEST and N\n");
		return 2;
	}
	char timeout[40];
	snprintf(timeout, sizeof(timeout), "timeout=%d", ms);
	const char *words[] = {"wait-flip", guest, count, timeout, NULL};
	struct ctl_reply reply;
	if (!ctl_request(ctl, words, &reply)) {
		return 1;
	}
	return print_wait_reply(ctl, &reply);
}

int ctl_wait_frame(const struct ctl *ctl, int argc, char **argv)
{
	int ms = 10000;
	const char *output = NULL, *after = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (!wait_timeout(argv[++i], &ms)) {
				return 2;
			}
		} else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) &&
			   i + 1 < argc) {
			output = argv[++i];
		} else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
			after = argv[++i];
		} else {
			fprintf(stderr, "mosaicctl: wait-frame: unexpected '%s' (see --help)\n",
				argv[i]);
			return 2;
		}
	}
	struct ctl_reply reply;
	if (!request_wait_frame(ctl, output, after, ms, &reply)) {
		return 1;
	}
	return print_wait_reply(ctl, &reply);
}
