#include <stdarg.h>
#include <string.h>

#include "mosaicctl/usage.h"

/* A line of the command list: a synopsis (after "mosaicctl "), and what it does. */
struct synopsis {
	const char *command;
	const char *text; // lines after the first go under the command's arguments
	const char *summary;
};

static const struct synopsis synopses[] = {
	{"outputs", "outputs", "list outputs: name, place, size, layout output, scale"},
	{"frame-times", "frame-times",
		"per output, since last asked: frames, skipped, late, interval and compose times"},
	{"guests", "guests", "list guests' connectors and their states"},
	{"surfaces", "surfaces", "list what is shown where (views of the active layout)"},
	{"apps", "apps", "list dom0's Wayland clients' windows: app_id, title, pid"},
	{"layouts", "layouts", "list the layout file's layouts, the active one marked"},
	{"layout", "layout NAME", "switch to layout NAME"},
	{"output", "output create [WxH]", "plug in a headless output (mosaic --headless)"},
	{"output", "output unplug NAME", "take a headless output away"},
	{"reload", "reload", "read the layout file again (errors say file:line:column)"},
	{"screenshot", "screenshot [-o OUTPUT] [--rect X,Y,WxH | --surface GUEST] FILE",
		"write what an output shows to FILE (PNG; - for stdout)"},
	{"expect",
		"expect REFERENCE.png [-o OUTPUT] [--rect X,Y,WxH | --surface GUEST]\n"
		"[--tolerance N|R,G,B] [--mask X,Y,WxH]... [--timeout SECONDS]\n"
		"[--diff-dir DIR] [--verbose]",
		"compare what an output shows with a reference picture"},
	{"wait-flip", "wait-flip GUEST N [--timeout SECONDS]",
		"wait until GUEST has presented its Nth page flip"},
	{"wait-frame", "wait-frame [-o OUTPUT] [--after SEQ] [--timeout SECONDS]",
		"wait until the output presents a new frame"},
	{"focus", "focus [next|prev|none|N|GUEST]",
		"show or move keyboard focus (N: position on screen)"},
	{"inputs", "inputs", "list guests' input devices (vkbd/vinput) and their state"},
	{"input", "input key CODE down|up", "send a key (Linux code) to the guest with the focus"},
	{"input", "input pointer X Y", "move the pointer to X,Y (layout coordinates)"},
	{"input", "input button left|right|middle|CODE down|up",
		"press or release a pointer button (CODE: BTN_*)"},
	{"input", "input wheel STEPS", "turn the wheel (-100 to 100, not 0; positive: down)"},
	{"input", "input touch down|motion ID X Y", "put a touch down, or move it"},
	{"input", "input touch up|cancel ID", "lift a touch, or cancel it"},
	{"input", "input touch frame", "end a set of touch events"},
	{"follow", "follow", "print events (guests, layouts, frames) until interrupted"},
	{"ping", "ping", "check that mosaic answers"},
};

#define SYNOPSES_LEN (sizeof(synopses) / sizeof(synopses[0]))

const char *const usage_command_names[] = {"outputs", "frame-times", "guests", "surfaces", "layouts", "layout",
	"output", "reload", "screenshot", "expect", "wait-flip", "wait-frame", "focus", "inputs",
	"input", "apps", "follow", "ping", NULL};

bool usage_is_command(const char *name)
{
	for (size_t i = 0; usage_command_names[i] != NULL; i++) {
		if (strcmp(name, usage_command_names[i]) == 0) {
			return true;
		}
	}
	return false;
}

static const char help_head[] = "Usage: mosaicctl [-j] [-s SOCKET] COMMAND [ARGS]\n"
				"       mosaicctl --help | --version\n"
				"\n"
				"Talks to a running mosaic over its control socket.\n"
				"\n"
				"Commands:\n";

