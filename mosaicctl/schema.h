#ifndef MOSAIC_MOSAICCTL_SCHEMA_H
#define MOSAIC_MOSAICCTL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What mosaicctl -j prints: the type of every key of every reply and event
 * line, so that JSON says what a value is rather than what it looks like (a
 * layout named "2024" stays a string). mosaicctl(1) lists the same table.
 */

/* How a command's reply is printed. */
enum schema_shape {
	SCHEMA_OBJECT, // one object; nothing when the reply has no data line
	SCHEMA_ARRAY,  // an array of one object per line, [] when there are none
	SCHEMA_LINES,  // one object per line as the lines come (JSON Lines): follow
};

enum schema_shape schema_shape(const char *command);

/*
 * A data line of command's reply (or of follow's events) as one JSON object:
 * "type" its first word and, for an event, "event" its name; then every key
 * the schema has for the line, typed (null when the value is "-" or the key
 * is absent); then keys the schema does not know, as strings. false, with
 * why, if the line is malformed, a value is not of its key's type, or out
 * is too small.
 */
bool schema_line_to_json(
	const char *command, const char *line, char *out, size_t size, char *why, size_t why_size);

#endif
