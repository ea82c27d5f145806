#include "options.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pattern.h"

static const char usage[] =
	"usage: vguest --name NAME [--dev N] [--frames N] [--fps F] [--format FOURCC]\n"
	"              [--formats F0,F1,...] [--be-alloc | --prime [--data-ofs N]] [--edid]\n"
	"              [--reconnect] [--reconnect-after N] [--late-ms MS] [--misbehave MODE]\n"
	"              [--exit-after N] [--report-every N] [--perturb X,Y] [--still]\n"
	"              [--single-buffer]\n"
	"              [--report-setup] [--stall-events] [--verbose]\n"
	"              [--vkb N [--vkb-raw | --vkb-relative] [--vkb-delay-ms MS] [--no-display]]\n"
	"\n"
	"A Xen PV display frontend (displif) that behaves like Linux's xen-drm-front\n"
	"driving modetest: it connects device/vdispl/N of its domain and flips a test\n"
	"pattern on every connector. With --vkb, also a PV input frontend (kbdif) that\n"
	"behaves like Linux's xen-kbdfront and prints every event it receives:\n"
	"  kbd key CODE down|up            kbd motion DX DY DZ      kbd pos X Y DZ\n"
	"  kbd mt CONTACT down|motion X Y  kbd mt CONTACT up|syn\n"
	"  kbd connected ...  kbd backend closed  kbd closed events=N errors=E held=H\n"
	"\n"
	"  --name NAME        guest name, [A-Za-z0-9._-], drawn and used in output\n"
	"  --dev N            vdispl device index (default 0)\n"
	"  --frames N         flips per connector, then keep the last frame (default 0: forever)\n"
	"  --fps F            at most F flips per second (default: as fast as flip events come)\n"
	"  --format FOURCC    XR24 (default), AR24, RG16, RG24, XR12, AR12, XR15, AR15 or YUYV\n"
	"  --formats F0,...   one format per connector (the others use --format)\n"
	"  --be-alloc         buffers allocated by the backend (needs be-alloc=1)\n"
	"  --prime            PRIME-import style buffers (width, height, bpp 0 at DBUF_CREATE)\n"
	"  --data-ofs N       offset of a --prime buffer's pixels in its first page (default 256)\n"
	"  --edid             GET_EDID on every connector and check the EDID\n"
	"  --reconnect        reconnect when the backend comes back to InitWait\n"
	"  --reconnect-after N  go back to Initialising after every N flips, and reconnect\n"
	"  --late-ms MS       count flip events later than MS milliseconds (default 50)\n"
	"  --misbehave MODE   act out a hostile frontend (see README.md for the modes);\n"
	"                     kbd-stall (SIGUSR1 resumes, stalls), kbd-bad-cons, kbd-bad-gref,\n"
	"                     kbd-no-channel, kbd-page-ref for the --vkb device\n"
	"  --exit-after N     exit abruptly, without closing, after N flips in all\n"
	"  --report-every N   print progress every N flips per connector (default 60, 0: never)\n"
	"  --perturb X,Y      invert pixel X,Y of every frame (a defect tests must notice)\n"
	"  --still            draw each buffer once, then flip without drawing\n"
	"  --single-buffer    draw into the shown framebuffer and flip to it again\n"
	"  --report-setup     print how long each buffer's DBUF_CREATE and FB_ATTACH took\n"
	"  --stall-events     never read the event rings; flip at --fps, each when answered\n"
	"  --verbose          log protocol details on stderr\n"
	"  --vkb N            also run the kbdif frontend of device/vkbd/N\n"
	"  --vkb-raw          request raw (0..0x7fff) pointer coordinates where offered\n"
	"  --vkb-relative     request no absolute pointer (relative motion) even where offered\n"
	"  --vkb-delay-ms MS  consume one input event every MS milliseconds\n"
	"  --no-display       no vdispl frontend (with --vkb)\n";

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

static bool parse_format(const char *opt, const char *arg, uint32_t *out)
{
	uint32_t f = vguest_pattern_format_from_name(arg);
	if (f == 0) {
		fprintf(stderr,
			"vguest: %s expects XR24, AR24, RG16, RG24, XR12, AR12, XR15, AR15 or "
			"YUYV, got '%s'\n",
			opt, arg);
		return false;
	}
	*out = f;
	return true;
}

