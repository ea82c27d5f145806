#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol/control.h"

static const char usage[] =
	"Usage: mosaicctl [-j] [-s SOCKET] COMMAND [ARGS]\n"
	"\n"
	"  outputs                       list outputs: name, place, size, layout output, scale\n"
	"  guests                        list guests' connectors and their states\n"
	"  surfaces                      list what is shown where (views of the active layout)\n"
	"  layouts                       list the layout file's layouts, the active one marked\n"
	"  layout NAME                   switch to layout NAME\n"
	"  reload                        read the layout file again (errors say file:line:column)\n"
	"  screenshot [-o OUTPUT] FILE   write what an output shows to FILE (PNG; - for stdout)\n"
	"  focus [next|prev|none|N|GUEST] show or move keyboard focus (N: position on screen)\n"
	"  inputs                        list guests' input devices (vkbd/vinput) and their state\n"
	"  input key CODE down|up        send a key (Linux code) to the guest with the focus\n"
	"  input pointer X Y             move the pointer to X,Y (layout coordinates)\n"
	"  input button left|right|middle|CODE down|up, input wheel STEPS\n"
	"  input touch down|motion ID X Y, input touch up|cancel ID, input touch frame\n"
	"  follow                        print events (guests, layouts, frames) until interrupted\n"
	"  ping                          check that mosaic answers\n"
	"\n"
	"  -j, --json    print every data line as a JSON object, one per line\n"
	"  -s SOCKET     the control socket, else $MOSAIC_CONTROL, else\n"
	"                $XDG_RUNTIME_DIR/mosaic.sock\n";

static int connect_to(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "mosaicctl: socket path too long\n");
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "mosaicctl: cannot connect to %s: %s (is mosaic running?)\n", path,
			strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/* Quotes a word so that control_split gives it back unchanged. */
static bool append_word(char *line, size_t size, const char *word)
{
	size_t len = strlen(line);
	if (len > 0 && len + 1 < size) {
		line[len++] = ' ';
	}
	if (len + 1 >= size) {
		return false;
	}
	line[len++] = '"';
	for (const char *p = word; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			return false;
		}
		if (*p == '"' || *p == '\\') {
			if (len + 1 >= size) {
				return false;
			}
			line[len++] = '\\';
		}
		if (len + 1 >= size) {
			return false;
		}
		line[len++] = *p;
	}
	if (len + 2 >= size) {
		return false;
	}
	line[len++] = '"';
	line[len] = '\0';
	return true;
}

int main(int argc, char *argv[])
{
	char socket_path[256] = {0};
	const char *out_path = NULL;
	const char *output_name = NULL;
	bool json = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			snprintf(socket_path, sizeof(socket_path), "%s", argv[++i]);
		} else if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (socket_path[0] == '\0' && !control_default_path(socket_path, sizeof(socket_path))) {
		return 2;
	}

	char line[CONTROL_MAX_LINE] = "";
	const char *command = argv[i++];
	append_word(line, sizeof(line), command);
	if (strcmp(command, "screenshot") == 0) {
		for (; i < argc; i++) {
			if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
				output_name = argv[++i];
			} else if (out_path == NULL) {
				out_path = argv[i];
			} else {
				fputs(usage, stderr);
				return 2;
			}
		}
		if (out_path == NULL) {
			fputs(usage, stderr);
			return 2;
		}
		if (output_name != NULL) {
			append_word(line, sizeof(line), output_name);
		}
	} else {
		for (; i < argc; i++) {
			if (!append_word(line, sizeof(line), argv[i])) {
				fprintf(stderr, "mosaicctl: arguments too long\n");
				return 2;
			}
		}
	}
	strcat(line, "\n");

	int fd = connect_to(socket_path);
	if (fd < 0) {
		return 1;
	}
	FILE *conn = fdopen(fd, "r+");
	if (conn == NULL || fputs(line, conn) == EOF || fflush(conn) == EOF) {
		fprintf(stderr, "mosaicctl: cannot send the request\n");
		return 1;
	}
	/* follow never ends with a status line: its events run until mosaic or we stop. */
	bool follow = strcmp(command, "follow") == 0;
	if (follow) {
		setvbuf(stdout, NULL, _IOLBF, 0);
	}
	int status = 1;
	char reply[CONTROL_MAX_LINE];
	while (fgets(reply, sizeof(reply), conn) != NULL) {
		size_t png_len;
		if (strcmp(reply, "ok\n") == 0) {
			status = 0;
			break;
		}
		if (strncmp(reply, "error ", 6) == 0) {
			fprintf(stderr, "mosaicctl: %s", reply + 6);
			break;
		}
		if (sscanf(reply, "png %zu", &png_len) == 1 && out_path != NULL) {
			uint8_t *data = malloc(png_len ? png_len : 1);
			if (data == NULL || fread(data, 1, png_len, conn) != png_len) {
				fprintf(stderr, "mosaicctl: short screenshot data\n");
				free(data);
				break;
			}
			bool to_stdout = strcmp(out_path, "-") == 0;
			FILE *out = to_stdout ? stdout : fopen(out_path, "wb");
			bool ok = out != NULL && fwrite(data, 1, png_len, out) == png_len;
			if (out != NULL && !to_stdout) {
				ok = fclose(out) == 0 && ok;
			}
			free(data);
			if (!ok) {
				fprintf(stderr, "mosaicctl: cannot write %s: %s\n", out_path,
					strerror(errno));
				break;
			}
			continue;
		}
		if (strcmp(reply, "\n") == 0) {
			continue;
		}
		if (!json) {
			fputs(reply, stdout);
			continue;
		}
		char object[2 * CONTROL_MAX_LINE];
		reply[strcspn(reply, "\n")] = '\0';
		if (!control_line_to_json(reply, object, sizeof(object))) {
			fprintf(stderr, "mosaicctl: cannot read the reply line: %s\n", reply);
			break;
		}
		puts(object);
	}
	fclose(conn);
	if (follow) {
		/* mosaic went away: the stream is over, which is how follow ends. */
		return 0;
	}
	return status;
}
