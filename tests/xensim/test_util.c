#define _GNU_SOURCE
#include "test_util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The broker of this test process (tests are single-threaded programs). */
static struct {
	const char *exe;
	char dir[64];
	char socket[96];
	pid_t pid;
	pid_t owner; /* children must not stop the parent's broker */
} sim;

void test_fail(const char *file, int line, const char *what) {
	fprintf(stderr, "%s:%d: check failed: %s (errno: %s)\n", file, line, what, strerror(errno));
	fflush(stderr);
	if (getpid() != sim.owner) {
		_exit(1);
	}
	if (sim.pid > 0) {
		kill(sim.pid, SIGKILL);
		waitpid(sim.pid, NULL, 0);
		unlink(sim.socket);
		rmdir(sim.dir);
	}
	exit(1);
}

void test_fail_eq(const char *file, int line, const char *a, const char *b, long long va,
		long long vb) {
	char what[512];
	snprintf(what, sizeof(what), "%s == %s (%lld != %lld)", a, b, va, vb);
	test_fail(file, line, what);
}

void sim_start(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-XENSIM\n", argv[0]);
		exit(1);
	}
	sim.exe = argv[1];
	sim.owner = getpid();
	snprintf(sim.dir, sizeof(sim.dir), "/tmp/xensim-test-XXXXXX");
	CHECK(mkdtemp(sim.dir));
	snprintf(sim.socket, sizeof(sim.socket), "%s/sock", sim.dir);
	CHECK(setenv("XENSIM_SOCKET", sim.socket, 1) == 0);
	CHECK(unsetenv("XENSIM_DOMID") == 0);
	CHECK(unsetenv("XENSIM_TRANSIENT") == 0);
	signal(SIGPIPE, SIG_IGN);

	int out[2];
	CHECK(pipe(out) == 0);
	sim.pid = fork();
	CHECK(sim.pid >= 0);
	if (sim.pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execl(sim.exe, sim.exe, "broker", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	char line[16] = {0};
	size_t len = 0;
	while (len < sizeof(line) - 1 && !strchr(line, '\n')) {
		CHECK(readable(out[0], 5000));
		ssize_t n = read(out[0], line + len, sizeof(line) - 1 - len);
		CHECK(n > 0);
		len += (size_t)n;
	}
	CHECK(strcmp(line, "ready\n") == 0);
	close(out[0]);
}

void sim_stop(void) {
	CHECK(kill(sim.pid, SIGTERM) == 0);
	int status;
	CHECK(waitpid(sim.pid, &status, 0) == sim.pid);
	sim.pid = 0;
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	/* The broker removes its socket. */
	CHECK(access(sim.socket, F_OK) < 0);
	CHECK(rmdir(sim.dir) == 0);
}

int sim_run(char **out, const char *arg, ...) {
	const char *args[32] = {sim.exe, arg};
	size_t n = 2;
	va_list ap;
	va_start(ap, arg);
	while (n < 31 && (args[n] = va_arg(ap, const char *))) {
		n++;
	}
	va_end(ap);
	args[n] = NULL;

	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		unsetenv("XENSIM_DOMID");
		execv(sim.exe, (char *const *)args);
		_exit(127);
	}
	close(pipefd[1]);
	char *text = NULL;
	size_t size = 0, len = 0;
	for (;;) {
		if (len + 1024 > size) {
			size = size ? size * 2 : 4096;
			text = realloc(text, size);
			CHECK(text);
		}
		ssize_t got = read(pipefd[0], text + len, size - len - 1);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		CHECK(got >= 0);
		if (got == 0) {
			break;
		}
		len += (size_t)got;
	}
	text[len] = '\0';
	close(pipefd[0]);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	if (out) {
		*out = text;
	} else {
		free(text);
	}
	return WEXITSTATUS(status);
}

void sim_create(uint32_t domid) {
	char id[16], name[32];
	snprintf(id, sizeof(id), "%u", domid);
	snprintf(name, sizeof(name), "guest%u", domid);
	CHECK_EQ(sim_run(NULL, "create", "--domid", id, "--name", name, NULL), 0);
}

const char *sim_stats(uint32_t domid) {
	static char line[256];
	char *text;
	CHECK_EQ(sim_run(&text, "stats", NULL), 0);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "domid=%u ", domid);
	line[0] = '\0';
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			size_t len = strcspn(p, "\n");
			snprintf(line, sizeof(line), "%.*s", (int)len, p);
		}
	}
	free(text);
	return line;
}

struct child child_start(uint32_t domid, int (*fn)(int fd, void *data), void *data) {
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	fflush(NULL);
	struct child child = {.pid = fork(), .fd = sv[0]};
	CHECK(child.pid >= 0);
	if (child.pid == 0) {
		close(sv[0]);
		char id[16];
		snprintf(id, sizeof(id), "%u", domid);
		setenv("XENSIM_DOMID", id, 1);
		int ret = fn(sv[1], data);
		_exit(ret);
	}
	close(sv[1]);
	return child;
}

int child_wait(struct child *child) {
	int status;
	CHECK(waitpid(child->pid, &status, 0) == child->pid);
	close(child->fd);
	child->pid = 0;
	CHECK(WIFEXITED(status));
	return WEXITSTATUS(status);
}

void child_kill(struct child *child) {
	CHECK(kill(child->pid, SIGKILL) == 0);
	int status;
	CHECK(waitpid(child->pid, &status, 0) == child->pid);
	close(child->fd);
	child->pid = 0;
}

void msg_send(int fd, const void *data, size_t len) {
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		CHECK(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

void msg_recv(int fd, void *data, size_t len) {
	char *p = data;
	while (len > 0) {
		CHECK(readable(fd, 10000));
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		CHECK(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

void msg_send_u32(int fd, uint32_t value) {
	msg_send(fd, &value, sizeof(value));
}

uint32_t msg_recv_u32(int fd) {
	uint32_t value;
	msg_recv(fd, &value, sizeof(value));
	return value;
}

bool readable(int fd, int ms) {
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int n;
	do {
		n = poll(&pfd, 1, ms);
	} while (n < 0 && errno == EINTR);
	return n > 0;
}
