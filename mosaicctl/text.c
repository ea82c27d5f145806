#include <errno.h>
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/text.h"
#include "mosaicctl/usage.h"
#include "protocol/control.h"

/*
 * The commands whose reply is text, printed as it comes: their words go to
 * mosaic as they are, once mosaicctl has checked them against its own
 * synopses (usage.c).
 */

/* A whole decimal integer from min to max. */
static bool parse_long(const char *text, long min, long max, long *value)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || v < min || v > max) {
		return false;
	}
	*value = v;
	return true;
}

/* A coordinate: a finite number, as mosaic takes it. */
static bool parse_coordinate(const char *text)
{
	char *end;
	double v = strtod(text, &end);
	return end != text && *end == '\0' && isfinite(v) && v > -1e7 && v < 1e7;
}

static int check_none(int argc, char **argv)
{
	if (argc > 1) {
		return usage_error(argv[0], "takes no arguments, got '%s'", argv[1]);
	}
	return 0;
}

static int check_layout(int argc, char **argv)
{
	if (argc < 2) {
		return usage_error("layout", "missing the layout's NAME");
	}
	if (argc > 2) {
		return usage_error("layout", "one NAME only, got '%s' too", argv[2]);
	}
	return 0;
}

static int check_output(int argc, char **argv)
{
	const char *what = argc >= 2 ? argv[1] : NULL;
	if (what == NULL) {
		return usage_error("output", "missing create or unplug");
	}
	if (strcmp(what, "create") == 0) {
		long w, h;
		char x, end;
		if (argc > 3) {
			return usage_error("output create", "unexpected '%s'", argv[3]);
		}
		if (argc == 3 && (sscanf(argv[2], "%ld%c%ld%c", &w, &x, &h, &end) != 3 ||
					 x != 'x' || w < 1 || h < 1 || w > 16384 || h > 16384)) {
			return usage_error(
				"output create", "wants WxH (1 to 16384 each), got '%s'", argv[2]);
		}
		return 0;
	}
	if (strcmp(what, "unplug") == 0) {
		if (argc < 3) {
			return usage_error("output unplug", "missing the output's NAME");
		}
		if (argc > 3) {
			return usage_error("output unplug", "unexpected '%s'", argv[3]);
		}
		return 0;
	}
	return usage_error("output", "unknown '%s': create or unplug", what);
}

static int check_focus(int argc, char **argv)
{
	if (argc > 2) {
		return usage_error(
			"focus", "one of next, prev, none, N or GUEST; got '%s' too", argv[2]);
	}
	if (argc < 2) {
		return 0;
	}
	/* A number is a position on screen: mosaic reads a number so, never as a name. */
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (end != argv[1] && *end == '\0' && (n < 1 || n > 256)) {
		return usage_error(
			"focus", "N is a position on screen, 1 to 256, got '%s'", argv[1]);
	}
	return 0;
}

/* Whether an input kind has its argc words (itself included); else says what is wrong. */
static bool arity(int argc, char **argv, int want, const char *wants)
{
	char command[32];
	snprintf(command, sizeof(command), "input %s", argv[0]);
	if (argc < want) {
		usage_error(command, "wants %s", wants);
		return false;
	}
	if (argc > want) {
		usage_error(command, "unexpected '%s'", argv[want]);
		return false;
	}
	return true;
}

static bool parse_state(const char *text)
{
	return strcmp(text, "down") == 0 || strcmp(text, "up") == 0;
}

static int check_input_key(int argc, char **argv)
{
	long code;
	if (!arity(argc, argv, 3, "CODE and down or up")) {
		return 2;
	}
	if (!parse_long(argv[1], 1, KEY_MAX, &code)) {
		return usage_error("input key", "CODE is a Linux key code, 1 to %d, got '%s'",
			KEY_MAX, argv[1]);
	}
	if (!parse_state(argv[2])) {
		return usage_error("input key", "%s wants down or up, got '%s'", argv[1], argv[2]);
	}
	return 0;
}

static int check_input_pointer(int argc, char **argv)
{
	if (!arity(argc, argv, 3, "X and Y")) {
		return 2;
	}
	for (int i = 1; i < 3; i++) {
		if (!parse_coordinate(argv[i])) {
			return usage_error("input pointer", "%s wants a number, got '%s'",
				i == 1 ? "X" : "Y", argv[i]);
		}
	}
	return 0;
}

static int check_input_button(int argc, char **argv)
{
	long code;
	if (!arity(argc, argv, 3, "left, right, middle or CODE, and down or up")) {
		return 2;
	}
	if (strcmp(argv[1], "left") != 0 && strcmp(argv[1], "right") != 0 &&
		strcmp(argv[1], "middle") != 0 &&
		!parse_long(argv[1], BTN_MISC, BTN_GEAR_UP, &code)) {
		return usage_error("input button",
			"wants left, right, middle or a CODE (%d to %d), got '%s'", BTN_MISC,
			BTN_GEAR_UP, argv[1]);
	}
	if (!parse_state(argv[2])) {
		return usage_error(
			"input button", "%s wants down or up, got '%s'", argv[1], argv[2]);
	}
	return 0;
}

