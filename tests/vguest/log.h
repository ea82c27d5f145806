#ifndef VGUEST_LOG_H
#define VGUEST_LOG_H

#include <stdbool.h>

/*
 * Output of the virtual guest. stdout carries the machine-readable facts, one
 * line each, "vguest NAME: ..."; stderr carries errors and, with --verbose,
 * protocol details.
 */
void log_init(const char *name, bool verbose);
bool log_verbose(void);

/* A fact on stdout, flushed at once. */
void log_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error on stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Something a backend should not do but that Linux tolerates, on stderr. */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A detail on stderr, with --verbose only. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
