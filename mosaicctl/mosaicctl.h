#ifndef MOSAIC_MOSAICCTL_MOSAICCTL_H
#define MOSAIC_MOSAICCTL_MOSAICCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What mosaicctl's commands share: the socket, the output format, one request at a time. */
struct ctl {
	const char *socket;
	bool json;
};

/* A whole reply: its data lines, the PNG that came with it, or the error. */
struct ctl_reply {
	char *lines; // data lines, each ending in '\n' (malloc'd, "" if none)
	uint8_t *png;
	size_t png_len;
	char error[512]; // the error's message, "" when the status was ok
};

/* Connects to mosaic's control socket; -1, with a message on stderr, if it cannot. */
int ctl_connect(const struct ctl *ctl);
/*
 * Connects and sends one request line: the connection to read the reply
 * from, or NULL, with a message on stderr, if mosaic cannot be reached.
 */
FILE *ctl_send(const struct ctl *ctl, const char *line);
/* The request line (with its '\n') for words, quoted so that mosaic reads them back unchanged. */
bool ctl_format_request(const char *const words[], char *line, size_t size);

/*
 * Sends one request (words, quoted as needed, NULL-terminated) on a
 * connection of its own and reads the reply; false, with a message on
 * stderr, when mosaic cannot be reached or the reply is cut short. An error
 * reply is a success here: it is in reply->error.
 */
bool ctl_request(const struct ctl *ctl, const char *const words[], struct ctl_reply *reply);
void ctl_reply_finish(struct ctl_reply *reply);

/*
 * Prints a data line of command's reply (with or without its '\n') to
 * stdout as it is, or with -j as one JSON object on a line of its own (a
 * line of a stream: follow's events, expect's captures); false, with a
 * message on stderr, if it cannot be read.
 */
bool ctl_print_line(const struct ctl *ctl, const char *command, const char *line);
/* Prints a whole reply's data lines: as they are, or with -j as command's JSON document. */
bool ctl_print_reply(const struct ctl *ctl, const char *command, const char *lines);

/* The commands that capture pictures and wait: 0 on success, else the exit status. */
int ctl_screenshot(const struct ctl *ctl, int argc, char **argv);
int ctl_expect(const struct ctl *ctl, int argc, char **argv);
int ctl_wait_flip(const struct ctl *ctl, int argc, char **argv);
int ctl_wait_frame(const struct ctl *ctl, int argc, char **argv);

#endif
