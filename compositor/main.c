#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/backend/drm.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/libinput.h>
#include <wlr/backend/multi.h>
#include <wlr/backend/wayland.h>
#include <wlr/backend/x11.h>
#include <wlr/util/log.h>

#include "compositor/layout_file.h"
#include "compositor/lock.h"
#include "compositor/log.h"
#include "compositor/server.h"
#include "compositor/server_setup.h"
#include "compositor/service.h"
#include "layouts/layout.h"
#include "protocol/control.h"
#include "protocol/xenstore.h"
#include "vm-surfaces/log.h"

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
	"  -C, --check FILE        check a layout file and exit: 0 if it is valid, else 1\n"
	"                          with its errors; nothing else is done\n"
	"  -v, --verbose           debug logging\n"
	"  -V, --version           mosaic's version\n"
	"  -h, --help              this text\n"
	"\n"
	"SIGHUP (or mosaicctl reload) reads the layout file again.\n"
	"The renderer is pixman unless WLR_RENDERER says otherwise.\n";

/* The running mosaic, as its signal handlers see it. */
struct mosaic {
	struct mosaic_server server;
	struct mosaic_service *service; // what systemd is told
	const char *stop_reason;        // NULL while it runs
};

static int handle_signal(int signal, void *data)
{
	struct mosaic *mosaic = data;
	mosaic->stop_reason = signal == SIGTERM ? "SIGTERM" : "SIGINT";
	wlr_log(WLR_INFO, "mosaic stops: %s", mosaic->stop_reason);
	service_stopping(mosaic->service, mosaic->stop_reason);
	wl_display_terminate(mosaic->server.display);
	return 0;
}

static int handle_hangup(int signal, void *data)
{
	struct mosaic *mosaic = data;
	struct mosaic_server *server = &mosaic->server;
	struct layout_error err;
	/* A broken file is logged where it is broken; the running layout stays. */
	layout_file_reload(server, &err);
	return 0;
}

/* All of s is a whole number from min to max: no sign but '-', no blanks, no trailing text. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1]))) {
		return false;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || errno == ERANGE || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

/* The same for an option's value; a wrong one is said, naming the option. */
static bool parse_option_number(const char *option, const char *s, long min, long max,
	const char *unit, long *out)
{
	if (parse_number(s, min, max, out)) {
		return true;
	}
	fprintf(stderr, "mosaic: %s wants a whole number from %ld to %ld%s, got '%s'\n", option,
		min, max, unit, s);
	return false;
}

static bool parse_size(const char *s, int *w, int *h)
{
	char width[16];
	const char *x = strchr(s, 'x');
	long lw, lh;
	if (x == NULL || (size_t)(x - s) >= sizeof(width)) {
		return false;
	}
	memcpy(width, s, (size_t)(x - s));
	width[x - s] = '\0';
	if (!parse_number(width, 1, 16384, &lw) || !parse_number(x + 1, 1, 16384, &lh)) {
		return false;
	}
	*w = (int)lw;
	*h = (int)lh;
	return true;
}

/* What the command line asks for besides the compositor's configuration. */
struct options {
	enum wlr_log_importance level;
	const char *check_path; // --check: only check this layout file
};