/* "F0,F1,...": one to OPTIONS_FORMATS_MAX format names. */
static bool parse_formats(const char *arg, struct vguest_options *opts)
{
	char copy[64];
	if (strlen(arg) >= sizeof(copy)) {
		fprintf(stderr, "vguest: --formats: '%s' is too long\n", arg);
		return false;
	}
	strcpy(copy, arg);
	opts->nformats = 0;
	char *start = copy;
	for (;;) {
		char *comma = strchr(start, ',');
		if (comma != NULL) {
			*comma = '\0';
		}
		if (opts->nformats == OPTIONS_FORMATS_MAX) {
			fprintf(stderr, "vguest: --formats takes at most %d formats, got '%s'\n",
				OPTIONS_FORMATS_MAX, arg);
			return false;
		}
		if (!parse_format("--formats", start, &opts->formats[opts->nformats])) {
			return false;
		}
		opts->nformats++;
		if (comma == NULL) {
			return true;
		}
		start = comma + 1;
	}
}

static bool parse_number(const char *opt, const char *arg, double max, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end != '\0' || !isfinite(v) || v <= 0 || v > max) {
		fprintf(stderr, "vguest: %s expects a number in (0, %g], got '%s'\n", opt, max,
			arg);
		return false;
	}
	*out = v;
	return true;
}

enum long_only {
	OPT_FORMATS = 256,
	OPT_BE_ALLOC,
	OPT_PRIME,
	OPT_DATA_OFS,
	OPT_EDID,
	OPT_RECONNECT,
	OPT_RECONNECT_AFTER,
	OPT_LATE_MS,
	OPT_MISBEHAVE,
	OPT_VKB,
	OPT_VKB_RAW,
	OPT_VKB_RELATIVE,
	OPT_VKB_DELAY_MS,
	OPT_NO_DISPLAY,
	OPT_PERTURB,
	OPT_STILL,
	OPT_SINGLE_BUFFER,
	OPT_REPORT_SETUP,
	OPT_STALL_EVENTS,
};

/* "X,Y": a pixel of the connector's picture (one outside it is never drawn). */
static bool parse_point(const char *arg, struct vguest_options *opts)
{
	char x[16];
	const char *comma = strchr(arg, ',');
	unsigned long vx, vy;
	if (comma == NULL || (size_t)(comma - arg) >= sizeof(x)) {
		fprintf(stderr, "vguest: --perturb expects X,Y, got '%s'\n", arg);
		return false;
	}
	memcpy(x, arg, (size_t)(comma - arg));
	x[comma - arg] = '\0';
	if (!parse_uint(x, 65535, &vx) || !parse_uint(comma + 1, 65535, &vy)) {
		fprintf(stderr, "vguest: --perturb expects X,Y, got '%s'\n", arg);
		return false;
	}
	opts->perturb = true;
	opts->perturb_x = (uint32_t)vx;
	opts->perturb_y = (uint32_t)vy;
	return true;
}

