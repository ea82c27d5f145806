#ifndef MOSAIC_COMPOSITOR_LOG_H
#define MOSAIC_COMPOSITOR_LOG_H

#include <stdbool.h>
#include <wlr/util/log.h>

/*
 * mosaic's log on stderr: wlroots' lines, protocol/'s (through
 * vm-surfaces) and mosaic's own. When stderr is the journal (systemd says
 * so in JOURNAL_STREAM), each line starts with its syslog priority, <3>
 * errors, <4> warnings, <6> information, <7> debugging, for the journal to
 * sort; else with the time since start and the level, as wlroots writes
 * them. Each line is one write: threads' lines do not mix.
 *
 * wlroots' log has no warning level: what is wrong but lets mosaic go on
 * as asked (a layout's opacity drawn opaque, no Wayland socket) is said by
 * log_warning().
 */

/* Installs the log: lines up to verbosity (WLR_INFO, or WLR_DEBUG) are written. */
void log_init(enum wlr_log_importance verbosity);
/* Whether lines go to the journal, with their priority. */
bool log_to_journal(void);

void log_warningf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning, with its place in the source as wlr_log() gives it. */
#define log_warning(fmt, ...) log_warningf("[%s:%d] " fmt, _WLR_FILENAME, __LINE__, ##__VA_ARGS__)

#endif