static const char help_tail[] =
	"\n"
	"Options (anywhere on the line; after --, every word is the command's):\n"
	"  -j, --json           print the reply as JSON: a list as an array, follow as\n"
	"                       an object per line (mosaicctl(1) gives the schema)\n"
	"  -s, --socket SOCKET  mosaic's control socket; without it, $MOSAIC_CONTROL,\n"
	"                       else $XDG_RUNTIME_DIR/mosaic.sock, else /tmp/mosaic-UID.sock\n"
	"  -h, --help           this text\n"
	"      --version        mosaicctl's version\n"
	"\n"
	"Timeouts (--timeout SECONDS, fractions allowed, up to 3600): expect 5 seconds\n"
	"(0 compares once), wait-flip and wait-frame 10 seconds.\n"
	"\n"
	"Pictures are in the output's own pixels (the first output unless -o says; a\n"
	"rotated output's picture is turned as the display gets it): the whole output,\n"
	"or --rect X,Y,WxH of it (inside the output), or with --surface GUEST the\n"
	"rectangle where the guest's picture is (its first view, on OUTPUT if -o is\n"
	"given), as the output shows it: scaled, cropped and turned as the layout says,\n"
	"with whatever is drawn above it. GUEST is a domain's name or domid, then :CONN\n"
	"or :DEV.CONN (0.0 if not given): cluster, cluster:1, 7:0.1.\n"
	"\n"
	"expect captures and compares until the picture matches or --timeout passes,\n"
	"capturing again whenever the output presents a new frame. A pixel matches when\n"
	"no channel differs by more than --tolerance (default 0); --mask regions are\n"
	"left out. When it does not match, the last capture and a diff picture (matching\n"
	"pixels dimmed, differing ones red, masks blue) are written to --diff-dir\n"
	"(default $MOSAIC_DIFF_DIR, else .) as NAME-actual.png and NAME-diff.png, and\n"
	"the count and bounding box of the differing pixels are printed. A missing\n"
	"reference is written from the capture, and is a failure too: look at it\n"
	"before keeping it. --verbose prints a line for every capture that does not\n"
	"match yet.\n"
	"\n"
	"wait-flip counts the connector's page flips from 1 since the guest connected,\n"
	"and waits for the guest to connect.\n"
	"\n"
	"Exit status: 0 done (expect: the picture matches); 1 mosaic answered an error\n"
	"or could not be reached, or the picture does not match; 2 the command line is\n"
	"wrong (then nothing is sent to mosaic).\n";

/* The column where summaries start. */
#define SUMMARY_COLUMN 32

/* A synopsis' text after indent; its further lines under its arguments. The last line's width. */
static size_t print_synopsis(FILE *out, const struct synopsis *s, size_t indent)
{
	size_t column = indent;
	size_t under = indent + strlen(s->command) + 1;
	for (const char *p = s->text; *p != '\0'; p++) {
		if (*p == '\n') {
			fprintf(out, "\n%*s", (int)under, "");
			column = under;
			continue;
		}
		fputc(*p, out);
		column++;
	}
	return column;
}

void usage_help(FILE *out)
{
	fputs(help_head, out);
	for (size_t i = 0; i < SYNOPSES_LEN; i++) {
		fputs("  ", out);
		size_t column = print_synopsis(out, &synopses[i], 2);
		if (strchr(synopses[i].text, '\n') != NULL || column + 1 > SUMMARY_COLUMN) {
			fprintf(out, "\n%*s", SUMMARY_COLUMN, "");
		} else {
			fprintf(out, "%*s", (int)(SUMMARY_COLUMN - column), "");
		}
		fprintf(out, "%s\n", synopses[i].summary);
	}
	fputs(help_tail, out);
}

int usage_error(const char *command, const char *fmt, ...)
{
	fputs("mosaicctl: ", stderr);
	if (command != NULL) {
		fprintf(stderr, "%s: ", command);
	}
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	const char *lead = "usage:";
	for (size_t i = 0; command != NULL && i < SYNOPSES_LEN; i++) {
		/* "input key" shows the synopsis of input key, "input" all of input's. */
		size_t len = strlen(command);
		const char *text = synopses[i].text;
		if (strncmp(text, command, len) == 0 && (text[len] == ' ' || text[len] == '\0')) {
			fprintf(stderr, "%-6s mosaicctl ", lead);
			print_synopsis(stderr, &synopses[i], strlen("usage: mosaicctl "));
			fputc('\n', stderr);
			lead = "";
		}
	}
	fputs("(mosaicctl --help says more)\n", stderr);
	return 2;
}