/* The command line into cfg and opts: -1 to go on, else the exit status. */
static int parse_options(int argc, char *argv[], struct mosaic_config *cfg, struct options *opts)
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
		{"check", required_argument, NULL, 'C'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt;
	long n;
	while ((opt = getopt_long(argc, argv, "Hs:n:c:m:l:C:vVh", options, NULL)) != -1) {
		switch (opt) {
		case 'H':
			config.headless = true;
			break;
		case 's':
			if (!parse_size(optarg, &config.output_width, &config.output_height)) {
				fprintf(stderr, "mosaic: -s/--size wants WxH, each 1 to 16384, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			if (!parse_option_number("-n/--outputs", optarg, 0, 16, "", &n)) {
				return 2;
			}
			config.headless_outputs = (int)n;
			break;
		case 'c':
			config.control_path = optarg;
			break;
		case 'm':
			if (!parse_option_number("-m/--guest-memory", optarg, 1, 65536, " (MiB)", &n)) {
				return 2;
			}
			config.guest_memory = (uint64_t)n << 20;
			break;
		case 'l':
			config.layout_path = optarg;
			break;
		case 'S':
			config.allow_screencopy = true;
			break;
		case 'F':
			if (!parse_option_number("--forget-after", optarg, 0, 86400, " (seconds)", &n)) {
				return 2;
			}
			config.forget_after_ms = (int)n * 1000;
			break;
		case 'C':
			opts->check_path = optarg;
			break;
		case 'v':
			opts->level = WLR_DEBUG;
			break;
		case 'V':
			printf("mosaic %s\n", MOSAIC_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mosaic: unexpected argument '%s': mosaic takes options only "
				"(mosaic --help lists them)\n",
			argv[optind]);
		return 2;
	}
	*cfg = config;
	return -1;
}

/* --check: the layout file through the compositor's own loader, and nothing else. */
static int check_layout(const char *path)
{
	struct layout_error err;
	struct layout_config *config = layout_file_load(path, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
		return 1;
	}
	printf("%s: ok\n", path);
	layout_config_destroy(config);
	return 0;
}

/* Says why a lock could not be had: another mosaic holds it (named), or the file is wrong. */
static void lock_refused(const char *path, pid_t holder, const char *what)
{
	if (holder < 0) {
		wlr_log_errno(WLR_ERROR, "Cannot lock %s", path);
	} else if (holder == 0) {
		wlr_log(WLR_ERROR, "Another mosaic %s (%s is locked): not starting", what, path);
	} else {
		wlr_log(WLR_ERROR, "Another mosaic (pid %ld) %s (%s is locked): not starting",
			(long)holder, what, path);
	}
}

/*
 * One mosaic per control socket and per domain's backends, before anything
 * is touched: a second one would take every guest's devices from the
 * first (the guests see their backend close) and remove its control socket.
 */
static bool take_locks(const char *control_path, struct mosaic_lock **control,
	struct mosaic_lock **backend)
{
	char path[PATH_MAX];
	pid_t holder;
	snprintf(path, sizeof(path), "%s.lock", control_path);
	*control = lock_create(path, &holder);
	if (*control == NULL) {
		char what[PATH_MAX + 64];
		snprintf(what, sizeof(what), "runs with the control socket %s", control_path);
		lock_refused(path, holder, what);
		return false;
	}
	if (!lock_backend_path(path, sizeof(path))) {
		wlr_log(WLR_ERROR, "The backends' lock path is too long");
		goto error;
	}
	*backend = lock_create(path, &holder);
	if (*backend == NULL) {
		lock_refused(path, holder, "serves the vdispl and vkbd devices of this domain");
		goto error;
	}
	return true;

error:
	lock_destroy(*control);
	*control = NULL;
	return false;
}

/* Which backends wlroots made: "drm, libinput", "headless", "x11"... */
static void describe_backend(struct wlr_backend *backend, void *data)
{
	char *names = data;
	const char *name = wlr_backend_is_drm(backend) ? "drm" :
		wlr_backend_is_libinput(backend)       ? "libinput" :
		wlr_backend_is_headless(backend)       ? "headless" :
		wlr_backend_is_wl(backend)             ? "wayland" :
		wlr_backend_is_x11(backend)            ? "x11" :
							 "other";
	size_t len = strlen(names);
	snprintf(names + len, 128 - len, "%s%s", len > 0 ? ", " : "", name);
}

/* What runs, in one line: the version, the backends, the layout file, the control socket. */
static void log_start(struct mosaic_server *server)
{
	char backends[128] = "";
	if (wlr_backend_is_multi(server->backend)) {
		wlr_multi_for_each_backend(server->backend, describe_backend, backends);
	} else {
		describe_backend(server->backend, backends);
	}
	char layout[PATH_MAX + 128] = "no layout file (the built-in grid)";
	if (server->layout != NULL) {
		snprintf(layout, sizeof(layout), "layout file %s (layout '%s')", server->layout->file,
			server->active_layout->name);
	}
	int outputs = wl_list_length(&server->outputs);
	wlr_log(WLR_INFO,
		"mosaic %s running: display backends %s (%d output%s); vdispl, vkbd and vinput "
		"backends of domain %u; %s; control socket %s",
		MOSAIC_VERSION, backends, outputs, outputs == 1 ? "" : "s", server->store->own_domid,
		layout, server->config.control_path);
}

/* A layout file that stops mosaic from starting, where the journal sees an error. */
static void print_layout_error(const struct layout_error *err)
{
	if (!log_to_journal()) {
		layout_error_print(err, stderr);
		return;
	}
	char line[2048];
	layout_error_format(err, line, sizeof(line));
	wlr_log(WLR_ERROR, "%s", line);
}

int main(int argc, char *argv[])
{
	struct mosaic_config config;
	struct options opts = {.level = WLR_INFO};
	int exit_status = parse_options(argc, argv, &config, &opts);
	if (exit_status >= 0) {
		return exit_status;
	}
	log_init(opts.level);
	/* protocol/'s lines too, from the first: XenStore's connection is made before the guests'. */
	vm_surfaces_log_init();
	if (opts.check_path != NULL) {
		return check_layout(opts.check_path);
	}
	if (config.layout_path != NULL) {
		struct layout_error err;
		config.layout = layout_file_load(config.layout_path, &err);
		if (config.layout == NULL) {
			print_layout_error(&err);
			return 1;
		}
	}
	char control_path[PATH_MAX];
	if (config.control_path == NULL) {
		if (!control_default_path(control_path, sizeof(control_path))) {
			wlr_log(WLR_ERROR, "The control socket's path is too long");
			layout_config_destroy(config.layout);
			return 1;
		}
		config.control_path = control_path;
	}
	/*
	 * Signals wait until the event loop takes them (a signalfd): a SIGTERM
	 * that comes while mosaic starts (its control socket already answers)
	 * stops it cleanly once it runs, and no thread made meanwhile takes one.
	 */
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, NULL);
	struct mosaic_lock *control_lock, *backend_lock;
	if (!take_locks(config.control_path, &control_lock, &backend_lock)) {
		layout_config_destroy(config.layout);
		return 1;
	}
	/* Guests' memory is CPU memory: pixman reads it in place. */
	setenv("WLR_RENDERER", "pixman", 0);

	struct mosaic mosaic = {0};
	struct mosaic_server *server = &mosaic.server;
	if (!server_init(server, &config)) {
		wlr_log(WLR_INFO, "mosaic stops: it could not start");
		lock_destroy(backend_lock);
		lock_destroy(control_lock);
		return 1;
	}
	mosaic.service = service_create(server);
	if (mosaic.service == NULL) {
		wlr_log(WLR_INFO, "mosaic stops: it could not start");
		server_finish(server);
		lock_destroy(backend_lock);
		lock_destroy(control_lock);
		return 1;
	}
	struct wl_event_source *sigint =
		wl_event_loop_add_signal(server->loop, SIGINT, handle_signal, &mosaic);
	struct wl_event_source *sigterm =
		wl_event_loop_add_signal(server->loop, SIGTERM, handle_signal, &mosaic);
	struct wl_event_source *sighup =
		wl_event_loop_add_signal(server->loop, SIGHUP, handle_hangup, &mosaic);
	int status = 1;
	if (server_start(server)) {
		log_start(server);
		service_ready(mosaic.service);
		wl_display_run(server->display);
		if (mosaic.stop_reason == NULL) {
			wlr_log(WLR_INFO, "mosaic stops: its event loop ended");
		}
		status = 0;
	} else {
		wlr_log(WLR_INFO, "mosaic stops: it could not start");
	}
	wl_event_source_remove(sigint);
	wl_event_source_remove(sigterm);
	wl_event_source_remove(sighup);
	service_destroy(mosaic.service);
	server_finish(server);
	lock_destroy(backend_lock);
	lock_destroy(control_lock);
	return status;
}
