#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/target.h"
#include "mosaicctl/usage.h"

/* Copies the reply's PNG as it came: nothing is decoded or encoded again. */
static bool write_png(const char *path, const struct ctl_reply *reply)
{
	bool to_stdout = strcmp(path, "-") == 0;
	FILE *out = to_stdout ? stdout : fopen(path, "wb");
	bool ok = out != NULL && fwrite(reply->png, 1, reply->png_len, out) == reply->png_len;
	if (out != NULL && !to_stdout) {
		ok = fclose(out) == 0 && ok;
	}
	if (!ok) {
		fprintf(stderr, "mosaicctl: cannot write %s: %s\n", path, strerror(errno));
	}
	return ok;
}

int ctl_screenshot(const struct ctl *ctl, int argc, char **argv)
{
	struct target t = {0};
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		bool taken;
		if (!target_parse_option(&t, "screenshot", argc, argv, &i, &taken)) {
			return 2;
		}
		if (taken) {
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("screenshot", "unknown option '%s'", argv[i]);
		}
		if (path != NULL) {
			return usage_error("screenshot", "one FILE only, got '%s' too", argv[i]);
		}
		path = argv[i];
	}
	if (path == NULL) {
		return usage_error("screenshot", "missing the FILE to write (- for stdout)");
	}
	const char *words[5];
	target_request(&t, words);
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
	bool ok = write_png(path, &reply);
	ctl_reply_finish(&reply);
	return ok ? 0 : 1;
}
