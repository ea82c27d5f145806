#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "toolstack.h"
#include "xensim_ctl.h"

/* Helpers for tests and debugging, run as the domain in $XENSIM_DOMID. */

int tools_stats(int argc, char **argv) {
	uint32_t domid = UINT32_MAX;
	enum xensim_ctl_stats what = XENSIM_STATS_DOMAINS;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--maps") == 0) {
			what = XENSIM_STATS_MAPPINGS;
		} else if (strcmp(argv[i], "--domid") == 0 && i + 1 < argc) {
			char *end;
			unsigned long value = strtoul(argv[++i], &end, 10);
			if (*end || value >= 0x7ff0) {
				fprintf(stderr, "xensim stats: bad domain id %s\n", argv[i]);
				return 1;
			}
			domid = (uint32_t)value;
		} else {
			fprintf(stderr, "usage: xensim stats [--domid N] [--maps]\n");
			return 1;
		}
	}
	struct xensim_ctl *ctl = xensim_ctl_open();
	if (!ctl) {
		return 1;
	}
	char *text = xensim_ctl_stats(ctl, what, domid);
	int ret = 1;
	if (!text) {
		fprintf(stderr, "xensim stats: %s\n", strerror(errno));
	} else if (domid != UINT32_MAX && what == XENSIM_STATS_DOMAINS && !*text) {
		fprintf(stderr, "xensim stats: no domain %u\n", domid);
	} else {
		fputs(text, stdout);
		ret = 0;
	}
	free(text);
	xensim_ctl_close(ctl);
	return ret;
}

static void print_value(const char *value, unsigned int len) {
	for (unsigned int i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c == '\\') {
			fputs("\\\\", stdout);
		} else if (isprint(c)) {
			putchar(c);
		} else {
			printf("\\x%02x", c);
		}
	}
}

/* Prints like xenstore-ls: one node a line, children indented by one space. */
static void list(struct xs_handle *xs, const char *path, int depth) {
	unsigned int n = 0;
	char **kids = xs_directory(xs, XBT_NULL, path, &n);
	for (unsigned int i = 0; kids && i < n; i++) {
		size_t size = strlen(path) + strlen(kids[i]) + 2;
		char *kid = malloc(size);
		if (!kid) {
			break;
		}
		snprintf(kid, size, "%s/%s", strcmp(path, "/") == 0 ? "" : path, kids[i]);
		unsigned int len = 0;
		char *value = xs_read(xs, XBT_NULL, kid, &len);
		printf("%*s%s = \"", depth, "", kids[i]);
		if (value) {
			print_value(value, len);
		}
		printf("\"%s\n", value ? "" : " (unreadable)");
		free(value);
		list(xs, kid, depth + 1);
		free(kid);
	}
	free(kids);
}

int tools_ls(int argc, char **argv) {
	if (argc > 2) {
		fprintf(stderr, "usage: xensim xenstore-ls [PATH]\n");
		return 1;
	}
	const char *path = argc == 2 ? argv[1] : "/";
	struct xs_handle *xs = xs_open(0);
	if (!xs) {
		return 1;
	}
	unsigned int n;
	char **kids = xs_directory(xs, XBT_NULL, path, &n);
	int ret = 0;
	if (!kids) {
		fprintf(stderr, "xensim xenstore-ls: %s: %s\n", path, strerror(errno));
		ret = 1;
	} else {
		free(kids);
		list(xs, path, 0);
	}
	xs_close(xs);
	return ret;
}

static int run(int argc, char **argv, int nargs, const char *usage) {
	if (argc != nargs + 1) {
		fprintf(stderr, "usage: xensim %s %s\n", argv[0], usage);
		return 1;
	}
	struct xs_handle *xs = xs_open(0);
	if (!xs) {
		return 1;
	}
	bool ok;
	if (strcmp(argv[0], "read") == 0) {
		unsigned int len;
		char *value = xs_read(xs, XBT_NULL, argv[1], &len);
		ok = value != NULL;
		if (ok) {
			fwrite(value, 1, len, stdout);
			putchar('\n');
		}
		free(value);
	} else if (strcmp(argv[0], "write") == 0) {
		ok = xs_write(xs, XBT_NULL, argv[1], argv[2], (unsigned int)strlen(argv[2]));
	} else {
		ok = xs_rm(xs, XBT_NULL, argv[1]);
	}
	if (!ok) {
		fprintf(stderr, "xensim %s: %s: %s\n", argv[0], argv[1], strerror(errno));
	}
	xs_close(xs);
	return ok ? 0 : 1;
}

int tools_read(int argc, char **argv) {
	return run(argc, argv, 1, "PATH");
}

int tools_write(int argc, char **argv) {
	return run(argc, argv, 2, "PATH VALUE");
}

int tools_rm(int argc, char **argv) {
	return run(argc, argv, 1, "PATH");
}
