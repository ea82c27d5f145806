#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/target.h"
#include "mosaicctl/usage.h"
#include "protocol/control.h"
#include "protocol/png.h"

bool target_parse_option(
	struct target *t, const char *command, int argc, char **argv, int *i, bool *taken)
{
	*taken = false;
	const char *arg = argv[*i];
	bool output = strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0;
	bool rect = strcmp(arg, "--rect") == 0, surface = strcmp(arg, "--surface") == 0;
	if (!output && !rect && !surface) {
		return true;
	}
	const char *value = *i + 1 < argc ? argv[*i + 1] : NULL;
	const char *wants = output ? "an OUTPUT" : rect ? "X,Y,WxH" : "a GUEST";
	if (value == NULL || value[0] == '\0') {
		usage_error(command, "%s wants %s", arg, wants);
		return false;
	}
	if (output) {
		t->output = value;
	} else if (rect) {
		struct control_rect r;
		if (!control_parse_rect(value, &r)) {
			usage_error(command,
				"--rect wants X,Y,WxH (X and Y from 0, W and H from 1), got '%s'",
				value);
			return false;
		}
		snprintf(t->rect_word, sizeof(t->rect_word), "rect=%d,%d,%d,%d", r.x, r.y, r.width,
			r.height);
		t->rect = t->rect_word;
	} else {
		struct control_guest g;
		if (!control_parse_guest(value, &g)) {
			usage_error(command,
				"--surface wants a GUEST: NAME or DOMID, then :CONN or :DEV.CONN, "
				"got '%s'",
				value);
			return false;
		}
		snprintf(t->guest_word, sizeof(t->guest_word), "surface=%s", value);
		t->guest = t->guest_word;
	}
	++*i;
	*taken = true;
	if (t->rect != NULL && t->guest != NULL) {
		usage_error(command, "--rect and --surface do not go together");
		return false;
	}
	return true;
}

void target_request(const struct target *t, const char *words[5])
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

int target_capture(const struct ctl *ctl, const struct target *t, struct capture *c, char *why,
	size_t why_size)
{
	const char *words[5];
	target_request(t, words);
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

void capture_finish(struct capture *c)
{
	free(c->pixels);
	memset(c, 0, sizeof(*c));
}
