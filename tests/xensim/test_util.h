#ifndef XENSIM_TEST_UTIL_H
#define XENSIM_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What the xensim unit tests share: a broker of their own on a temporary
 * socket, running xensim subcommands, and child processes acting as domains.
 */

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			test_fail(__FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_ERRNO(cond, err) \
	do { \
		errno = 0; \
		CHECK(cond); \
		CHECK_EQ(errno, err); \
	} while (0)

#define CHECK_EQ(a, b) \
	do { \
		long long check_a = (long long)(a), check_b = (long long)(b); \
		if (check_a != check_b) { \
			test_fail_eq(__FILE__, __LINE__, #a, #b, check_a, check_b); \
		} \
	} while (0)

_Noreturn void test_fail(const char *file, int line, const char *what);
_Noreturn void test_fail_eq(const char *file, int line, const char *a, const char *b,
	long long va, long long vb);

/* Starts `xensim broker` (path in argv[1]) and points XENSIM_SOCKET at it. */
void sim_start(int argc, char **argv);
/* Stops the broker; fails unless it exits cleanly. */
void sim_stop(void);
/* Runs `xensim ARGS... NULL` as dom0; *out (if given) gets its stdout. Returns the exit status. */
int sim_run(char **out, const char *arg, ...);
/* Creates a domain without devices. */
void sim_create(uint32_t domid);
/* The `xensim stats` line of a domain, "" if not listed (static buffer). */
const char *sim_stats(uint32_t domid);

/* A child process acting as a domain, with a socket to talk to it. */
struct child {
	pid_t pid;
	int fd;
};

struct child child_start(uint32_t domid, int (*fn)(int fd, void *data), void *data);
/* Waits for the child; returns its exit status (fails the test if it crashed). */
int child_wait(struct child *child);
void child_kill(struct child *child);

/* Messages between a test and its children (blocking, fail the test on error). */
void msg_send(int fd, const void *data, size_t len);
void msg_recv(int fd, void *data, size_t len);
void msg_send_u32(int fd, uint32_t value);
uint32_t msg_recv_u32(int fd);

/* True if fd becomes readable within ms milliseconds. */
bool readable(int fd, int ms);

#endif
