#include "options.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pattern.h"

static const char usage[] =
	"usage: vguest --name NAME [--dev N] [--frames N] [--fps F] [--format XR24|AR24]\n"
	"              [--exit-after N] [--report-every N] [--verbose]\n"
	"\n"
	"A Xen PV display frontend (displif) that behaves like Linux's xen-drm-front\n"
	"driving modetest: it connects device/vdispl/N of its domain and flips a test\n"
	"pattern on every connector.\n"
	"\n"
	"  --name NAME        guest name, [A-Za-z0-9._-], drawn and used in output\n"
	"  --dev N            vdispl device index (default 0)\n"
	"  --frames N         flips per connector, then keep the last frame (default 0: forever)\n"
	"  --fps F            at most F flips per second (default: as fast as flip events come)\n"
	"  --format FOURCC    XR24 (default) or AR24\n"
	"  --exit-after N     exit abruptly, without closing, after N flips in all\n"
	"  --report-every N   print progress every N flips per connector (default 60, 0: never)\n"
	"  --verbose          log protocol details on stderr\n";

static bool valid_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > OPTIONS_NAME_MAX) {
		return false;
	}
	for (const char *p = name; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
		if (!ok) {
			return false;
		}
	}
	return true;
}

static bool parse_count(const char *opt, const char *arg, unsigned long max, uint64_t *out)
{
	unsigned long v;
	if (!parse_uint(arg, max, &v)) {
		fprintf(stderr, "vguest: %s expects a number in [0, %lu], got '%s'\n", opt, max,
			arg);
		return false;
	}
	*out = v;
	return true;
}

enum options_result options_parse(int argc, char **argv, struct vguest_options *opts)
{
	static const struct option long_options[] = {
		{"name", required_argument, NULL, 'n'},
		{"dev", required_argument, NULL, 'd'},
		{"frames", required_argument, NULL, 'f'},
		{"fps", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'F'},
		{"exit-after", required_argument, NULL, 'x'},
		{"report-every", required_argument, NULL, 'e'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};

	memset(opts, 0, sizeof(*opts));
	opts->format = VGUEST_FORMAT_XRGB8888;
	opts->report_every = 60;

	optind = 1;
	opterr = 0;
	int c;
	uint64_t v;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!valid_name(optarg)) {
				fprintf(stderr,
					"vguest: --name must be 1 to %d characters of "
					"[A-Za-z0-9._-], got '%s'\n",
					OPTIONS_NAME_MAX, optarg);
				return OPTIONS_ERROR;
			}
			opts->name = optarg;
			break;
		case 'd':
			/* Linux's xenbus device ids are ints; keep to what a path can hold. */
			if (!parse_count("--dev", optarg, 65535, &v)) {
				return OPTIONS_ERROR;
			}
			opts->dev = (unsigned int)v;
			break;
		case 'f':
			if (!parse_count("--frames", optarg, UINT32_MAX, &opts->frames)) {
				return OPTIONS_ERROR;
			}
			break;
		case 'x':
			if (!parse_count("--exit-after", optarg, UINT32_MAX, &opts->exit_after)) {
				return OPTIONS_ERROR;
			}
			break;
		case 'e':
			if (!parse_count(
				    "--report-every", optarg, UINT32_MAX, &opts->report_every)) {
				return OPTIONS_ERROR;
			}
			break;
		case 'r': {
			char *end;
			double fps = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(fps) || fps <= 0 ||
				fps > 10000) {
				fprintf(stderr,
					"vguest: --fps expects a number in (0, 10000], got '%s'\n",
					optarg);
				return OPTIONS_ERROR;
			}
			opts->fps = fps;
			break;
		}
		case 'F':
			if (strcmp(optarg, "XR24") == 0) {
				opts->format = VGUEST_FORMAT_XRGB8888;
			} else if (strcmp(optarg, "AR24") == 0) {
				opts->format = VGUEST_FORMAT_ARGB8888;
			} else {
				fprintf(stderr, "vguest: --format expects XR24 or AR24, got '%s'\n",
					optarg);
				return OPTIONS_ERROR;
			}
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return OPTIONS_HELP;
		default:
			fprintf(stderr, "vguest: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage);
			return OPTIONS_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vguest: unexpected argument '%s'\n%s", argv[optind], usage);
		return OPTIONS_ERROR;
	}
	if (opts->name == NULL) {
		fprintf(stderr, "vguest: --name is required\n%s", usage);
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}
