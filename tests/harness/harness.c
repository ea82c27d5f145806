#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_PROCS 1024

static struct proc *procs[MAX_PROCS];
static int64_t start_ms;
static int nprocs;
static char cleanup_dir[256];

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kill_all(void)
{
	for (int i = 0; i < nprocs; i++) {
		if (!procs[i]->exited) {
			kill(procs[i]->pid, SIGKILL);
			waitpid(procs[i]->pid, NULL, 0);
			procs[i]->exited = true;
		}
	}
	if (cleanup_dir[0] != '\0') {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cleanup_dir);
		if (system(cmd) != 0) {
			fprintf(stderr, "cannot remove %s\n", cleanup_dir);
		}
		cleanup_dir[0] = '\0';
	}
}

void fail(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, args);
	fprintf(stderr, "\n");
	va_end(args);
	kill_all();
	exit(1);
}

const char *harness_program(const char *env_name)
{
	const char *path = getenv(env_name);
	CHECK(path != NULL && path[0] != '\0', "%s is not set (run the tests with meson test)",
		env_name);
	return path;
}

struct proc *proc_spawn(const char *name, char *const argv[], char *const env[])
{
	CHECK(nprocs < MAX_PROCS, "too many processes");
	int pipefd[2];
	CHECK(pipe2(pipefd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		for (int i = 0; env != NULL && env[i] != NULL; i++) {
			putenv(env[i]);
		}
		execv(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	struct proc *proc = calloc(1, sizeof(*proc));
	CHECK(proc != NULL, "out of memory");
	proc->name = name;
	proc->pid = pid;
	proc->out_fd = pipefd[0];
	procs[nprocs++] = proc;
	return proc;
}

/* Reads what is available; false once the pipe is closed. */
static bool proc_read(struct proc *proc, int timeout_ms)
{
	struct pollfd pfd = {.fd = proc->out_fd, .events = POLLIN};
	int r = poll(&pfd, 1, timeout_ms);
	if (r <= 0) {
		return true;
	}
	if (proc->len == sizeof(proc->buf) - 1) {
		/* A line longer than the buffer: drop what we have. */
		proc->len = 0;
	}
	ssize_t n = read(proc->out_fd, proc->buf + proc->len, sizeof(proc->buf) - 1 - proc->len);
	if (n <= 0) {
		return false;
	}
	proc->len += (size_t)n;
	return true;
}

bool proc_wait_line(struct proc *proc, const char *needle, int timeout_ms, char *line,
	size_t size)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		char *nl;
		while ((nl = memchr(proc->buf, '\n', proc->len)) != NULL) {
			*nl = '\0';
			bool match = strstr(proc->buf, needle) != NULL;
			if (match && line != NULL) {
				snprintf(line, size, "%s", proc->buf);
			}
			fprintf(stderr, "%6.2f [%s] %s\n", (now_ms() - start_ms) / 1000.0, proc->name,
				proc->buf);
			size_t used = (size_t)(nl - proc->buf) + 1;
			memmove(proc->buf, proc->buf + used, proc->len - used);
			proc->len -= used;
			if (match) {
				return true;
			}
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			return false;
		}
		if (!proc_read(proc, (int)left)) {
			return false;
		}
	}
}

int proc_wait_exit(struct proc *proc, int timeout_ms)
{
	if (proc->exited) {
		return proc->status;
	}
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		int status;
		pid_t r = waitpid(proc->pid, &status, WNOHANG);
		if (r == proc->pid) {
			proc->exited = true;
			proc->status = status;
			/* Show what it said last (bounded: a child may hold the pipe). */
			int64_t until = now_ms() + 1000;
			while (now_ms() < until && proc_read(proc, 100)) {
			}
			proc_wait_line(proc, "\x01", 0, NULL, 0);
			return status;
		}
		if (now_ms() >= deadline) {
			return -1;
		}
		/* Drain its output meanwhile, so it never blocks on a full pipe. */
		char line[512];
		proc_wait_line(proc, "\x01", 20, line, sizeof(line));
	}
}

int proc_stop(struct proc *proc, int sig, int timeout_ms)
{
	if (!proc->exited) {
		kill(proc->pid, sig);
	}
	int status = proc_wait_exit(proc, timeout_ms);
	if (status == -1) {
		kill(proc->pid, SIGKILL);
		status = proc_wait_exit(proc, 5000);
	}
	return status;
}