static int check_input_wheel(int argc, char **argv)
{
	long steps;
	if (!arity(argc, argv, 2, "STEPS")) {
		return 2;
	}
	if (!parse_long(argv[1], -100, 100, &steps) || steps == 0) {
		return usage_error(
			"input wheel", "STEPS is -100 to 100 but not 0, got '%s'", argv[1]);
	}
	return 0;
}

static int check_input_touch(int argc, char **argv)
{
	const char *what = argc >= 2 ? argv[1] : "";
	long id;
	int want;
	if (strcmp(what, "down") == 0 || strcmp(what, "motion") == 0) {
		want = 5;
	} else if (strcmp(what, "up") == 0 || strcmp(what, "cancel") == 0) {
		want = 3;
	} else if (strcmp(what, "frame") == 0) {
		want = 2;
	} else if (argc < 2) {
		return usage_error("input touch", "wants down, motion, up, cancel or frame");
	} else {
		return usage_error(
			"input touch", "unknown '%s': down, motion, up, cancel or frame", what);
	}
	if (argc < want) {
		return usage_error(
			"input touch", "%s wants %s", what, want == 5 ? "ID, X and Y" : "ID");
	}
	if (argc > want) {
		return usage_error("input touch", "%s: unexpected '%s'", what, argv[want]);
	}
	if (want > 2 && !parse_long(argv[2], 0, INT32_MAX, &id)) {
		return usage_error(
			"input touch", "%s ID is 0 to %d, got '%s'", what, INT32_MAX, argv[2]);
	}
	for (int i = 3; i < want; i++) {
		if (!parse_coordinate(argv[i])) {
			return usage_error("input touch", "%s %s wants a number, got '%s'", what,
				i == 3 ? "X" : "Y", argv[i]);
		}
	}
	return 0;
}

static int check_input(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*check)(int argc, char **argv);
	} kinds[] = {
		{"key", check_input_key},
		{"pointer", check_input_pointer},
		{"button", check_input_button},
		{"wheel", check_input_wheel},
		{"touch", check_input_touch},
	};
	if (argc < 2) {
		return usage_error("input", "missing key, pointer, button, wheel or touch");
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(argv[1], kinds[i].name) == 0) {
			return kinds[i].check(argc - 1, argv + 1);
		}
	}
	return usage_error("input", "unknown '%s': key, pointer, button, wheel or touch", argv[1]);
}

int text_check(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*check)(int argc, char **argv);
	} commands[] = {
		{"outputs", check_none},
		{"frame-times", check_none},
		{"guests", check_none},
		{"surfaces", check_none},
		{"apps", check_none},
		{"layouts", check_none},
		{"layout", check_layout},
		{"output", check_output},
		{"reload", check_none},
		{"focus", check_focus},
		{"inputs", check_none},
		{"input", check_input},
		{"follow", check_none},
		{"ping", check_none},
	};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			return commands[i].check(argc, argv);
		}
	}
	return usage_error(NULL, "'%s' is not a command that answers in text", argv[0]);
}

/* follow: its events as they come, until mosaic goes away (or we are stopped). */
static int follow(const struct ctl *ctl, const char *line)
{
	FILE *conn = ctl_send(ctl, line);
	if (conn == NULL) {
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char event[CONTROL_MAX_LINE];
	int status = 0;
	while (fgets(event, sizeof(event), conn) != NULL) {
		/* A refusal comes as an error instead of the stream. */
		if (strncmp(event, "error ", 6) == 0) {
			fprintf(stderr, "mosaicctl: %s", event + 6);
			status = 1;
			break;
		}
		if (strcmp(event, "\n") != 0 && !ctl_print_line(ctl, "follow", event)) {
			status = 1;
			break;
		}
	}
	fclose(conn);
	/* Else mosaic went away: the stream is over, which is how follow ends. */
	return status;
}

int text_run(const struct ctl *ctl, int argc, char **argv)
{
	int status = text_check(argc, argv);
	if (status != 0) {
		return status;
	}
	const char *words[CONTROL_MAX_ARGS + 1];
	if (argc > CONTROL_MAX_ARGS) {
		return usage_error(argv[0], "too many arguments");
	}
	for (int i = 0; i < argc; i++) {
		words[i] = argv[i];
	}
	words[argc] = NULL;
	char line[CONTROL_MAX_LINE];
	if (!ctl_format_request(words, line, sizeof(line))) {
		return usage_error(argv[0], "arguments too long");
	}
	if (strcmp(argv[0], "follow") == 0) {
		return follow(ctl, line);
	}
	/* The whole reply first: with -j, a list is one document. */
	struct ctl_reply reply;
	if (!ctl_request(ctl, words, &reply)) {
		return 1;
	}
	if (reply.error[0] != '\0') {
		fprintf(stderr, "mosaicctl: %s\n", reply.error);
		status = 1;
	} else if (!ctl_print_reply(ctl, argv[0], reply.lines)) {
		status = 1;
	}
	ctl_reply_finish(&reply);
	return status;
}
