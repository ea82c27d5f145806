#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "protocol/control.h"

int control_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0' || *p == '\n' || *p == '\r') {
			break;
		}
		if (argc == max) {
			return -1;
		}
		char *out = p;
		argv[argc++] = out;
		if (*p == '"') {
			p++;
			while (*p != '"') {
				if (*p == '\0') {
					return -1;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
					p++;
				}
				*out++ = *p++;
			}
			p++;
			if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
				return -1;
			}
		} else {
			while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
				*out++ = *p++;
			}
		}
		if (*p != '\0') {
			p++;
		}
		*out = '\0';
	}
	return argc;
}

bool control_default_path(char *buf, size_t size)
{
	const char *env = getenv("MOSAIC_CONTROL");
	int n;
	if (env != NULL && env[0] != '\0') {
		n = snprintf(buf, size, "%s", env);
	} else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0') {
		n = snprintf(buf, size, "%s/mosaic.sock", env);
	} else {
		n = snprintf(buf, size, "/tmp/mosaic-%u.sock", (unsigned)getuid());
	}
	return n > 0 && (size_t)n < size;
}