static int control_connect(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static const char *saved_args[32];

/* Started without --headless: in the window system the environment names. */
static bool nested;

static void start_mosaic(struct harness *h, const char *const mosaic_args[])
{
	char *argv[64] = {(char *)harness_program("MOSAIC_SIM"), "--control", h->control};
	int argc = 3;
	if (!nested) {
		argv[argc++] = "--headless";
	}
	for (int i = 0; mosaic_args != NULL && mosaic_args[i] != NULL && argc < 62; i++) {
		argv[argc++] = (char *)mosaic_args[i];
		if (mosaic_args != saved_args && i < 31) {
			saved_args[i] = mosaic_args[i];
		}
	}
	argv[argc] = NULL;
	/*
	 * The lock of the backends it serves is the test's own: another mosaic
	 * on this machine (another test run's, the demo's) serves another
	 * simulated hypervisor.
	 */
	char runtime[320];
	snprintf(runtime, sizeof(runtime), "MOSAIC_RUNTIME_DIR=%s", h->dir);
	char *env[] = {"XENSIM_DOMID=0", runtime, NULL};
	h->mosaic = proc_spawn("mosaic", argv, env);
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		int fd = control_connect(h->control);
		if (fd >= 0) {
			close(fd);
			break;
		}
		CHECK(now_ms() < deadline, "mosaic did not open its control socket");
		CHECK(proc_wait_exit(h->mosaic, 20) == -1, "mosaic exited at start");
	}
}

void harness_restart_mosaic(struct harness *h, int sig)
{
	int status = proc_stop(h->mosaic, sig, 10000);
	if (sig == SIGTERM) {
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"mosaic did not exit cleanly (status %#x)", status);
	}
	start_mosaic(h, saved_args);
}

