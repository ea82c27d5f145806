#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "toolstack.h"

static const char usage[] =
	"usage: xensim COMMAND [ARGS]\n"
	"  broker                    serve the simulated hypervisor on $XENSIM_SOCKET\n"
	"  create --domid N --name NAME [--vdispl SPEC]... [--vkb SPEC]... [--timeout S]\n"
	"  destroy --domid N [--timeout S]\n"
	"  stats [--domid N] [--maps]\n"
	"  xenstore-ls [PATH]\n"
	"  read PATH\n"
	"  write PATH VALUE\n"
	"  rm PATH\n"
	"Clients name their domain in $XENSIM_DOMID (default 0).\n";

int main(int argc, char **argv) {
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{"create", toolstack_create},
		{"destroy", toolstack_destroy},
		{"stats", tools_stats},
		{"xenstore-ls", tools_ls},
		{"read", tools_read},
		{"write", tools_write},
		{"rm", tools_rm},
	};
	if (argc >= 2 && strcmp(argv[1], "broker") == 0 && argc == 2) {
		return broker_run();
	}
	for (size_t i = 0; argc >= 2 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			/* A helper run as a guest must not end that guest when it exits. */
			setenv("XENSIM_TRANSIENT", "1", 1);
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fputs(usage, stderr);
	return 2;
}
