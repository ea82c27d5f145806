#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/log.h>

#include "compositor/layout_file.h"
#include "compositor/server.h"
#include "compositor/server_setup.h"
#include "layouts/layout.h"

static const char usage[] =
	"Usage: mosaic [options]\n"
	"\n"
	"Shows the screens of Xen guests (PV display, vdispl) on this machine's displays.\n"
	"\n"
	"  -H, --headless          no real or nested display: headless outputs\n"
	"  -s, --size WxH          output size for headless and nested outputs (1920x1080)\n"
	"  -n, --outputs N         number of headless outputs, 0 to 16 (1)\n"
	"  -l, --layout FILE       the layout file: outputs, guests, layouts, key bindings\n"
	"                          (mosaic-layout(5)); without it, guests are shown in a grid\n"
	"  -m, --guest-memory MIB  buffer memory one guest device may use (256)\n"
	"      --forget-after S    how long the place of a guest that is gone is kept, in\n"
	"                          seconds, 0 to 86400 (60); the layout file's guests stay\n"
	"      --allow-screencopy  let Wayland clients of mosaic's (grim) capture the\n"
	"                          outputs, guests' screens included (off: they are private,\n"
	"                          unless the layout file says allow-screencopy = true)\n"
	"  -c, --control PATH      control socket (default $MOSAIC_CONTROL,\n"
	"                          $XDG_RUNTIME_DIR/mosaic.sock, or /tmp/mosaic-UID.sock)\n"
	"  -v, --verbose           debug logging\n"
	"  -h, --help              this text\n"
	"\n"
	"SIGHUP (or mosaicctl reload) reads the layout file again.\n"
	"The renderer is pixman unless WLR_RENDERER says otherwise.\n";

static int handle_signal(int signal, void *data)
{
	wl_display_terminate(data);
	return 0;
}

static int handle_hangup(int signal, void *data)
{
	struct mosaic_server *server = data;
	struct layout_error err;
	/* A broken file is logged where it is broken; the running layout stays. */
	layout_file_reload(server, &err);
	return 0;
}

static bool parse_size(const char *s, int *w, int *h)
{
	char x;
	return sscanf(s, "%d%c%d", w, &x, h) == 3 && x == 'x' && *w > 0 && *h > 0 &&
		*w <= 16384 && *h <= 16384;
}

/* The command line into config and level: -1 to go on, else the exit status. */
static int parse_options(int argc, char *argv[], struct mosaic_config *cfg,
	enum wlr_log_importance *level)
{
	struct mosaic_config config = {.headless_outputs = 1, .forget_after_ms = 60000};
	static const struct option options[] = {
		{"headless", no_argument, NULL, 'H'},
		{"size", required_argument, NULL, 's'},
		{"outputs", required_argument, NULL, 'n'},
		{"control", required_argument, NULL, 'c'},
		{"guest-memory", required_argument, NULL, 'm'},
		{"layout", required_argument, NULL, 'l'},
		{"allow-screencopy", no_argument, NULL, 'S'},
		{"forget-after", required_argument, NULL, 'F'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "Hs:n:c:m:l:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'H':
			config.headless = true;
			break;
		case 's':
			if (!parse_size(optarg, &config.output_width, &config.output_height)) {
				fprintf(stderr, "mosaic: --size wants WxH, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			config.headless_outputs = atoi(optarg);
			if (config.headless_outputs < 0 || config.headless_outputs > 16) {
				fprintf(stderr, "mosaic: --outputs wants 0 to 16\n");
				return 2;
			}
			break;
		case 'c':
			config.control_path = optarg;
			break;
		case 'm': {
			long mib = atol(optarg);
			if (mib < 1 || mib > 65536) {
				fprintf(stderr, "mosaic: --guest-memory wants 1 to 65536 (MiB)\n");
				return 2;
			}
			config.guest_memory = (uint64_t)mib << 20;
			break;
		}
		case 'l':
			config.layout_path = optarg;
			break;
		case 'S':
			config.allow_screencopy = true;
			break;
		case 'F': {
			char *end;
			long seconds = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || seconds < 0 || seconds > 86400) {
				fprintf(stderr, "mosaic: --forget-after wants 0 to 86400 (seconds), got '%s'\n",
					optarg);
				return 2;
			}
			config.forget_after_ms = (int)seconds * 1000;
			break;
		}
		case 'v':
			*level = WLR_DEBUG;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return 2;
	}
	*cfg = config;
	return -1;
}

int main(int argc, char *argv[])
{
	struct mosaic_config config;
	enum wlr_log_importance level = WLR_INFO;
	int exit_status = parse_options(argc, argv, &config, &level);
	if (exit_status >= 0) {
		return exit_status;
	}
	wlr_log_init(level, NULL);
	if (config.layout_path != NULL) {
		struct layout_error err;
		config.layout = layout_file_load(config.layout_path, &err);
		if (config.layout == NULL) {
			layout_error_print(&err, stderr);
			return 1;
		}
	}
	/* Guests' memory is CPU memory: pixman reads it in place. */
	setenv("WLR_RENDERER", "pixman", 0);

	struct mosaic_server server = {0};
	if (!server_init(&server, &config)) {
		return 1;
	}
	struct wl_event_source *sigint =
		wl_event_loop_add_signal(server.loop, SIGINT, handle_signal, server.display);
	struct wl_event_source *sigterm =
		wl_event_loop_add_signal(server.loop, SIGTERM, handle_signal, server.display);
	struct wl_event_source *sighup =
		wl_event_loop_add_signal(server.loop, SIGHUP, handle_hangup, &server);
	int status = 1;
	if (server_start(&server)) {
		wlr_log(WLR_INFO, "mosaic running");
		wl_display_run(server.display);
		status = 0;
	}
	wl_event_source_remove(sigint);
	wl_event_source_remove(sigterm);
	wl_event_source_remove(sighup);
	server_finish(&server);
	return status;
}
