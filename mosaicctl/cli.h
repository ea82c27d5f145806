#ifndef MOSAIC_MOSAICCTL_CLI_H
#define MOSAIC_MOSAICCTL_CLI_H

#include <stdbool.h>

#include "mosaicctl/mosaicctl.h"

/* mosaicctl's command line: its own options taken out, the command's words left. */
struct cli {
	const char *socket; // -s SOCKET; NULL: the default path
	bool json;
	int argc; // the command and its arguments
	char **argv;
};

/*
 * Takes -j, -s, -h and --version from anywhere in the line (up to "--"),
 * leaving the command's words in argv, in their order. -1: there is a
 * command to run; else the exit status: 0 after --help or --version, 2
 * for a wrong line (said on stderr).
 */
int cli_parse(struct cli *cli, int argc, char **argv);

/*
 * Runs the command: its words are checked before anything is sent, and a
 * wrong one is exit status 2 with nothing sent.
 */
int cli_run(const struct cli *cli, const struct ctl *ctl);

#endif
