#include <stdio.h>
#include <string.h>

#include "mosaicctl/cli.h"
#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/text.h"
#include "mosaicctl/usage.h"

#ifndef MOSAIC_VERSION
#error "meson defines MOSAIC_VERSION, the project's version"
#endif

/* "outputs, guests, ..., ping" */
static const char *command_list(char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; usage_command_names[i] != NULL; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i > 0 ? ", " : "", usage_command_names[i]);
	}
	return buf;
}

int cli_parse(struct cli *cli, int argc, char **argv)
{
	*cli = (struct cli){0};
	/* The command's words are gathered in place, at the front of argv + 1. */
	char **words = argv + 1;
	int count = 0;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!options) {
			words[count++] = argv[i];
		} else if (strcmp(arg, "--") == 0) {
			options = false;
		} else if (strcmp(arg, "-j") == 0 || strcmp(arg, "--json") == 0) {
			cli->json = true;
		} else if (strcmp(arg, "-s") == 0 || strcmp(arg, "--socket") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				return usage_error(NULL, "%s wants the SOCKET's path", arg);
			}
			cli->socket = argv[++i];
		} else if (strncmp(arg, "--socket=", 9) == 0 && arg[9] != '\0') {
			cli->socket = arg + 9;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage_help(stdout);
			return 0;
		} else if (strcmp(arg, "--version") == 0) {
			printf("mosaicctl %s\n", MOSAIC_VERSION);
			return 0;
		} else if (count == 0 && arg[0] == '-' && arg[1] != '\0') {
			/* Before the command, only mosaicctl's own options; a command's go after
			 * it. */
			return usage_error(
				NULL, "unknown option '%s' (a command's options go after it)", arg);
		} else {
			words[count++] = argv[i];
		}
	}
	char list[512];
	if (count == 0) {
		return usage_error(
			NULL, "no command given; commands: %s", command_list(list, sizeof(list)));
	}
	if (!usage_is_command(words[0])) {
		return usage_error(NULL, "unknown command '%s'; commands: %s", words[0],
			command_list(list, sizeof(list)));
	}
	words[count] = NULL;
	cli->argc = count;
	cli->argv = words;
	return -1;
}

int cli_run(const struct cli *cli, const struct ctl *ctl)
{
	static const struct {
		const char *name;
		int (*run)(const struct ctl *ctl, int argc, char **argv);
	} commands[] = {
		{"screenshot", ctl_screenshot},
		{"expect", ctl_expect},
		{"wait-flip", ctl_wait_flip},
		{"wait-frame", ctl_wait_frame},
	};
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(cli->argv[0], commands[c].name) == 0) {
			return commands[c].run(ctl, cli->argc, cli->argv);
		}
	}
	return text_run(ctl, cli->argc, cli->argv);
}
