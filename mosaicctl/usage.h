#ifndef MOSAIC_MOSAICCTL_USAGE_H
#define MOSAIC_MOSAICCTL_USAGE_H

#include <stdbool.h>
#include <stdio.h>

/*
 * mosaicctl's own syntax, in one place: the commands' synopses that --help
 * lists and that a wrong command line is answered with.
 */

/* Whether name is one of mosaicctl's commands. */
bool usage_is_command(const char *name);
/* The names of the commands, in the order --help lists them, NULL at the end. */
extern const char *const usage_command_names[];

/* The whole --help text. */
void usage_help(FILE *out);

/*
 * Says what is wrong with a command line ("mosaicctl: COMMAND: ...", printf
 * style) and the command's synopses, on stderr; returns 2, the exit status
 * for a wrong command line. command may name a form ("input key": its
 * synopsis only); NULL: the line as a whole.
 */
int usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