/* Combinations that make no sense, after every option is known. */
static bool check_combinations(const struct vguest_options *opts, bool data_ofs_given)
{
	if (opts->name == NULL) {
		fprintf(stderr, "vguest: --name is required\n%s", usage);
		return false;
	}
	if (opts->be_alloc && opts->prime) {
		fprintf(stderr, "vguest: --be-alloc and --prime cannot be combined: imported "
				"buffers are the guest's\n");
		return false;
	}
	if (opts->vkb_raw && opts->vkb_relative) {
		fprintf(stderr, "vguest: --vkb-raw and --vkb-relative exclude each other: raw "
				"coordinates are absolute\n");
		return false;
	}
	if ((opts->no_display || opts->vkb_raw || opts->vkb_relative || opts->vkb_delay_ms > 0 ||
		    opts->kbd_misbehave != KBD_MISBEHAVE_NONE) &&
		!opts->vkb) {
		fprintf(stderr, "vguest: --no-display, --vkb-raw, --vkb-relative, --vkb-delay-ms "
				"and kbd-* modes need --vkb\n");
		return false;
	}
	if (data_ofs_given && !opts->prime) {
		fprintf(stderr, "vguest: --data-ofs applies to --prime buffers only\n");
		return false;
	}
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
		{"formats", required_argument, NULL, OPT_FORMATS},
		{"be-alloc", no_argument, NULL, OPT_BE_ALLOC},
		{"prime", no_argument, NULL, OPT_PRIME},
		{"data-ofs", required_argument, NULL, OPT_DATA_OFS},
		{"edid", no_argument, NULL, OPT_EDID},
		{"reconnect", no_argument, NULL, OPT_RECONNECT},
		{"reconnect-after", required_argument, NULL, OPT_RECONNECT_AFTER},
		{"late-ms", required_argument, NULL, OPT_LATE_MS},
		{"misbehave", required_argument, NULL, OPT_MISBEHAVE},
		{"perturb", required_argument, NULL, OPT_PERTURB},
		{"still", no_argument, NULL, OPT_STILL},
		{"single-buffer", no_argument, NULL, OPT_SINGLE_BUFFER},
		{"report-setup", no_argument, NULL, OPT_REPORT_SETUP},
		{"stall-events", no_argument, NULL, OPT_STALL_EVENTS},
		{"exit-after", required_argument, NULL, 'x'},
		{"report-every", required_argument, NULL, 'e'},
		{"verbose", no_argument, NULL, 'v'},
		{"vkb", required_argument, NULL, OPT_VKB},
		{"vkb-raw", no_argument, NULL, OPT_VKB_RAW},
		{"vkb-relative", no_argument, NULL, OPT_VKB_RELATIVE},
		{"vkb-delay-ms", required_argument, NULL, OPT_VKB_DELAY_MS},
		{"no-display", no_argument, NULL, OPT_NO_DISPLAY},
		{"help", no_argument, NULL, 'h'},
		{0},
	};

	memset(opts, 0, sizeof(*opts));
	opts->format = VGUEST_FORMAT_XRGB8888;
	opts->report_every = 60;
	opts->data_ofs = OPTIONS_DATA_OFS_DEFAULT;
	opts->late_ms = 50;
	bool data_ofs_given = false;

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
		case 'r':
			if (!parse_number("--fps", optarg, 10000, &opts->fps)) {
				return OPTIONS_ERROR;
			}
			break;
		case 'F':
			if (!parse_format("--format", optarg, &opts->format)) {
				return OPTIONS_ERROR;
			}
			break;
		case OPT_FORMATS:
			if (!parse_formats(optarg, opts)) {
				return OPTIONS_ERROR;
			}
			break;
		case OPT_BE_ALLOC:
			opts->be_alloc = true;
			break;
		case OPT_PRIME:
			opts->prime = true;
			break;
		case OPT_DATA_OFS:
			/* Within the first page, as a scatter-gather offset is. */
			if (!parse_count("--data-ofs", optarg, 4095, &v)) {
				return OPTIONS_ERROR;
			}
			opts->data_ofs = (uint32_t)v;
			data_ofs_given = true;
			break;
		case OPT_EDID:
			opts->edid = true;
			break;
		case OPT_RECONNECT:
			opts->reconnect = true;
			break;
		case OPT_RECONNECT_AFTER:
			if (!parse_count("--reconnect-after", optarg, UINT32_MAX,
				    &opts->reconnect_after)) {
				return OPTIONS_ERROR;
			}
			if (opts->reconnect_after == 0) {
				fprintf(stderr, "vguest: --reconnect-after expects at least 1\n");
				return OPTIONS_ERROR;
			}
			break;
		case OPT_LATE_MS:
			if (!parse_number("--late-ms", optarg, 60000, &opts->late_ms)) {
				return OPTIONS_ERROR;
			}
			break;
		case OPT_MISBEHAVE:
			if (strncmp(optarg, "kbd-", 4) == 0) {
				opts->kbd_misbehave = kbd_misbehave_mode_from_name(optarg);
				if (opts->kbd_misbehave == KBD_MISBEHAVE_NONE) {
					fprintf(stderr, "vguest: --misbehave: unknown mode '%s'\n",
						optarg);
					return OPTIONS_ERROR;
				}
				break;
			}
			opts->misbehave = misbehave_mode_from_name(optarg);
			if (opts->misbehave == MISBEHAVE_NONE) {
				fprintf(stderr,
					"vguest: --misbehave: unknown mode '%s' (see README.md)\n",
					optarg);
				return OPTIONS_ERROR;
			}
			break;
		case OPT_PERTURB:
			if (!parse_point(optarg, opts)) {
				return OPTIONS_ERROR;
			}
			break;
		case OPT_STILL:
			opts->still = true;
			break;
		case OPT_SINGLE_BUFFER:
			opts->single_buffer = true;
			break;
		case OPT_REPORT_SETUP:
			opts->report_setup = true;
			break;
		case OPT_STALL_EVENTS:
			opts->stall_events = true;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case OPT_VKB:
			if (!parse_count("--vkb", optarg, 65535, &v)) {
				return OPTIONS_ERROR;
			}
			opts->vkb = true;
			opts->vkb_dev = (unsigned int)v;
			break;
		case OPT_VKB_RAW:
			opts->vkb_raw = true;
			break;
		case OPT_VKB_RELATIVE:
			opts->vkb_relative = true;
			break;
		case OPT_VKB_DELAY_MS:
			if (!parse_count("--vkb-delay-ms", optarg, 60000, &v)) {
				return OPTIONS_ERROR;
			}
			opts->vkb_delay_ms = (uint32_t)v;
			break;
		case OPT_NO_DISPLAY:
			opts->no_display = true;
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
	return check_combinations(opts, data_ofs_given) ? OPTIONS_RUN : OPTIONS_ERROR;
}

uint32_t options_format(const struct vguest_options *opts, int connector)
{
	if (connector >= 0 && (unsigned)connector < opts->nformats) {
		return opts->formats[connector];
	}
	return opts->format;
}
