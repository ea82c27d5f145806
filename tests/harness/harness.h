#ifndef MOSAIC_TESTS_HARNESS_H
#define MOSAIC_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What the integration tests share: a simulated hypervisor (broker), mosaic
 * linked against it, virtual guests, and mosaic's control socket. Programs
 * are found through environment variables that meson sets (XENSIM,
 * MOSAIC_SIM, VGUEST, MOSAICCTL). Every process started here is killed when
 * the test exits, however it exits.
 */
struct proc {
	const char *name;
	pid_t pid;
	int out_fd;
	char buf[16384];
	size_t len;
	bool exited;
	int status;
};

struct harness {
	char dir[256];
	char xs_socket[300];
	char control[300];
	struct proc *broker;
	struct proc *mosaic;
};

/* Fails the test (exit 1) with a message. */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fail(__VA_ARGS__);                                                         \
		}                                                                                  \
	} while (0)

const char *harness_program(const char *env_name);

/* Starts argv with extra environment entries ("K=V", NULL-terminated); stdout is ours. */
struct proc *proc_spawn(const char *name, char *const argv[], char *const env[]);
/* Waits for a line of stdout containing needle; copies it. false on timeout or exit. */
bool proc_wait_line(struct proc *proc, const char *needle, int timeout_ms, char *line,
	size_t size);
/* Waits for the process to exit; returns its wait status, or -1 on timeout. */
int proc_wait_exit(struct proc *proc, int timeout_ms);
int proc_stop(struct proc *proc, int sig, int timeout_ms);

/* Broker + mosaic (headless, with the given extra arguments, NULL-terminated). */
void harness_start(struct harness *h, const char *const mosaic_args[]);
/* The same without --headless: mosaic in the window system DISPLAY or WAYLAND_DISPLAY names. */
void harness_start_nested(struct harness *h, const char *const mosaic_args[]);
/* The broker alone: the test plays dom0's backends itself. */
void harness_start_broker(struct harness *h);
void harness_stop(struct harness *h);
/* Stops mosaic with sig (SIGTERM: it says goodbye; SIGKILL: it crashes) and starts it again. */
void harness_restart_mosaic(struct harness *h, int sig);

/* Starts `xensim ARGS...` as dom0, for a test that has to serve its backends meanwhile. */
struct proc *harness_spawn_xensim(struct harness *h, const char *const args[]);
/* Runs `xensim ARGS...` as dom0 and waits for it; returns its exit status. */
int harness_xensim(struct harness *h, const char *const args[]);
/* Runs `xensim ARGS...` as dom0; its stdout (malloc'd), NULL if it failed. */
char *harness_xensim_output(struct harness *h, const char *const args[]);
/* Creates a domain with one vdispl device. */
void harness_create_guest(struct harness *h, int domid, const char *name,
	const char *connectors);
struct proc *harness_spawn_guest(struct harness *h, int domid, const char *name,
	const char *const args[]);

/* Sends a control request; the data lines of the reply (malloc'd), NULL on error. */
char *harness_control(struct harness *h, const char *request);
/* Captures an output (NULL: the first) as XRGB8888. */
bool harness_screenshot(struct harness *h, const char *output, uint32_t **pixels, int *width,
	int *height);
bool harness_save_png(const char *path, const uint32_t *pixels, int width, int height);

/* Reads "key=value" (value up to the next space) from a line. */
bool line_get(const char *line, const char *key, char *value, size_t size);
bool line_get_int(const char *line, const char *key, long *value);
bool line_get_double(const char *line, const char *key, double *value);

/* Monotonic milliseconds. */
int64_t now_ms(void);

#endif
