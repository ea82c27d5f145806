#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/wait.h"

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

bool wait_for_frame(const struct ctl *ctl, const char *output, const char *seq, int ms,
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
	if (!wait_parse_seconds(value, ms) || *ms < 1) {
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
