/*
 * mosaic's command line: --version, numbers taken whole or refused naming
 * the option, a stray argument named, and --check: the layout files the
 * compositor would load or refuse, with the parser's own messages, checked
 * without a hypervisor, a control socket or anything else being touched.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"

/* The scratch directory, empty: whatever mosaic leaves in it is a fault. */
static const char *quiet_dir;

/*
 * Runs mosaic-sim ARGS with no hypervisor to talk to (XENSIM_SOCKET unset)
 * and the control socket and runtime directory in quiet_dir; its stdout and
 * stderr together into out. Returns its exit status (128 + signal if killed).
 */
static int run(const char *const args[], char *out, size_t size)
{
	char *argv[32] = {(char *)harness_program("MOSAIC_SIM")};
	int argc = 1;
	for (int i = 0; args[i] != NULL && argc < 31; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	char control[512];
	snprintf(control, sizeof(control), "%s/mosaic.sock", quiet_dir);
	int pipefd[2];
	CHECK(pipe2(pipefd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		unsetenv("XENSIM_SOCKET");
		setenv("MOSAIC_CONTROL", control, 1);
		setenv("XDG_RUNTIME_DIR", quiet_dir, 1);
		setenv("XENSIM_DOMID", "0", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	size_t len = 0;
	int64_t deadline = now_ms() + 20000;
	for (;;) {
		struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
		int left = (int)(deadline - now_ms());
		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			kill(pid, SIGKILL);
			fail("mosaic %s did not exit", args[0]);
		}
		ssize_t n = read(pipefd[0], out + len, size - 1 - len);
		if (n <= 0) {
			break;
		}
		len += (size_t)n;
		if (len == size - 1) {
			break;
		}
	}
	out[len] = '\0';
	close(pipefd[0]);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_output(const char *const args[], int status, const char *const needles[])
{
	char out[8192];
	int got = run(args, out, sizeof(out));
	CHECK(got == status, "mosaic %s %s: exit %d, not %d; it said:\n%s", args[0],
		args[1] != NULL ? args[1] : "", got, status, out);
	for (int i = 0; needles[i] != NULL; i++) {
		CHECK(strstr(out, needles[i]) != NULL, "mosaic %s %s did not say \"%s\"; it said:\n%s",
			args[0], args[1] != NULL ? args[1] : "", needles[i], out);
	}
}

/* A number that is not one, or out of range, is refused with the option and the value named. */
static void expect_refused(const char *option, const char *value, const char *name)
{
	const char *args[] = {option, value, NULL};
	char quoted[128];
	snprintf(quoted, sizeof(quoted), "'%s'", value);
	const char *needles[] = {name, quoted, NULL};
	expect_output(args, 2, needles);
}

static void check_version(void)
{
	const char *args[] = {"--version", NULL};
	char out[256];
	CHECK(run(args, out, sizeof(out)) == 0, "--version failed: %s", out);
	CHECK(strcmp(out, "mosaic " MOSAIC_VERSION "\n") == 0, "--version said '%s'", out);
	const char *short_args[] = {"-V", NULL};
	CHECK(run(short_args, out, sizeof(out)) == 0 && strcmp(out, "mosaic " MOSAIC_VERSION "\n") == 0,
		"-V said '%s'", out);
	printf("cli: --version: ok\n");
}

static void check_numbers(void)
{
	expect_refused("--outputs", "abc", "--outputs");
	expect_refused("--outputs", "", "--outputs");
	expect_refused("-n", "-1", "--outputs");
	expect_refused("-n", "17", "--outputs");
	expect_refused("--outputs", "3x", "--outputs");
	expect_refused("--outputs", " 2", "--outputs");
	expect_refused("--outputs", "+2", "--outputs");
	expect_refused("--outputs", "99999999999999999999999", "--outputs");
	expect_refused("-m", "12abc", "--guest-memory");
	expect_refused("--guest-memory", "0", "--guest-memory");
	expect_refused("--guest-memory", "-256", "--guest-memory");
	expect_refused("--guest-memory", "18446744073709551616", "--guest-memory");
	expect_refused("--forget-after", "1.5", "--forget-after");
	expect_refused("--forget-after", "86401", "--forget-after");
	expect_refused("--size", "12x34abc", "--size");
	expect_refused("-s", "1920", "--size");
	expect_refused("--size", "0x480", "--size");
	expect_refused("--size", "640x-480", "--size");
	expect_refused("--size", "99999999999999999999x480", "--size");
	/* The largest and smallest values are taken (--check: nothing starts). */
	char valid[512];
	CHECK(guests_source_file("tests/layouts/valid/everything.toml", valid, sizeof(valid)),
		"no valid layout file");
	const char *edges[] = {"-n", "16", "--outputs", "0", "-m", "65536", "--guest-memory", "1",
		"--forget-after", "86400", "--size", "16384x1", "--check", valid, NULL};
	const char *ok[] = {"ok", NULL};
	expect_output(edges, 0, ok);
	printf("cli: numbers: ok\n");
}

static void check_stray_argument(void)
{
	const char *args[] = {"--headless", "stray", NULL};
	const char *needles[] = {"unexpected argument 'stray'", NULL};
	expect_output(args, 2, needles);
	const char *two[] = {"first", "second", NULL};
	const char *first[] = {"unexpected argument 'first'", NULL};
	expect_output(two, 2, first);
	printf("cli: stray arguments: ok\n");
}

/* Each broken file of the parser's corpus: exit 1 and the message its first line expects. */
static int check_broken_corpus(void)
{
	char dir[512];
	CHECK(guests_source_file("tests/layouts/broken", dir, sizeof(dir)), "no broken corpus");
	DIR *d = opendir(dir);
	CHECK(d != NULL, "cannot read %s", dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".toml") == NULL) {
			continue;
		}
		char path[1024], first[600] = "", expect[1700];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		CHECK(f != NULL && fgets(first, sizeof(first), f) != NULL, "cannot read %s", path);
		fclose(f);
		first[strcspn(first, "\n")] = '\0';
		const char *prefix = "# expect: ";
		CHECK(strncmp(first, prefix, strlen(prefix)) == 0, "%s: no expectation", path);
		snprintf(expect, sizeof(expect), "%s:%s\n", path, first + strlen(prefix));
		const char *args[] = {"--check", path, NULL};
		const char *needles[] = {expect, NULL};
		expect_output(args, 1, needles);
		n++;
	}
	closedir(d);
	CHECK(n > 50, "only %d broken files", n);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

static void check_layout_files(void)
{
	const char *valid[] = {"layouts/examples/cockpit.toml", "layouts/examples/split.toml",
		"layouts/examples/rear-camera.toml", "tests/layouts/valid/everything.toml"};
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		char path[512], expect[600];
		CHECK(guests_source_file(valid[i], path, sizeof(path)), "no %s", valid[i]);
		snprintf(expect, sizeof(expect), "%s: ok\n", path);
		const char *args[] = {"--check", path, NULL};
		const char *needles[] = {expect, NULL};
		expect_output(args, 0, needles);
	}
	int broken = check_broken_corpus();

	/* What the compositor checks past the parser (key names) is checked too. */
	char path[512], expect[700];
	snprintf(path, sizeof(path), "%s/keysym.toml", guests_scratch_dir());
	write_file(path, "[[layout]]\n"
			 "name = 'l'\n"
			 "[bindings]\n"
			 "'Super+Hme' = 'layout l'\n");
	snprintf(expect, sizeof(expect),
		"%s:4:1: bindings: 'Super+Hme': unknown key 'Hme' (not an xkbcommon keysym name)",
		path);
	const char *args[] = {"-C", path, NULL};
	const char *needles[] = {expect, NULL};
	expect_output(args, 1, needles);

	char missing[600];
	snprintf(missing, sizeof(missing), "%s/missing.toml", guests_scratch_dir());
	const char *none[] = {"--check", missing, NULL};
	const char *cannot[] = {missing, "No such file or directory", NULL};
	expect_output(none, 1, cannot);
	printf("cli: --check: 4 valid files, %d broken ones: ok\n", broken);
}

static char dir[] = "/tmp/mosaic-cli-XXXXXX";

static void remove_dir(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot remove %s\n", dir);
	}
}

int main(void)
{
	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	quiet_dir = dir;
	atexit(remove_dir);

	check_version();
	check_numbers();
	check_stray_argument();
	check_layout_files();

	/* Nothing of all this made a socket, a lock or any other file. */
	DIR *d = opendir(dir);
	CHECK(d != NULL, "cannot read %s", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		CHECK(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0,
			"mosaic left %s/%s", dir, e->d_name);
	}
	closedir(d);
	printf("cli: ok\n");
	return 0;
}