void harness_start_broker(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	start_ms = now_ms();
	signal(SIGPIPE, SIG_IGN);
	atexit(kill_all);
	snprintf(h->dir, sizeof(h->dir), "/tmp/mosaic-test-XXXXXX");
	CHECK(mkdtemp(h->dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(cleanup_dir, sizeof(cleanup_dir), "%s", h->dir);
	snprintf(h->xs_socket, sizeof(h->xs_socket), "%s/xensim.sock", h->dir);
	snprintf(h->control, sizeof(h->control), "%s/mosaic.sock", h->dir);
	setenv("XENSIM_SOCKET", h->xs_socket, 1);
	setenv("MOSAIC_CONTROL", h->control, 1);

	char *broker_argv[] = {(char *)harness_program("XENSIM"), "broker", NULL};
	h->broker = proc_spawn("broker", broker_argv, NULL);
	CHECK(proc_wait_line(h->broker, "ready", 10000, NULL, 0), "the broker did not start");
}

void harness_start(struct harness *h, const char *const mosaic_args[])
{
	harness_start_broker(h);
	start_mosaic(h, mosaic_args);
}

void harness_start_nested(struct harness *h, const char *const mosaic_args[])
{
	nested = true;
	harness_start(h, mosaic_args);
}

void harness_stop(struct harness *h)
{
	int status = proc_stop(h->mosaic, SIGTERM, 10000);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"mosaic did not exit cleanly (status %#x)", status);
	proc_stop(h->broker, SIGTERM, 5000);
}

/* The toolstack stand-in, as dom0. */
static struct proc *spawn_xensim(const char *const args[])
{
	char *argv[32] = {(char *)harness_program("XENSIM")};
	int argc = 1;
	for (int i = 0; args[i] != NULL && argc < 31; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	char *env[] = {"XENSIM_DOMID=0", NULL};
	struct proc *proc = proc_spawn("xensim", argv, env);
	return proc;
}

struct proc *harness_spawn_xensim(struct harness *h, const char *const args[])
{
	return spawn_xensim(args);
}

int harness_xensim(struct harness *h, const char *const args[])
{
	struct proc *proc = spawn_xensim(args);
	int status = proc_wait_exit(proc, 30000);
	CHECK(status != -1, "xensim %s did not finish", args[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

char *harness_xensim_output(struct harness *h, const char *const args[])
{
	struct proc *proc = spawn_xensim(args);
	size_t cap = 4096, len = 0;
	char *out = malloc(cap);
	CHECK(out != NULL, "out of memory");
	int64_t deadline = now_ms() + 30000;
	for (;;) {
		CHECK(now_ms() < deadline, "xensim %s did not finish", args[0]);
		struct pollfd pfd = {.fd = proc->out_fd, .events = POLLIN};
		if (poll(&pfd, 1, 100) <= 0) {
			continue;
		}
		if (len + 1024 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			CHECK(out != NULL, "out of memory");
		}
		ssize_t n = read(proc->out_fd, out + len, cap - len - 1);
		if (n <= 0) {
			break;
		}
		len += (size_t)n;
	}
	out[len] = '\0';
	int status = proc_wait_exit(proc, 10000);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

void harness_create_guest(struct harness *h, int domid, const char *name,
	const char *connectors)
{
	char id[16], spec[256];
	snprintf(id, sizeof(id), "%d", domid);
	snprintf(spec, sizeof(spec), "backend=0,be-alloc=0,connectors=%s", connectors);
	const char *args[] = {"create", "--domid", id, "--name", name, "--vdispl", spec, NULL};
	CHECK(harness_xensim(h, args) == 0, "cannot create domain %s", name);
}

struct proc *harness_spawn_guest(struct harness *h, int domid, const char *name,
	const char *const args[])
{
	char *argv[32] = {(char *)harness_program("VGUEST"), "--name", (char *)name};
	int argc = 3;
	for (int i = 0; args != NULL && args[i] != NULL && argc < 31; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	char *env[2] = {NULL, NULL};
	if (asprintf(&env[0], "XENSIM_DOMID=%d", domid) < 0) {
		fail("out of memory");
	}
	struct proc *proc = proc_spawn(name, argv, env);
	free(env[0]);
	return proc;
}

/* Reads one reply: data lines into *text, PNG bytes into *png. */
static bool read_reply(int fd, char **text, uint8_t **png, size_t *png_len)
{
	FILE *in = fdopen(fd, "r");
	if (in == NULL) {
		close(fd);
		return false;
	}
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	char line[4096];
	bool ok = false;
	while (out != NULL && fgets(line, sizeof(line), in) != NULL) {
		size_t n;
		if (strcmp(line, "ok\n") == 0) {
			ok = true;
			break;
		}
		if (strncmp(line, "error ", 6) == 0) {
			fprintf(stderr, "control: %s", line);
			break;
		}
		if (png != NULL && sscanf(line, "png %zu", &n) == 1) {
			*png = malloc(n);
			if (*png == NULL || fread(*png, 1, n, in) != n) {
				break;
			}
			*png_len = n;
			continue;
		}
		if (strcmp(line, "\n") == 0) {
			continue;
		}
		size_t l = strlen(line);
		if (len + l + 1 > cap) {
			cap = (len + l + 1) * 2;
			char *grown = realloc(out, cap);
			if (grown == NULL) {
				break;
			}
			out = grown;
		}
		memcpy(out + len, line, l + 1);
		len += l;
	}
	fclose(in);
	if (!ok) {
		free(out);
		return false;
	}
	*text = out;
	return true;
}

static int control_request(struct harness *h, const char *request)
{
	int fd = control_connect(h->control);
	if (fd < 0) {
		return -1;
	}
	size_t len = strlen(request);
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len ||
		send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

char *harness_control(struct harness *h, const char *request)
{
	int fd = control_request(h, request);
	char *text = NULL;
	if (fd < 0 || !read_reply(fd, &text, NULL, NULL)) {
		return NULL;
	}
	return text;
}

bool harness_screenshot(struct harness *h, const char *output, uint32_t **pixels, int *width,
	int *height)
{
	char request[256];
	snprintf(request, sizeof(request), "screenshot%s%s", output ? " " : "",
		output ? output : "");
	int fd = control_request(h, request);
	char *text = NULL;
	uint8_t *png = NULL;
	size_t png_len = 0;
	if (fd < 0 || !read_reply(fd, &text, &png, &png_len) || png == NULL) {
		free(png);
		return false;
	}
	free(text);
	png_image image = {.version = PNG_IMAGE_VERSION};
	bool ok = png_image_begin_read_from_memory(&image, png, png_len);
	uint32_t *data = NULL;
	if (ok) {
		image.format = PNG_FORMAT_BGRA;
		data = malloc(PNG_IMAGE_SIZE(image));
		ok = data != NULL && png_image_finish_read(&image, NULL, data, 0, NULL);
	}
	free(png);
	if (!ok) {
		free(data);
		return false;
	}
	/* BGRA bytes are 0xAARRGGBB words on little-endian machines: drop alpha. */
	for (size_t i = 0; i < (size_t)image.width * image.height; i++) {
		data[i] &= 0x00ffffff;
	}
	*pixels = data;
	*width = (int)image.width;
	*height = (int)image.height;
	return true;
}

bool harness_save_png(const char *path, const uint32_t *pixels, int width, int height)
{
	png_image image = {.version = PNG_IMAGE_VERSION};
	image.width = (png_uint_32)width;
	image.height = (png_uint_32)height;
	image.format = PNG_FORMAT_BGRA;
	uint32_t *copy = malloc((size_t)width * height * 4);
	if (copy == NULL) {
		return false;
	}
	for (size_t i = 0; i < (size_t)width * height; i++) {
		copy[i] = pixels[i] | 0xff000000u;
	}
	bool ok = png_image_write_to_file(&image, path, 0, copy, 0, NULL);
	free(copy);
	return ok;
}

bool line_get(const char *line, const char *key, char *value, size_t size)
{
	size_t klen = strlen(key);
	for (const char *p = line; (p = strstr(p, key)) != NULL; p += klen) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = strcspn(v, " \n");
			if (n >= size) {
				return false;
			}
			memcpy(value, v, n);
			value[n] = '\0';
			return true;
		}
	}
	return false;
}

bool line_get_double(const char *line, const char *key, double *value)
{
	char buf[32];
	char *end;
	if (!line_get(line, key, buf, sizeof(buf))) {
		return false;
	}
	*value = strtod(buf, &end);
	return *end == '\0' && end != buf;
}

bool line_get_int(const char *line, const char *key, long *value)
{
	char buf[32];
	char *end;
	if (!line_get(line, key, buf, sizeof(buf))) {
		return false;
	}
	*value = strtol(buf, &end, 10);
	return *end == '\0' && end != buf;
}
