#include <stdio.h>

#include "mosaicctl/cli.h"
#include "mosaicctl/mosaicctl.h"
#include "protocol/control.h"

int main(int argc, char *argv[])
{
	struct cli cli;
	int status = cli_parse(&cli, argc, argv);
	if (status >= 0) {
		return status;
	}
	char socket_path[256];
	if (cli.socket == NULL && !control_default_path(socket_path, sizeof(socket_path))) {
		fprintf(stderr,
			"mosaicctl: the control socket's path is too long; give one with -s\n");
		return 2;
	}
	struct ctl ctl = {cli.socket != NULL ? cli.socket : socket_path, cli.json};
	return cli_run(&cli, &ctl);
}
