#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/layout_build.h"

struct layout_pos layout_build_pos(const struct layout_builder *b, struct toml_pos pos)
{
	return (struct layout_pos){
		.file = b->config->file,
		.line = pos.line,
		.column = pos.column,
	};
}

bool layout_build_fail(const struct layout_scope *s, struct toml_pos pos, const char *fmt, ...)
{
	char message[sizeof(s->b->err->message)];
	va_list args;
	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);

	struct layout_pos at = layout_build_pos(s->b, pos);
	if (s->what[0] != '\0') {
		layout_error_at(s->b->err, &at, "%s: %s", s->what, message);
	} else {
		layout_error_at(s->b->err, &at, "%s", message);
	}
	return false;
}

void layout_build_name_scope(struct layout_scope *s, const char *kind, const char *name, int number)
{
	if (name != NULL) {
		snprintf(s->what, sizeof(s->what), "%s '%s'", kind, name);
	} else {
		snprintf(s->what, sizeof(s->what), "%s #%d", kind, number);
	}
}

static void lower(char *dst, const char *src, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char c = src[k];
		dst[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
}

/* Optimal string alignment distance, case-insensitive; words longer than 64 get none. */
static size_t distance(const char *word, const char *candidate)
{
	enum { MAX = 64, W = MAX + 1 };
	size_t la = strlen(word), lb = strlen(candidate);
	if (la > MAX || lb > MAX) {
		return (size_t)-1;
	}
	char a[MAX], b[MAX];
	lower(a, word, la);
	lower(b, candidate, lb);
	unsigned char d[W * W];
	for (size_t i = 0; i <= la; i++) {
		d[i * W] = (unsigned char)i;
	}
	for (size_t j = 0; j <= lb; j++) {
		d[j] = (unsigned char)j;
	}
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = d[(i - 1) * W + j] + 1u;
			if (d[i * W + j - 1] + 1u < best) {
				best = d[i * W + j - 1] + 1u;
			}
			if (d[(i - 1) * W + j - 1] + (unsigned)(a[i - 1] != b[j - 1]) < best) {
				best = d[(i - 1) * W + j - 1] + (unsigned)(a[i - 1] != b[j - 1]);
			}
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
				d[(i - 2) * W + j - 2] + 1u < best) {
				best = d[(i - 2) * W + j - 2] + 1u;
			}
			d[i * W + j] = (unsigned char)best;
		}
	}
	return d[la * W + lb];
}

const char *layout_build_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3; /* more than two edits away is another word */
	for (size_t k = 0; k < n; k++) {
		size_t d = distance(word, candidates[k]);
		/* Short words are all close to each other; demand a real resemblance. */
		if (d < best_d && d * 2 <= strlen(candidates[k]) && d < strlen(word) + (d == 0)) {
			best = candidates[k];
			best_d = d;
		}
	}
	return best;
}

bool layout_build_check_keys(const struct layout_scope *s, const char *const *allowed)
{
	size_t n = 0;
	while (allowed[n] != NULL) {
		n++;
	}
	for (size_t k = 0; k < s->table->table.len; k++) {
		const struct toml_kv *kv = &s->table->table.items[k];
		bool known = false;
		for (size_t j = 0; j < n && !known; j++) {
			known = strcmp(kv->key, allowed[j]) == 0;
		}
		if (known) {
			continue;
		}
		char shown[64];
		size_t o = 0;
		/* Keys can be anything a quoted string holds; show a safe piece. */
		for (const char *c = kv->key; *c != '\0' && o < 48; c++) {
			shown[o++] = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
		}
		shown[o] = '\0';
		const char *hint = layout_build_suggest(kv->key, allowed, n);
		if (hint != NULL) {
			return layout_build_fail(s, kv->key_pos,
				"unknown key '%s%s' (did you mean '%s'?)", shown,
				kv->key[o] != '\0' ? "..." : "", hint);
		}
		return layout_build_fail(s, kv->key_pos, "unknown key '%s%s'", shown,
			kv->key[o] != '\0' ? "..." : "");
	}
	return true;
}

static const char *type_wanted(enum toml_type type)
{
	return type == TOML_FLOAT ? "a number" : toml_type_name(type);
}

bool layout_build_get(const struct layout_scope *s, const char *key, enum toml_type type,
	bool required, const struct toml_value **value, struct layout_pos *at)
{
	const struct toml_value *v = toml_table_get(s->table, key);
	*value = NULL;
	if (at != NULL) {
		*at = layout_build_pos(s->b, v ? v->pos : s->table->pos);
	}
	if (v == NULL) {
		if (required) {
			return layout_build_fail(s, s->table->pos, "missing '%s'", key);
		}
		return true;
	}
	bool ok = v->type == type || (type == TOML_FLOAT && v->type == TOML_INTEGER);
	if (!ok) {
		return layout_build_fail(s, v->pos, "'%s' must be %s, not %s", key,
			type_wanted(type), toml_type_name(v->type));
	}
	*value = v;
	return true;
}

