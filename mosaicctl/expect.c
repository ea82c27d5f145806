#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mosaicctl/compare.h"
#include "mosaicctl/expect.h"
#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/target.h"
#include "mosaicctl/usage.h"
#include "mosaicctl/wait.h"
#include "protocol/control.h"
#include "protocol/png.h"

/* expect_once's answer when it is to capture again. */
#define AGAIN (-1)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool add_mask(struct expect *e, const char *value)
{
	struct control_rect r;
	if (e->options.masks_len == EXPECT_MAX_MASKS) {
		usage_error("expect", "at most %d --mask", EXPECT_MAX_MASKS);
		return false;
	}
	if (!control_parse_rect(value, &r)) {
		usage_error("expect",
			"--mask wants X,Y,WxH (X and Y from 0, W and H from 1), got '%s'", value);
		return false;
	}
	e->masks[e->options.masks_len++] = (struct compare_rect){r.x, r.y, r.width, r.height};
	return true;
}

/* An option of expect's own with its value; false, with a message, for a bad value. */
static bool parse_valued(struct expect *e, const char *arg, const char *value)
{
	if (strcmp(arg, "--tolerance") == 0) {
		if (!compare_parse_tolerance(value, e->options.tolerance)) {
			usage_error("expect", "--tolerance wants N or R,G,B (0 to 255), got '%s'",
				value);
			return false;
		}
	} else if (strcmp(arg, "--mask") == 0) {
		return add_mask(e, value);
	} else if (strcmp(arg, "--timeout") == 0) {
		if (!wait_parse_seconds(value, &e->timeout_ms)) {
			usage_error(
				"expect", "--timeout wants SECONDS, 0 to 3600, got '%s'", value);
			return false;
		}
	} else {
		e->diff_dir = value;
	}
	return true;
}

/* What an option of expect's own wants for a value; NULL if arg is not one. */
static const char *valued(const char *arg)
{
	static const char *const options[][2] = {
		{"--tolerance", "N or R,G,B"},
		{"--mask", "X,Y,WxH"},
		{"--timeout", "SECONDS"},
		{"--diff-dir", "a DIR"},
	};
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(arg, options[i][0]) == 0) {
			return options[i][1];
		}
	}
	return NULL;
}

/* 0, or the exit status for a bad command line (said on stderr). */
static int expect_parse(struct expect *e, int argc, char **argv)
{
	e->timeout_ms = 5000;
	e->options.masks = e->masks;
	const char *env = getenv("MOSAIC_DIFF_DIR");
	e->diff_dir = env != NULL && env[0] != '\0' ? env : ".";
	for (int i = 1; i < argc; i++) {
		bool taken;
		if (!target_parse_option(&e->target, "expect", argc, argv, &i, &taken)) {
			return 2;
		}
		if (taken) {
			continue;
		}
		const char *arg = argv[i];
		const char *wants = valued(arg);
		if (wants != NULL) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				return usage_error("expect", "%s wants %s", arg, wants);
			}
			if (!parse_valued(e, arg, argv[++i])) {
				return 2;
			}
		} else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
			e->verbose = true;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return usage_error("expect", "unknown option '%s'", arg);
		} else if (e->reference == NULL) {
			e->reference = arg;
		} else {
			return usage_error("expect", "one REFERENCE.png only, got '%s' too", arg);
		}
	}
	if (e->reference == NULL) {
		return usage_error("expect", "missing the REFERENCE.png to compare with");
	}
	return 0;
}

/* A missing reference is not an error here: the first capture becomes it. */
static bool load_reference(struct expect *e)
{
	char why[512];
	e->missing = access(e->reference, F_OK) != 0 && errno == ENOENT;
	if (!e->missing && !png_load_argb8888(e->reference, &e->reference_pixels,
				   &e->reference_width, &e->reference_height, why, sizeof(why))) {
		fprintf(stderr, "mosaicctl: cannot read %s: %s\n", e->reference, why);
		return false;
	}
	return true;
}

/* A guest not connected yet, or not shown yet, may be soon: waits for it; false if not. */
static bool wait_for_target(const struct ctl *ctl, const struct expect *e, const char *why, int ms)
{
	if (e->target.guest == NULL) {
		return false;
	}
	const char *guest = e->target.guest + strlen("surface=");
	char ignored[512];
	if (strstr(why, "not connected") != NULL) {
		return wait_for_guest(ctl, guest, ms);
	}
	return strstr(why, "not shown") != NULL &&
	       wait_for_frame(ctl, e->target.output, NULL, ms, ignored, sizeof(ignored));
}

/* Whether c matches the reference; *same_size false when nothing could be compared. */
static bool matches(const struct expect *e, const struct capture *c, struct compare_result *result,
	bool *same_size)
{
	*same_size = c->width == e->reference_width && c->height == e->reference_height;
	if (!*same_size) {
		return false;
	}
	compare_pictures(e->reference_pixels, c->pixels, c->width, c->height, &e->options, result);
	return result->differing == 0;
}

/* One capture and its comparison: 0 it matches, 1 it does not (and time is up), or AGAIN. */
static int expect_once(const struct ctl *ctl, struct expect *e, struct capture *c, int64_t deadline)
{
	char why[512];
	int got = target_capture(ctl, &e->target, c, why, sizeof(why));
	if (got < 0) {
		return 1;
	}
	int64_t left = deadline - now_ms();
	if (got == 0) {
		if (left > 0 && wait_for_target(ctl, e, why, (int)left)) {
			return AGAIN;
		}
		fprintf(stderr, "mosaicctl: expect %s: %s\n", e->reference, why);
		return 1;
	}
	e->tries++;
	if (e->missing) {
		expect_report_missing(ctl, e, c);
		return 1;
	}
	struct compare_result result;
	bool same_size;
	if (matches(e, c, &result, &same_size)) {
		expect_report_match(ctl, e, c, result.compared);
		return 0;
	}
	/* Not yet: compare again when the output shows something new. */
	if (e->verbose) {
		expect_report_progress(ctl, e, c, same_size ? &result : NULL);
	}
	char seq[32];
	snprintf(seq, sizeof(seq), "%lu", c->seq);
	why[0] = '\0';
	if (left > 0 && wait_for_frame(ctl, c->output, seq, (int)left, why, sizeof(why))) {
		return AGAIN;
	}
	if (why[0] != '\0' && strncmp(why, "timeout", 7) != 0) {
		fprintf(stderr, "mosaicctl: expect %s: %s\n", e->reference, why);
	}
	expect_report_mismatch(ctl, e, c, same_size ? &result : NULL);
	return 1;
}

int ctl_expect(const struct ctl *ctl, int argc, char **argv)
{
	struct expect e = {0};
	int status = expect_parse(&e, argc, argv);
	if (status != 0) {
		return status;
	}
	if (!load_reference(&e)) {
		return 1;
	}
	int64_t deadline = now_ms() + e.timeout_ms;
	struct capture c = {0};
	do {
		capture_finish(&c);
		status = expect_once(ctl, &e, &c, deadline);
	} while (status == AGAIN);
	capture_finish(&c);
	free(e.reference_pixels);
	return status;
}
