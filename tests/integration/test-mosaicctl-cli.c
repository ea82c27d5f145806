#define _DEFAULT_SOURCE
/*
 * mosaicctl's own command line. --version and --help (every command,
 * expect included, every command mosaic serves, the socket's fallbacks in
 * their order, the default timeouts). Wrong lines (an unknown command,
 * missing or extra words, malformed numbers, rectangles, guests, sizes and
 * timeouts) exit 2 with the problem named in mosaicctl's syntax, never the
 * wire's, and with nothing sent: a socket that listens sees no connection.
 * Options go anywhere on the line (`outputs -j`). Against mosaic, a
 * screenshot --rect not inside the output is an error, and no file is
 * written; inside, it is the picture of that rectangle.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"

static char dir[256];

/* A run of mosaicctl: its exit status (128 + signal when killed) and what it printed. */
struct run {
	int status;
	char out[16384], err[16384];
};

static void read_file(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return;
	}
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs mosaicctl with args (NULL-terminated), env entries ("K=V") added; 5 s at most. */
static void run(struct run *r, char *const env[], const char *const args[])
{
	char out[300], err[300];
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	char *argv[40] = {(char *)harness_program("MOSAICCTL")};
	int argc = 1;
	for (int i = 0; args[i] != NULL && argc < 39; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork failed");
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (o < 0 || e < 0) {
			_exit(126);
		}
		dup2(o, STDOUT_FILENO);
		dup2(e, STDERR_FILENO);
		for (int i = 0; env != NULL && env[i] != NULL; i++) {
			putenv(env[i]);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	int64_t deadline = now_ms() + 5000;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			/* It waits for an answer that never comes: it connected. */
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(5000);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	read_file(out, r->out, sizeof(r->out));
	read_file(err, r->err, sizeof(r->err));
}

static void show(const char *what, const struct run *r)
{
	fprintf(stderr, "mosaicctl %s: exit %d\n--- stdout:\n%s--- stderr:\n%s---\n", what,
		r->status, r->out, r->err);
}

/* A socket that listens and never answers: a connection to it is counted. */
static int trap_fd;
static char trap_path[300];

static void trap_open(void)
{
	snprintf(trap_path, sizeof(trap_path), "%s/trap.sock", dir);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", trap_path);
	trap_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(trap_fd >= 0 && bind(trap_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
			listen(trap_fd, 64) == 0,
		"cannot listen on %s: %s", trap_path, strerror(errno));
}

/* How many connections came since the last call. */
static int trap_connections(void)
{
	int n = 0;
	int fd;
	while ((fd = accept(trap_fd, NULL, NULL)) >= 0) {
		close(fd);
		n++;
	}
	CHECK(errno == EAGAIN || errno == EWOULDBLOCK, "accept: %s", strerror(errno));
	return n;
}

/* Words a wrong line must never be answered with: the protocol's, not mosaicctl's. */
static const char *const wire_words[] = {
	"rect=", "surface=", "timeout=", "after=", "X,Y,W,H", "error ", "MS", "WIDTHxHEIGHT", NULL};

struct wrong {
	const char *args[12]; // NULL-terminated
	const char *says;     // on stderr
	const char *usage;    // the synopsis line shown, NULL: none
};

static const struct wrong wrongs[] = {
	{{NULL}, "no command given; commands: outputs, frame-times, guests,", NULL},
	{{"bogus"}, "unknown command 'bogus'; commands: outputs, frame-times, guests,", NULL},
	{{"-x", "outputs"}, "unknown option '-x'", NULL},
	{{"outputs", "extra"}, "outputs: takes no arguments, got 'extra'",
		"usage: mosaicctl outputs"},
	{{"ping", "-j", "now"}, "ping: takes no arguments, got 'now'", "usage: mosaicctl ping"},
	{{"layout"}, "layout: missing the layout's NAME", "usage: mosaicctl layout NAME"},
	{{"layout", "a", "b"}, "layout: one NAME only, got 'b' too",
		"usage: mosaicctl layout NAME"},
	{{"output"}, "output: missing create or unplug", "mosaicctl output unplug NAME"},
	{{"output", "plug"}, "output: unknown 'plug': create or unplug", "mosaicctl output create"},
	{{"output", "create", "0x5"}, "output create: wants WxH (1 to 16384 each), got '0x5'",
		"usage: mosaicctl output create [WxH]"},
	{{"output", "create", "640,480"}, "got '640,480'", "usage: mosaicctl output create [WxH]"},
	{{"output", "unplug"}, "output unplug: missing the output's NAME",
		"usage: mosaicctl output unplug NAME"},
	{{"screenshot"}, "screenshot: missing the FILE to write (- for stdout)",
		"usage: mosaicctl screenshot [-o OUTPUT] [--rect X,Y,WxH | --surface GUEST] FILE"},
	{{"screenshot", "a.png", "b.png"}, "screenshot: one FILE only, got 'b.png' too",
		"usage: mosaicctl screenshot"},
	{{"screenshot", "--rect"}, "screenshot: --rect wants X,Y,WxH",
		"usage: mosaicctl screenshot"},
	{{"screenshot", "--rect", "1,2,3", "a.png"}, "--rect wants X,Y,WxH", "got '1,2,3'"},
	{{"screenshot", "--rect", "0,0,0x5", "a.png"}, "--rect wants X,Y,WxH", "got '0,0,0x5'"},
	{{"screenshot", "--rect", "-1,0,5x5", "a.png"}, "--rect wants X,Y,WxH", "got '-1,0,5x5'"},
	{{"screenshot", "--rect", "0,0,5x5", "--surface", "a", "f"},
		"--rect and --surface do not go together", "usage: mosaicctl screenshot"},
	{{"screenshot", "--surface", "cluster:7", "f"}, "--surface wants a GUEST",
		"got 'cluster:7'"},
	{{"screenshot", "-o"}, "screenshot: -o wants an OUTPUT", "usage: mosaicctl screenshot"},
	{{"screenshot", "--frob", "f"}, "screenshot: unknown option '--frob'",
		"usage: mosaicctl screenshot"},
	{{"expect"}, "expect: missing the REFERENCE.png to compare with",
		"usage: mosaicctl expect REFERENCE.png"},
	{{"expect", "r.png", "--tolerance", "300"}, "--tolerance wants N or R,G,B (0 to 255)",
		"usage: mosaicctl expect"},
	{{"expect", "r.png", "--mask", "1,2"}, "expect: --mask wants X,Y,WxH", "got '1,2'"},
	{{"expect", "r.png", "--timeout", "soon"}, "expect: --timeout wants SECONDS", "got 'soon'"},
	{{"expect", "r.png", "--timeout"}, "expect: --timeout wants SECONDS",
		"usage: mosaicctl expect"},
	{{"expect", "r.png", "s.png"}, "expect: one REFERENCE.png only, got 's.png' too",
		"usage: mosaicctl expect"},
	{{"wait-flip"}, "wait-flip: missing GUEST and N", "usage: mosaicctl wait-flip GUEST N"},
	{{"wait-flip", "cluster"}, "wait-flip: missing N", "usage: mosaicctl wait-flip GUEST N"},
	{{"wait-flip", "cluster", "x"}, "wait-flip: N is a flip number from 1, got 'x'",
		"[--timeout SECONDS]"},
	{{"wait-flip", "cluster", "0"}, "N is a flip number from 1, got '0'", "wait-flip GUEST N"},
	{{"wait-flip", "cluster:9", "1"}, "GUEST is NAME or DOMID, then :CONN or :DEV.CONN",
		"got 'cluster:9'"},
	{{"wait-flip", "cluster", "1", "--timeout", "0"},
		"wait-flip: --timeout wants SECONDS, 0.001 to 3600, got '0'", "wait-flip GUEST N"},
	{{"wait-flip", "cluster", "1", "2"}, "wait-flip: unexpected '2'", "wait-flip GUEST N"},
	{{"wait-frame", "--after", "x"}, "wait-frame: --after wants SEQ, a frame number, got 'x'",
		"usage: mosaicctl wait-frame"},
	{{"wait-frame", "HEADLESS-1"}, "wait-frame: unexpected 'HEADLESS-1'",
		"usage: mosaicctl wait-frame [-o OUTPUT]"},
	{{"focus", "a", "b"}, "focus: one of next, prev, none, N or GUEST; got 'b' too",
		"usage: mosaicctl focus"},
	{{"focus", "0"}, "focus: N is a position on screen, 1 to 256, got '0'",
		"usage: mosaicctl focus"},
	{{"input"}, "input: missing key, pointer, button, wheel or touch",
		"mosaicctl input touch frame"},
	{{"input", "fly"}, "input: unknown 'fly'", "usage: mosaicctl input key CODE down|up"},
	{{"input", "key", "30"}, "input key: wants CODE and down or up",
		"usage: mosaicctl input key CODE down|up"},
	{{"input", "key", "a", "down"}, "input key: CODE is a Linux key code", "got 'a'"},
	{{"input", "key", "30", "sideways"}, "input key: 30 wants down or up, got 'sideways'",
		"usage: mosaicctl input key"},
	{{"input", "pointer", "1"}, "input pointer: wants X and Y",
		"usage: mosaicctl input pointer X Y"},
	{{"input", "pointer", "x", "2"}, "input pointer: X wants a number, got 'x'",
		"usage: mosaicctl input pointer X Y"},
	{{"input", "button", "5", "down"}, "input button: wants left, right, middle or a CODE",
		"usage: mosaicctl input button"},
	{{"input", "wheel", "0"}, "input wheel: STEPS is -100 to 100 but not 0, got '0'",
		"usage: mosaicctl input wheel STEPS"},
	{{"input", "touch", "down", "1", "2"}, "input touch: down wants ID, X and Y",
		"usage: mosaicctl input touch down|motion ID X Y"},
	{{"input", "touch", "up", "-1"}, "input touch: up ID is 0 to 2147483647, got '-1'",
		"mosaicctl input touch up|cancel ID"},
	{{"input", "touch", "frame", "1"}, "input touch: frame: unexpected '1'",
		"mosaicctl input touch frame"},
	{{"outputs", "-s"}, "-s wants the SOCKET's path", NULL},
};

static void check_wrong(const struct wrong *w, bool socket_last)
{
	/* The socket before the command, or after it: options go anywhere. */
	const char *args[20];
	int n = 0;
	if (!socket_last) {
		args[n++] = "-s";
		args[n++] = trap_path;
	}
	for (int i = 0; w->args[i] != NULL; i++) {
		args[n++] = w->args[i];
	}
	if (socket_last && (n == 0 || strcmp(args[n - 1], "-s") != 0)) {
		args[n++] = "-s";
		args[n++] = trap_path;
	}
	args[n] = NULL;
	char what[256] = "";
	for (int i = 0; args[i] != NULL; i++) {
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s", i ? " " : "",
			args[i]);
	}
	struct run r;
	run(&r, NULL, args);
	int connections = trap_connections();
	bool ok = r.status == 2 && connections == 0 && strstr(r.err, w->says) != NULL &&
		  strncmp(r.err, "mosaicctl: ", 11) == 0 && r.out[0] == '\0' &&
		  (w->usage == NULL || strstr(r.err, w->usage) != NULL);
	for (int i = 0; wire_words[i] != NULL; i++) {
		ok = ok && strstr(r.err, wire_words[i]) == NULL;
	}
	if (!ok) {
		show(what, &r);
		fail("mosaicctl %s: wanted exit 2, '%s'%s%s on stderr and no connection (%d "
		     "came)",
			what, w->says, w->usage ? " and " : "", w->usage ? w->usage : "",
			connections);
	}
}

static void check_help(void)
{
	struct run r;
	const char *version[] = {"--version", NULL};
	run(&r, NULL, version);
	const char *want = getenv("MOSAIC_VERSION");
	CHECK(want != NULL, "meson sets MOSAIC_VERSION");
	char line[128];
	snprintf(line, sizeof(line), "mosaicctl %s\n", want);
	if (r.status != 0 || strcmp(r.out, line) != 0) {
		show("--version", &r);
		fail("mosaicctl --version: wanted '%s'", line);
	}
	/* Options anywhere: after a command too, and nothing is sent. */
	const char *late[] = {"-s", trap_path, "outputs", "--version", NULL};
	run(&r, NULL, late);
	CHECK(r.status == 0 && strcmp(r.out, line) == 0 && trap_connections() == 0,
		"mosaicctl outputs --version: exit %d, %s", r.status, r.out);

	const char *help[] = {"layouts", "--help", NULL};
	run(&r, NULL, help);
	if (r.status != 0 || strncmp(r.out, "Usage: mosaicctl ", 17) != 0) {
		show("--help", &r);
		fail("mosaicctl --help failed");
	}
	static const char *const commands[] = {"outputs", "guests", "surfaces", "layouts",
		"layout NAME", "output create", "output unplug", "reload", "screenshot", "expect",
		"wait-flip", "wait-frame", "focus", "inputs", "input key", "input pointer",
		"input button", "input wheel", "input touch", "follow", "ping", NULL};
	for (int i = 0; commands[i] != NULL; i++) {
		char listed[64];
		snprintf(listed, sizeof(listed), "\n  %s ", commands[i]);
		CHECK(strstr(r.out, listed) != NULL, "--help does not list '%s'", commands[i]);
	}
	/* The socket: -s, else $MOSAIC_CONTROL, else $XDG_RUNTIME_DIR/mosaic.sock, else /tmp. */
	const char *order[] = {"-s, --socket SOCKET", "$MOSAIC_CONTROL",
		"$XDG_RUNTIME_DIR/mosaic.sock", "/tmp/mosaic-UID.sock", NULL};
	const char *at = r.out;
	for (int i = 0; order[i] != NULL; i++) {
		const char *next = strstr(at, order[i]);
		CHECK(next != NULL, "--help does not name '%s' (after '%s')", order[i],
			i > 0 ? order[i - 1] : "the start");
		at = next;
	}
	CHECK(strstr(r.out, "expect 5 seconds") != NULL &&
			strstr(r.out, "wait-flip and wait-frame 10 seconds") != NULL,
		"--help does not give the default timeouts");
	CHECK(strstr(r.out, "Exit status:") != NULL, "--help does not give the exit statuses");
	CHECK(trap_connections() == 0, "--help connected");
}

/* The help names every command mosaic serves (mosaic lists them for an unknown one). */
static void check_help_has_served(struct harness *h)
{
	char *reply = guests_control_reply(h, "bogus");
	CHECK(reply != NULL, "no reply to an unknown command");
	char *list = strstr(reply, "commands: ");
	CHECK(list != NULL, "mosaic lists no commands: %s", reply);
	struct run r;
	const char *help[] = {"--help", NULL};
	run(&r, NULL, help);
	int found = 0;
	/* "ping, outputs, ..., layout NAME, ...": the first word of each. */
	for (char *p = list + strlen("commands: "); *p != '\0' && *p != '\n';) {
		size_t len = strcspn(p, " ,\n");
		char listed[64];
		snprintf(listed, sizeof(listed), "\n  %.*s", (int)len, p);
		CHECK(strstr(r.out, listed) != NULL, "--help does not list mosaic's '%.*s'",
			(int)len, p);
		found++;
		p = strstr(p, ", ");
		if (p == NULL) {
			break;
		}
		p += 2;
	}
	CHECK(found >= 14, "only %d commands in mosaic's list: %s", found, list);
	free(reply);
}

/* The width and height of a PNG file, from its header; false if it is not one. */
static bool png_size(const char *path, long *w, long *hgt)
{
	unsigned char head[24];
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		return false;
	}
	bool ok = fread(head, 1, sizeof(head), f) == sizeof(head) &&
		  memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0;
	fclose(f);
	*w = (long)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
	*hgt = (long)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
	return ok;
}

static void check_against_mosaic(void)
{
	struct harness h;
	const char *args[] = {"--size", "640x480", NULL};
	harness_start(&h, args);
	struct run r;

	/* -j after the command, the socket last: JSON from the live mosaic, a list an array. */
	const char *outputs[] = {"outputs", "-j", "-s", h.control, NULL};
	run(&r, NULL, outputs);
	if (r.status != 0 ||
		strncmp(r.out, "[\n{\"type\":\"output\",\"name\":\"HEADLESS-1\",", 39) != 0) {
		show("outputs -j", &r);
		fail("mosaicctl outputs -j did not print JSON");
	}
	const char *plain[] = {"outputs", "--socket", h.control, NULL};
	run(&r, NULL, plain);
	CHECK(r.status == 0 && strncmp(r.out, "output name=HEADLESS-1 ", 23) == 0,
		"mosaicctl outputs --socket: %s", r.out);
	char env_socket[400];
	snprintf(env_socket, sizeof(env_socket), "MOSAIC_CONTROL=%s", h.control);
	char *env[] = {env_socket, NULL};
	const char *json_first[] = {"--json", "layouts", NULL};
	run(&r, env, json_first);
	CHECK(r.status == 0 && strcmp(r.out, "[]\n") == 0,
		"mosaicctl --json layouts (no layout file): %d %s%s", r.status, r.out, r.err);

	/* A rectangle not inside the 640x480 output: an error, and no file. */
	char file[300];
	snprintf(file, sizeof(file), "%s/shot.png", dir);
	static const char *const outside[] = {"0,0,5000x5000", "600,400,100x100", "0,0,641x480",
		"640,0,1x1", "0,479,640x2", NULL};
	for (int i = 0; outside[i] != NULL; i++) {
		const char *shot[] = {"screenshot", "--rect", outside[i], file, NULL};
		run(&r, env, shot);
		char want[200];
		snprintf(want, sizeof(want),
			"rectangle %s is not inside output HEADLESS-1 (640x480)", outside[i]);
		if (r.status != 1 || strstr(r.err, want) == NULL || access(file, F_OK) == 0) {
			show("screenshot --rect", &r);
			fail("screenshot --rect %s: wanted exit 1, '%s' and no %s", outside[i],
				want, file);
		}
		const char *expect[] = {"expect", file, "--rect", outside[i], NULL};
		run(&r, env, expect);
		CHECK(r.status == 1 && strstr(r.err, want) != NULL && access(file, F_OK) != 0,
			"expect --rect %s: exit %d, %s", outside[i], r.status, r.err);
	}
	/* Inside: exactly that rectangle, the whole output included. */
	static const struct {
		const char *rect;
		long w, h;
	} inside[] = {{"0,0,640x480", 640, 480}, {"10,20,30x40", 30, 40}, {"639,479,1x1", 1, 1}};
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
		const char *shot[] = {"screenshot", file, "--rect", inside[i].rect, NULL};
		run(&r, env, shot);
		long w = 0, hgt = 0;
		CHECK(r.status == 0 && png_size(file, &w, &hgt) && w == inside[i].w &&
				hgt == inside[i].h,
			"screenshot --rect %s: exit %d, %ldx%ld: %s", inside[i].rect, r.status, w,
			hgt, r.err);
		unlink(file);
	}

	check_help_has_served(&h);
	harness_stop(&h);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mosaicctl-cli-XXXXXX");
	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	trap_open();
	check_help();
	for (size_t i = 0; i < sizeof(wrongs) / sizeof(wrongs[0]); i++) {
		check_wrong(&wrongs[i], false);
		check_wrong(&wrongs[i], true);
	}
	/* The socket from the environment: still nothing is sent for a wrong line. */
	char env_socket[400];
	snprintf(env_socket, sizeof(env_socket), "MOSAIC_CONTROL=%s", trap_path);
	char *env[] = {env_socket, NULL};
	const char *bogus[] = {"bogus", NULL};
	struct run r;
	run(&r, env, bogus);
	CHECK(r.status == 2 && trap_connections() == 0, "bogus with $MOSAIC_CONTROL: exit %d",
		r.status);
	/* A right line does connect: the trap works. */
	const char *ping[] = {"ping", NULL};
	run(&r, env, ping);
	CHECK(trap_connections() == 1, "mosaicctl ping did not connect to the trap");

	check_against_mosaic();
	close(trap_fd);
	unlink(trap_path);
	char path[300];
	snprintf(path, sizeof(path), "%s/out", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/err", dir);
	unlink(path);
	rmdir(dir);
	printf("mosaicctl-cli: ok\n");
	return 0;
}
