#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mosaicctl/mosaicctl.h"
#include "protocol/control.h"

int ctl_connect(const struct ctl *ctl)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(ctl->socket) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "mosaicctl: socket path too long\n");
		return -1;
	}
	strcpy(addr.sun_path, ctl->socket);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "mosaicctl: cannot connect to %s: %s (is mosaic running?)\n",
			ctl->socket, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/* Appends a word in double quotes, so that control_split gives it back unchanged. */
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

bool ctl_format_request(const char *const words[], char *line, size_t size)
{
	line[0] = '\0';
	for (size_t i = 0; words[i] != NULL; i++) {
		if (!append_word(line, size, words[i])) {
			return false;
		}
	}
	size_t len = strlen(line);
	if (len + 2 > size) {
		return false;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	return true;
}

static bool append_line(char **text, size_t *len, const char *line)
{
	size_t n = strlen(line);
	char *grown = realloc(*text, *len + n + 1);
	if (grown == NULL) {
		return false;
	}
	memcpy(grown + *len, line, n + 1);
	*text = grown;
	*len += n;
	return true;
}

FILE *ctl_send(const struct ctl *ctl, const char *line)
{
	int fd = ctl_connect(ctl);
	if (fd < 0) {
		return NULL;
	}
	FILE *conn = fdopen(fd, "r+");
	if (conn == NULL || fputs(line, conn) == EOF || fflush(conn) == EOF) {
		fprintf(stderr, "mosaicctl: cannot send the request\n");
		if (conn != NULL) {
			fclose(conn);
		} else {
			close(fd);
		}
		return NULL;
	}
	return conn;
}

bool ctl_request(const struct ctl *ctl, const char *const words[], struct ctl_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	char line[CONTROL_MAX_LINE];
	if (!ctl_format_request(words, line, sizeof(line))) {
		fprintf(stderr, "mosaicctl: arguments too long\n");
		return false;
	}
	FILE *conn = ctl_send(ctl, line);
	if (conn == NULL) {
		return false;
	}
	size_t len = 0;
	reply->lines = calloc(1, 1);
	bool done = false;
	while (reply->lines != NULL && fgets(line, sizeof(line), conn) != NULL) {
		size_t png_len;
		if (strcmp(line, "ok\n") == 0) {
			done = true;
			break;
		}
		if (strncmp(line, "error ", 6) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(reply->error, sizeof(reply->error), "%s", line + 6);
			done = true;
			break;
		}
		if (sscanf(line, "png %zu", &png_len) == 1 && reply->png == NULL) {
			reply->png = malloc(png_len ? png_len : 1);
			if (reply->png == NULL || fread(reply->png, 1, png_len, conn) != png_len) {
				break;
			}
			reply->png_len = png_len;
			continue;
		}
		if (strcmp(line, "\n") == 0) {
			continue;
		}
		if (!append_line(&reply->lines, &len, line)) {
			break;
		}
	}
	fclose(conn);
	if (!done) {
		fprintf(stderr, "mosaicctl: the reply was cut short\n");
		ctl_reply_finish(reply);
		return false;
	}
	return true;
}

void ctl_reply_finish(struct ctl_reply *reply)
{
	free(reply->lines);
	free(reply->png);
	reply->lines = NULL;
	reply->png = NULL;
}
