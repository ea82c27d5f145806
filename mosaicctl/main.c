#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mosaicctl/mosaicctl.h"
#include "protocol/control.h"

static const char usage[] =
	"Usage: mosaicctl [-j] [-s SOCKET] COMMAND [ARGS]\n"
	"\n"
	"  outputs                       list outputs: name, place, size, layout output, scale\n"
	"  guests                        list guests' connectors and their states\n"
	"  surfaces                      list what is shown where (views of the active layout)\n"
	"  layouts                       list the layout file's layouts, the active one marked\n"
	"  layout NAME                   switch to layout NAME\n"
	"  output create [WxH]           plug in a headless output (mosaic --headless)\n"
	"  output unplug NAME            take a headless output away\n"
	"  reload                        read the layout file again (errors say file:line:column)\n"
	"  screenshot [-o OUTPUT] [--rect X,Y,WxH | --surface GUEST] FILE\n"
	"                                write what an output shows to FILE (PNG; - for stdout)\n"
	"  expect REFERENCE.png [-o OUTPUT] [--rect X,Y,WxH | --surface GUEST]\n"
	"         [--tolerance N|R,G,B] [--mask X,Y,WxH]... [--timeout SECONDS] [--diff-dir DIR]\n"
	"         [--verbose]\n"
	"                                compare what an output shows with a reference picture\n"
	"  wait-flip GUEST N [--timeout SECONDS]\n"
	"                                wait until GUEST has presented its Nth page flip\n"
	"  wait-frame [-o OUTPUT] [--after SEQ] [--timeout SECONDS]\n"
	"                                wait until the output presents a new frame\n"
	"  focus [next|prev|none|N|GUEST] show or move keyboard focus (N: position on screen)\n"
	"  inputs                        list guests' input devices (vkbd/vinput) and their state\n"
	"  input key CODE down|up        send a key (Linux code) to the guest with the focus\n"
	"  input pointer X Y             move the pointer to X,Y (layout coordinates)\n"
	"  input button left|right|middle|CODE down|up, input wheel STEPS\n"
	"  input touch down|motion ID X Y, input touch up|cancel ID, input touch frame\n"
	"  follow                        print events (guests, layouts, frames) until interrupted\n"
	"  ping                          check that mosaic answers\n"
	"\n"
	"  -j, --json    print every data line as a JSON object, one per line\n"
	"  -s SOCKET     the control socket, else $MOSAIC_CONTROL, else\n"
	"                $XDG_RUNTIME_DIR/mosaic.sock\n"
	"\n"
	"Pictures are in the output's own pixels (the first output unless -o says; a\n"
	"rotated output's picture is turned as the display gets it): the whole output,\n"
	"or --rect X,Y,WxH of it, or with --surface GUEST the rectangle where\n"
	"the guest's picture is (its first view, on OUTPUT if -o is given), as the output\n"
	"shows it: scaled, cropped and turned as the layout says, with whatever is drawn\n"
	"above it. GUEST is a domain's name or domid, then :CONN or :DEV.CONN (0.0 if not\n"
	"given): cluster, cluster:1, 7:0.1.\n"
	"\n"
	"expect captures and compares until the picture matches or --timeout passes\n"
	"(default 5 seconds; 0 compares once), capturing again whenever the output\n"
	"presents a new frame. A pixel matches when no channel differs by more than\n"
	"--tolerance (default 0); --mask regions are left out. Exit status 0: it matches.\n"
	"1: it does not: the last capture and a diff picture (matching pixels dimmed,\n"
	"differing ones red, masks blue) are written to --diff-dir (default\n"
	"$MOSAIC_DIFF_DIR, else .) as NAME-actual.png and NAME-diff.png, and the count\n"
	"and bounding box of the differing pixels are printed. A missing reference is\n"
	"written from the capture, and is a failure too: look at it before keeping it.\n"
	"--verbose prints a line for every capture that does not match yet.\n"
	"\n"
	"wait-flip counts the connector's page flips from 1 since the guest connected\n"
	"and waits for the guest to connect (default --timeout 10 seconds).\n";

/* Requests whose reply is text: printed as it comes (follow never ends). */
static int run_text(const struct ctl *ctl, int argc, char **argv)
{
	char line[CONTROL_MAX_LINE];
	const char *words[CONTROL_MAX_ARGS + 1];
	if (argc > CONTROL_MAX_ARGS) {
		fprintf(stderr, "mosaicctl: too many arguments\n");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		words[i] = argv[i];
	}
	words[argc] = NULL;
	if (!ctl_format_request(words, line, sizeof(line))) {
		fprintf(stderr, "mosaicctl: arguments too long\n");
		return 2;
	}
	int fd = ctl_connect(ctl);
	if (fd < 0) {
		return 1;
	}
	FILE *conn = fdopen(fd, "r+");
	if (conn == NULL || fputs(line, conn) == EOF || fflush(conn) == EOF) {
		fprintf(stderr, "mosaicctl: cannot send the request\n");
		return 1;
	}
	/* follow never ends with a status line: its events run until mosaic or we stop. */
	bool follow = strcmp(argv[0], "follow") == 0;
	if (follow) {
		setvbuf(stdout, NULL, _IOLBF, 0);
	}
	int status = 1;
	char reply[CONTROL_MAX_LINE];
	while (fgets(reply, sizeof(reply), conn) != NULL) {
		if (strcmp(reply, "ok\n") == 0) {
			status = 0;
			break;
		}
		if (strncmp(reply, "error ", 6) == 0) {
			fprintf(stderr, "mosaicctl: %s", reply + 6);
			break;
		}
		if (strcmp(reply, "\n") == 0) {
			continue;
		}
		if (!ctl_print_line(ctl, reply)) {
			break;
		}
	}
	fclose(conn);
	if (follow) {
		/* mosaic went away: the stream is over, which is how follow ends. */
		return 0;
	}
	return status;
}

int main(int argc, char *argv[])
{
	char socket_path[256] = {0};
	struct ctl ctl = {socket_path, false};
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			snprintf(socket_path, sizeof(socket_path), "%s", argv[++i]);
		} else if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0) {
			ctl.json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (socket_path[0] == '\0' && !control_default_path(socket_path, sizeof(socket_path))) {
		return 2;
	}
	static const struct {
		const char *name;
		int (*run)(const struct ctl *ctl, int argc, char **argv);
	} commands[] = {
		{"screenshot", ctl_screenshot},
		{"expect", ctl_expect},
		{"wait-flip", ctl_wait_flip},
		{"wait-frame", ctl_wait_frame},
	};
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name) == 0) {
			return commands[c].run(&ctl, argc - i, argv + i);
		}
	}
	return run_text(&ctl, argc - i, argv + i);
}
