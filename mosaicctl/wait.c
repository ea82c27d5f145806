#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/usage.h"
#include "mosaicctl/wait.h"
#include "protocol/control.h"

bool wait_parse_seconds(const char *text, int *ms)
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

/* Sends "wait-frame [OUTPUT] [after=SEQ] timeout=MS"; false if mosaic went away. */
static bool request_wait_frame(
	const struct ctl *ctl, const char *output, const char *seq, int ms, struct ctl_reply *reply)
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

bool wait_for_frame(const struct ctl *ctl, const char *output, const char *seq, int ms, char *why,
	size_t why_size)
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

bool wait_for_guest(const struct ctl *ctl, const char *guest, int ms)
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

/* Prints a waiting request's answer; the exit status: 0, or 1 on error. */
static int print_wait_reply(const struct ctl *ctl, const char *command, struct ctl_reply *reply)
{
	int status = 0;
	if (reply->error[0] != '\0') {
		fprintf(stderr, "mosaicctl: %s\n", reply->error);
		status = 1;
	} else if (!ctl_print_reply(ctl, command, reply->lines)) {
		status = 1;
	}
	ctl_reply_finish(reply);
	return status;
}

/* A wait's --timeout: seconds, at least a millisecond; false with a message. */
static bool wait_timeout(const char *command, int argc, char **argv, int *i, int *ms)
{
	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		usage_error(command, "--timeout wants SECONDS");
		return false;
	}
	const char *value = argv[++*i];
	if (!wait_parse_seconds(value, ms) || *ms < 1) {
		usage_error(command, "--timeout wants SECONDS, 0.001 to 3600, got '%s'", value);
		return false;
	}
	return true;
}

/* A whole number from min to max, digits only. */
static bool parse_count(const char *text, unsigned long long min, unsigned long long max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	return text[0] >= '0' && text[0] <= '9' && *end == '\0' && errno == 0 && v >= min &&
	       v <= max;
}

/* wait-flip's words: 0, or 2 with the problem said. */
static int wait_flip_parse(int argc, char **argv, int *ms, const char **guest, const char **count)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0) {
			if (!wait_timeout("wait-flip", argc, argv, &i, ms)) {
				return 2;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("wait-flip", "unknown option '%s'", argv[i]);
		} else if (*guest == NULL) {
			*guest = argv[i];
		} else if (*count == NULL) {
			*count = argv[i];
		} else {
			return usage_error("wait-flip", "unexpected '%s'", argv[i]);
		}
	}
	struct control_guest g;
	if (*guest == NULL) {
		return usage_error("wait-flip", "missing GUEST and N");
	}
	if (!control_parse_guest(*guest, &g)) {
		return usage_error("wait-flip",
			"GUEST is NAME or DOMID, then :CONN or :DEV.CONN, got '%s'", *guest);
	}
	if (*count == NULL) {
		return usage_error("wait-flip", "missing N, the flip to wait for (from 1)");
	}
	if (!parse_count(*count, 1, UINT64_MAX)) {
		return usage_error("wait-flip", "N is a flip number from 1, got '%s'", *count);
	}
	return 0;
}

int ctl_wait_flip(const struct ctl *ctl, int argc, char **argv)
{
	int ms = 10000;
	const char *guest = NULL, *count = NULL;
	int status = wait_flip_parse(argc, argv, &ms, &guest, &count);
	if (status != 0) {
		return status;
	}
	char timeout[40];
	snprintf(timeout, sizeof(timeout), "timeout=%d", ms);
	const char *words[] = {"wait-flip", guest, count, timeout, NULL};
	struct ctl_reply reply;
	if (!ctl_request(ctl, words, &reply)) {
		return 1;
	}
	return print_wait_reply(ctl, "wait-flip", &reply);
}

int ctl_wait_frame(const struct ctl *ctl, int argc, char **argv)
{
	int ms = 10000;
	const char *output = NULL, *after = NULL;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool o = strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0;
		if (strcmp(arg, "--timeout") == 0) {
			if (!wait_timeout("wait-frame", argc, argv, &i, &ms)) {
				return 2;
			}
		} else if (o || strcmp(arg, "--after") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				return usage_error(
					"wait-frame", "%s wants %s", arg, o ? "an OUTPUT" : "SEQ");
			}
			*(o ? &output : &after) = argv[++i];
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return usage_error("wait-frame", "unknown option '%s'", arg);
		} else {
			return usage_error("wait-frame", "unexpected '%s'", arg);
		}
	}
	if (after != NULL && !parse_count(after, 0, UINT32_MAX)) {
		return usage_error(
			"wait-frame", "--after wants SEQ, a frame number, got '%s'", after);
	}
	struct ctl_reply reply;
	if (!request_wait_frame(ctl, output, after, ms, &reply)) {
		return 1;
	}
	return print_wait_reply(ctl, "wait-frame", &reply);
}
