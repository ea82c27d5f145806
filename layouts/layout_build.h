#ifndef MOSAIC_LAYOUTS_LAYOUT_BUILD_H
#define MOSAIC_LAYOUTS_LAYOUT_BUILD_H

#include "layouts/layout.h"
#include "layouts/toml.h"

/*
 * Building a layout_config from a TOML tree: shared by the files that build
 * each part (layout_parse.c, layout_surfaces.c, layout_bindings.c). Private
 * to layouts/.
 *
 * Every function here returns false after filling the error; the caller
 * returns false in turn, and layout_config_parse destroys what was built.
 */

struct layout_builder {
	struct layout_config *config;
	struct layout_error *err;
};

/* A table being read, and how messages name it: "output 'centre'". */
struct layout_scope {
	struct layout_builder *b;
	const struct toml_value *table;
	char what[192]; /* empty at the top level */
};

struct layout_pos layout_build_pos(const struct layout_builder *b, struct toml_pos pos);

/* Reports "what: message" at pos. Always returns false. */
bool layout_build_fail(const struct layout_scope *s, struct toml_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every key of the scope's table must be in allowed (NULL-terminated). */
bool layout_build_check_keys(const struct layout_scope *s, const char *const *allowed);

/* The closest candidate to word (a likely misspelling), or NULL. */
const char *layout_build_suggest(const char *word, const char *const *candidates, size_t n);

/*
 * Looks key up in the scope's table. *value is NULL when absent (an error if
 * required). TOML_FLOAT asks for any number. *at is where the value is
 * written, or the table's place when absent.
 */
bool layout_build_get(const struct layout_scope *s, const char *key, enum toml_type type,
	bool required, const struct toml_value **value, struct layout_pos *at);

/* A copy of a string: not empty, at most max bytes, no control characters. */
bool layout_build_string(const struct layout_scope *s, const char *key, bool required, size_t max,
	char **out, struct layout_pos *at);
bool layout_build_integer(const struct layout_scope *s, const char *key, int64_t min, int64_t max,
	int64_t *out, struct layout_pos *at);
bool layout_build_bool(
	const struct layout_scope *s, const char *key, bool *out, struct layout_pos *at);
/* An array of exactly n integers; *present tells whether the key was there. */
bool layout_build_integers(const struct layout_scope *s, const char *key, size_t n, int64_t *out,
	bool *present, struct layout_pos *at);
/* A colour, #RRGGBB or #RRGGBBAA; *out is left as it is when absent. */
bool layout_build_colour(const struct layout_scope *s, const char *key, struct layout_colour *out,
	struct layout_pos *at);
bool layout_build_transform(
	const struct layout_scope *s, enum layout_transform *out, struct layout_pos *at);

/* An array of tables (written [[header]]), at most max long; *array NULL when absent. */
bool layout_build_table_array(const struct layout_scope *s, const char *key, const char *header,
	const char *plural, size_t max, const struct toml_value **array);

/* Builds the index-th table of a [[header]] array into the config. */
typedef bool (*layout_build_item_fn)(
	struct layout_builder *b, const struct toml_value *table, size_t index);

/* Zeroed room for a non-empty array's tables; NULL, reported, when out of memory. */
void *layout_build_alloc(const struct layout_scope *s, const struct toml_value *array, size_t size);

/*
 * Builds each table of array into the room layout_build_alloc gave. *len
 * counts each before it is built, so that destroy frees what a failure left.
 */
bool layout_build_each(struct layout_builder *b, const struct toml_value *array, size_t *len,
	layout_build_item_fn build);

/* Names as messages show them; safe because names have no control characters. */
void layout_build_name_scope(
	struct layout_scope *s, const char *kind, const char *name, int number);

/* The scope's 'guest' (a name or domid) / 'output' (a name), which must exist. */
bool layout_build_guest_ref(
	const struct layout_scope *s, const struct layout_guest **out, struct layout_pos *at);
bool layout_build_output_ref(
	const struct layout_scope *s, const struct layout_output **out, struct layout_pos *at);
/* The parts of the config that have files of their own, in the order they are built. */
bool layout_build_layouts(struct layout_builder *b, const struct layout_scope *top);
bool layout_build_bindings(struct layout_builder *b, const struct layout_scope *top);
bool layout_build_inputs(struct layout_builder *b, const struct layout_scope *top);

#endif
