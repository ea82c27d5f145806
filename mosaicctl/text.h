#ifndef MOSAIC_MOSAICCTL_TEXT_H
#define MOSAIC_MOSAICCTL_TEXT_H

#include "mosaicctl/mosaicctl.h"

/*
 * The commands whose reply is text (all but screenshot, expect and the
 * waits). argv[0] is the command.
 */

/* 0 when the words fit the command's synopsis; else 2, said on stderr. */
int text_check(int argc, char **argv);

/* Checks the words, sends them and prints the reply: the exit status. */
int text_run(const struct ctl *ctl, int argc, char **argv);

#endif