bool layout_build_string(const struct layout_scope *s, const char *key, bool required, size_t max,
	char **out, struct layout_pos *at)
{
	const struct toml_value *v;
	if (!layout_build_get(s, key, TOML_STRING, required, &v, at)) {
		return false;
	}
	if (v == NULL) {
		return true;
	}
	if (v->string.len == 0) {
		return layout_build_fail(s, v->pos, "'%s' must not be empty", key);
	}
	if (v->string.len > max) {
		return layout_build_fail(s, v->pos, "'%s' is too long (%zu bytes; at most %zu)",
			key, v->string.len, max);
	}
	for (size_t k = 0; k < v->string.len; k++) {
		unsigned char c = (unsigned char)v->string.ptr[k];
		if (c < 0x20 || c == 0x7f) {
			return layout_build_fail(
				s, v->pos, "'%s' must not contain control characters", key);
		}
	}
	char *copy = strdup(v->string.ptr);
	if (copy == NULL) {
		return layout_build_fail(s, v->pos, "out of memory");
	}
	free(*out);
	*out = copy;
	return true;
}

bool layout_build_integer(const struct layout_scope *s, const char *key, int64_t min, int64_t max,
	int64_t *out, struct layout_pos *at)
{
	const struct toml_value *v;
	if (!layout_build_get(s, key, TOML_INTEGER, false, &v, at)) {
		return false;
	}
	if (v == NULL) {
		return true;
	}
	if (v->integer < min || v->integer > max) {
		return layout_build_fail(s, v->pos, "'%s' must be %lld to %lld, not %lld", key,
			(long long)min, (long long)max, (long long)v->integer);
	}
	*out = v->integer;
	return true;
}

bool layout_build_bool(
	const struct layout_scope *s, const char *key, bool *out, struct layout_pos *at)
{
	const struct toml_value *v;
	if (!layout_build_get(s, key, TOML_BOOLEAN, false, &v, at)) {
		return false;
	}
	if (v != NULL) {
		*out = v->boolean;
	}
	return true;
}

bool layout_build_integers(const struct layout_scope *s, const char *key, size_t n, int64_t *out,
	bool *present, struct layout_pos *at)
{
	const struct toml_value *v;
	*present = false;
	if (!layout_build_get(s, key, TOML_ARRAY, false, &v, at)) {
		return false;
	}
	if (v == NULL) {
		return true;
	}
	if (v->array.len != n) {
		return layout_build_fail(
			s, v->pos, "'%s' must have %zu integers, not %zu", key, n, v->array.len);
	}
	for (size_t k = 0; k < n; k++) {
		const struct toml_value *item = v->array.items[k];
		if (item->type != TOML_INTEGER) {
			return layout_build_fail(s, item->pos,
				"'%s' must have %zu integers, not %s", key, n,
				toml_type_name(item->type));
		}
		out[k] = item->integer;
	}
	*present = true;
	return true;
}

bool layout_build_transform(
	const struct layout_scope *s, enum layout_transform *out, struct layout_pos *at)
{
	const struct toml_value *v = toml_table_get(s->table, "transform");
	if (v != NULL && v->type == TOML_INTEGER) {
		return layout_build_fail(s, v->pos,
			"'transform' must be a string, such as \"%lld\", not an integer",
			(long long)v->integer);
	}
	if (!layout_build_get(s, "transform", TOML_STRING, false, &v, at)) {
		return false;
	}
	if (v != NULL && !layout_transform_parse(v->string.ptr, out)) {
		return layout_build_fail(s, v->pos,
			"unknown transform '%.32s' (expected normal, 90, 180, 270, flipped, "
			"flipped-90, flipped-180 or flipped-270)",
			v->string.ptr);
	}
	return true;
}

bool layout_build_table_array(const struct layout_scope *s, const char *key, const char *header,
	const char *plural, size_t max, const struct toml_value **array)
{
	const struct toml_value *v = toml_table_get(s->table, key);
	*array = NULL;
	if (v == NULL) {
		return true;
	}
	bool ok = v->type == TOML_ARRAY;
	for (size_t k = 0; ok && k < v->array.len; k++) {
		ok = v->array.items[k]->type == TOML_TABLE;
	}
	if (!ok) {
		return layout_build_fail(
			s, v->pos, "'%s' must be an array of tables, written [[%s]]", key, header);
	}
	if (v->array.len > max) {
		return layout_build_fail(
			s, v->array.items[max]->pos, "too many %s (at most %zu)", plural, max);
	}
	*array = v;
	return true;
}

void *layout_build_alloc(const struct layout_scope *s, const struct toml_value *array, size_t size)
{
	void *items = calloc(array->array.len, size);
	if (items == NULL) {
		layout_build_fail(s, array->pos, "out of memory");
	}
	return items;
}

bool layout_build_each(struct layout_builder *b, const struct toml_value *array, size_t *len,
	layout_build_item_fn build)
{
	for (size_t k = 0; k < array->array.len; k++) {
		(*len)++;
		if (!build(b, array->array.items[k], k)) {
			return false;
		}
	}
	return true;
}
