#ifndef MOSAIC_PROTOCOL_CONTROL_H
#define MOSAIC_PROTOCOL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The control protocol between mosaic and mosaicctl, over a Unix socket.
 *
 * A request is one line of words separated by spaces (a word may be quoted
 * with double quotes; \" and \\ escape inside quotes). A reply is any number
 * of data lines followed by one status line: "ok" or "error <message>". A
 * data line "png <n>" is followed by n bytes of PNG data, then a newline.
 */
#define CONTROL_MAX_LINE 4096
#define CONTROL_MAX_ARGS 32

/* Splits line in place; returns the number of words, or -1 if malformed. */
int control_split(char *line, char **argv, int max);

/* The socket path: $MOSAIC_CONTROL, else $XDG_RUNTIME_DIR/mosaic.sock, else /tmp. */
bool control_default_path(char *buf, size_t size);

#endif
