#ifndef MOSAIC_LAYOUTS_TOML_H
#define MOSAIC_LAYOUTS_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A strict parser for the subset of TOML 1.0 that layout files use.
 *
 * Supported: comments, bare, quoted and dotted keys, [tables], [[arrays of
 * tables]], basic strings with the escapes \" \\ \b \t \n \f \r \uXXXX
 * \UXXXXXXXX, literal strings, decimal integers, decimal floats, booleans,
 * arrays (one element type per array) and inline tables.
 *
 * Rejected with a message saying so: multi-line strings, dates and times,
 * hexadecimal/octal/binary integers, inf and nan. Mixed-type arrays are
 * rejected too (TOML 1.0 allows them; layout files have no use for them).
 *
 * Input is untrusted: it is bounded in size (TOML_MAX_INPUT) and nesting
 * (TOML_MAX_DEPTH), and every recursion is bounded by that depth.
 */

#define TOML_MAX_INPUT (1024 * 1024)
#define TOML_MAX_DEPTH 32

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOLEAN,
	TOML_ARRAY,
	TOML_TABLE,
};

/* 1-based; columns count characters, not bytes. */
struct toml_pos {
	int line;
	int column;
};

struct toml_value;

struct toml_kv {
	char *key;
	struct toml_pos key_pos;
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	/*
	 * Where the value starts. A table defined by a header points at its
	 * '[', an element of an array of tables at its '[['.
	 */
	struct toml_pos pos;
	union {
		struct {
			char *ptr; /* NUL-terminated; never contains NUL */
			size_t len;
		} string;
		int64_t integer;
		double floating;
		bool boolean;
		struct {
			struct toml_value **items;
			size_t len, cap;
		} array;
		struct {
			struct toml_kv *items; /* in file order */
			size_t len, cap;
			uint32_t *index; /* hash index over items, built for large tables */
			size_t index_cap;
		} table;
	};
	unsigned flags; /* the parser's bookkeeping */
};

struct toml_error {
	struct toml_pos pos;
	char message[256];
};

/*
 * Parses buf (len bytes, need not be NUL-terminated). Returns the root table,
 * or NULL with err filled in; nothing stays allocated on error.
 */
struct toml_value *toml_parse(const char *buf, size_t len, struct toml_error *err);
void toml_value_destroy(struct toml_value *value);

/* The value of key in table, or NULL. table must be a TOML_TABLE. */
struct toml_value *toml_table_get(const struct toml_value *table, const char *key);
/* The key-value pair of key in table, or NULL. */
const struct toml_kv *toml_table_get_kv(const struct toml_value *table, const char *key);

/* "a string", "an integer", ...: for messages. */
const char *toml_type_name(enum toml_type type);

#endif
