#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/toml.h"

/* Bookkeeping flags: TOML's rules on which tables may be extended, and how. */
enum {
	TABLE_IMPLICIT = 1 << 0,  /* created as a parent in a [header]; may be defined later */
	TABLE_HEADER = 1 << 1,    /* defined by its own [header] or [[header]] */
	TABLE_DOTTED = 1 << 2,    /* created by a dotted key; only dotted keys may extend it */
	VALUE_CLOSED = 1 << 3,    /* inline table or static array: nothing may be added later */
	ARRAY_OF_TABLES = 1 << 4, /* made by [[header]]; each header appends */
};

/* Tables with more keys than this get a hash index, so big inputs stay linear. */
#define INDEX_THRESHOLD 16

struct key_part {
	char *name;
	struct toml_pos pos;
};

struct key_path {
	struct key_part parts[TOML_MAX_DEPTH];
	int len;
};

struct strbuf {
	char *data;
	size_t len, cap;
};

struct parser {
	const char *buf;
	size_t len;
	size_t i;
	struct toml_pos pos; /* of buf[i] */
	struct toml_value *root;
	struct toml_value *current; /* the table key-values go into */
	int current_depth;
	locale_t c_locale;
	struct toml_error *err;
	bool failed;
};

static bool fail(struct parser *p, struct toml_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct parser *p, struct toml_pos pos, const char *fmt, ...)
{
	/* The first error is the one worth reporting; later ones are its echoes. */
	if (p->failed) {
		return false;
	}
	p->failed = true;
	p->err->pos = pos;
	va_list args;
	va_start(args, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, args);
	va_end(args);
	return false;
}

static int peek(const struct parser *p, size_t ahead)
{
	if (p->i + ahead >= p->len) {
		return -1;
	}
	return (unsigned char)p->buf[p->i + ahead];
}

static void advance(struct parser *p)
{
	unsigned char c = (unsigned char)p->buf[p->i++];
	if (c == '\n') {
		p->pos.line++;
		p->pos.column = 1;
	} else if ((c & 0xc0) != 0x80) {
		/* UTF-8 continuation bytes belong to the character already counted. */
		p->pos.column++;
	}
}

static bool starts_with(const struct parser *p, const char *s)
{
	size_t n = strlen(s);
	return p->len - p->i >= n && memcmp(p->buf + p->i, s, n) == 0;
}

/* Describes the character at the cursor for messages: 'x', end of line, ... */
static const char *describe_here(const struct parser *p, char *buf, size_t size)
{
	int c = peek(p, 0);
	if (c == -1) {
		return "end of file";
	}
	if (c == '\n' || c == '\r') {
		return "end of line";
	}
	if (c >= 0x20 && c < 0x7f) {
		snprintf(buf, size, "'%c'", c);
		return buf;
	}
	/* Non-ASCII: the input was validated as UTF-8, so the sequence is whole. */
	size_t n = 1;
	while (n < 4 && p->i + n < p->len && ((unsigned char)p->buf[p->i + n] & 0xc0) == 0x80) {
		n++;
	}
	snprintf(buf, size, "'%.*s'", (int)n, p->buf + p->i);
	return buf;
}

/* Quotes a key for messages, cut short and without control characters. */
static const char *describe_key(const char *key, char *buf, size_t size)
{
	size_t o = 0;
	for (size_t k = 0; key[k] != '\0' && o + 4 < size; k++) {
		unsigned char c = (unsigned char)key[k];
		buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		if (k == 48 && key[k + 1] != '\0') {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o] = '\0';
	return buf;
}

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOLEAN:
		return "a boolean";
	case TOML_ARRAY:
		return "an array";
	case TOML_TABLE:
		return "a table";
	}
	return "a value";
}

static const char *describe_value(const struct toml_value *v)
{
	if (v->type == TOML_TABLE && (v->flags & VALUE_CLOSED)) {
		return "an inline table";
	}
	if (v->type == TOML_ARRAY && (v->flags & ARRAY_OF_TABLES)) {
		return "an array of tables";
	}
	return toml_type_name(v->type);
}

/* Where a key was defined: its [header] for tables made by one, else the key itself. */
static struct toml_pos defined_at(const struct toml_kv *kv)
{
	const struct toml_value *v = kv->value;
	if ((v->type == TOML_TABLE && (v->flags & (TABLE_HEADER | TABLE_IMPLICIT))) ||
		(v->type == TOML_ARRAY && (v->flags & ARRAY_OF_TABLES))) {
		return v->pos;
	}
	return kv->key_pos;
}

/* Values */

static struct toml_value *value_create(struct parser *p, enum toml_type type, struct toml_pos pos)
{
	struct toml_value *v = calloc(1, sizeof(*v));
	if (v == NULL) {
		fail(p, pos, "out of memory");
		return NULL;
	}
	v->type = type;
	v->pos = pos;
	return v;
}

/* The tree's depth is bounded by TOML_MAX_DEPTH (plus one), so this recursion is too. */
void toml_value_destroy(struct toml_value *v)
{
	if (v == NULL) {
		return;
	}
	switch (v->type) {
	case TOML_STRING:
		free(v->string.ptr);
		break;
	case TOML_ARRAY:
		for (size_t k = 0; k < v->array.len; k++) {
			toml_value_destroy(v->array.items[k]);
		}
		free(v->array.items);
		break;
	case TOML_TABLE:
		for (size_t k = 0; k < v->table.len; k++) {
			free(v->table.items[k].key);
			toml_value_destroy(v->table.items[k].value);
		}
		free(v->table.items);
		free(v->table.index);
		break;
	default:
		break;
	}
	free(v);
}

static bool array_append(struct parser *p, struct toml_value *a, struct toml_value *item)
{
	if (a->array.len == a->array.cap) {
		size_t cap = a->array.cap ? a->array.cap * 2 : 4;
		struct toml_value **items = realloc(a->array.items, cap * sizeof(*items));
		if (items == NULL) {
			return fail(p, item->pos, "out of memory");
		}
		a->array.items = items;
		a->array.cap = cap;
	}
	a->array.items[a->array.len++] = item;
	return true;
}

static uint32_t hash_key(const char *key)
{
	uint32_t h = 2166136261u;
	for (; *key != '\0'; key++) {
		h = (h ^ (unsigned char)*key) * 16777619u;
	}
	return h;
}

static void index_put(struct toml_value *t, size_t item)
{
	size_t mask = t->table.index_cap - 1;
	size_t slot = hash_key(t->table.items[item].key) & mask;
	while (t->table.index[slot] != 0) {
		slot = (slot + 1) & mask;
	}
	t->table.index[slot] = (uint32_t)(item + 1);
}

/* Keeps the index at most half full; builds it when the table grows past the threshold. */
static bool index_update(struct toml_value *t)
{
	size_t len = t->table.len;
	if (len <= INDEX_THRESHOLD) {
		return true;
	}
	if (t->table.index != NULL && len * 2 <= t->table.index_cap) {
		index_put(t, len - 1);
		return true;
	}
	size_t cap = 64;
	while (cap < len * 4) {
		cap *= 2;
	}
	uint32_t *index = calloc(cap, sizeof(*index));
	if (index == NULL) {
		return false;
	}
	free(t->table.index);
	t->table.index = index;
	t->table.index_cap = cap;
	for (size_t k = 0; k < len; k++) {
		index_put(t, k);
	}
	return true;
}

const struct toml_kv *toml_table_get_kv(const struct toml_value *t, const char *key)
{
	if (t == NULL || t->type != TOML_TABLE) {
		return NULL;
	}
	if (t->table.index != NULL) {
		size_t mask = t->table.index_cap - 1;
		for (size_t slot = hash_key(key) & mask; t->table.index[slot] != 0;
			slot = (slot + 1) & mask) {
			const struct toml_kv *kv = &t->table.items[t->table.index[slot] - 1];
			if (strcmp(kv->key, key) == 0) {
				return kv;
			}
		}
		return NULL;
	}
	for (size_t k = 0; k < t->table.len; k++) {
		if (strcmp(t->table.items[k].key, key) == 0) {
			return &t->table.items[k];
		}
	}
	return NULL;
}

struct toml_value *toml_table_get(const struct toml_value *t, const char *key)
{
	const struct toml_kv *kv = toml_table_get_kv(t, key);
	return kv ? kv->value : NULL;
}

/* Copies the key; takes ownership of value, also on failure. */
static bool table_insert(struct parser *p, struct toml_value *t, const struct key_part *part,
	struct toml_value *value)
{
	char *key = strdup(part->name);
	if (key == NULL) {
		goto error_oom;
	}
	if (t->table.len == t->table.cap) {
		size_t cap = t->table.cap ? t->table.cap * 2 : 4;
		struct toml_kv *items = realloc(t->table.items, cap * sizeof(*items));
		if (items == NULL) {
			goto error_oom;
		}
		t->table.items = items;
		t->table.cap = cap;
	}
	t->table.items[t->table.len++] = (struct toml_kv){
		.key = key,
		.key_pos = part->pos,
		.value = value,
	};
	if (!index_update(t)) {
		/* The pair is in the table now; the caller's unwinding frees it with the tree. */
		return fail(p, part->pos, "out of memory");
	}
	return true;

error_oom:
	free(key);
	toml_value_destroy(value);
	return fail(p, part->pos, "out of memory");
}

/* Inline tables are closed once their '}' is read, with the tables their dotted keys made. */
static void close_inline(struct toml_value *t, int depth)
{
	t->flags |= VALUE_CLOSED;
	if (depth >= TOML_MAX_DEPTH) {
		return;
	}
	for (size_t k = 0; k < t->table.len; k++) {
		struct toml_value *v = t->table.items[k].value;
		if (v->type == TOML_TABLE && (v->flags & TABLE_DOTTED)) {
			close_inline(v, depth + 1);
		}
	}
}

/* Input checks: encoding and characters TOML never allows */

static bool check_input(struct parser *p)
{
	struct toml_pos pos = {1, 1};
	const unsigned char *s = (const unsigned char *)p->buf;
	size_t n = p->len;
	for (size_t k = 0; k < n;) {
		unsigned char c = s[k];
		size_t seq = 1;
		if (c == '\0') {
			return fail(p, pos, "NUL byte in the file; is this a text file?");
		} else if (c == '\r') {
			if (k + 1 >= n || s[k + 1] != '\n') {
				return fail(p, pos, "carriage return not followed by a newline");
			}
		} else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			return fail(p, pos, "control character U+%04X is not allowed", c);
		} else if (c >= 0x80) {
			unsigned char lo = 0x80, hi = 0xbf;
			if (c >= 0xc2 && c <= 0xdf) {
				seq = 2;
			} else if (c >= 0xe0 && c <= 0xef) {
				seq = 3;
				lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
				hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
			} else if (c >= 0xf0 && c <= 0xf4) {
				seq = 4;
				lo = c == 0xf0 ? 0x90 : 0x80;
				hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
			} else {
				return fail(p, pos, "invalid UTF-8 (byte 0x%02X)", c);
			}
			if (k + seq > n || s[k + 1] < lo || s[k + 1] > hi) {
				return fail(p, pos, "invalid UTF-8 (byte 0x%02X)", c);
			}
			for (size_t j = 2; j < seq; j++) {
				if ((s[k + j] & 0xc0) != 0x80) {
					return fail(p, pos, "invalid UTF-8 (byte 0x%02X)", c);
				}
			}
		}
		if (c == '\n') {
			pos.line++;
			pos.column = 1;
		} else {
			pos.column++;
		}
		k += seq;
	}
	return true;
}

/* Lexical pieces */

static void skip_ws(struct parser *p)
{
	while (peek(p, 0) == ' ' || peek(p, 0) == '\t') {
		advance(p);
	}
}

static void skip_comment(struct parser *p)
{
	if (peek(p, 0) != '#') {
		return;
	}
	while (peek(p, 0) != -1 && peek(p, 0) != '\n' && peek(p, 0) != '\r') {
		advance(p);
	}
}

static bool at_newline(const struct parser *p)
{
	return peek(p, 0) == '\n' || peek(p, 0) == '\r';
}

static void skip_newline(struct parser *p)
{
	if (peek(p, 0) == '\r') {
		advance(p);
	}
	if (peek(p, 0) == '\n') {
		advance(p);
	}
}

/* Whitespace, comments and newlines: what may sit between array elements. */
static void skip_blank(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if (!at_newline(p)) {
			return;
		}
		skip_newline(p);
	}
}

static bool end_of_line(struct parser *p, const char *after)
{
	skip_ws(p);
	skip_comment(p);
	if (peek(p, 0) == -1) {
		return true;
	}
	if (at_newline(p)) {
		skip_newline(p);
		return true;
	}
	char buf[16];
	return fail(p, p->pos, "expected a newline after %s, found %s", after,
		describe_here(p, buf, sizeof(buf)));
}

static bool is_bare_key_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16;
		while (cap < b->len + n + 1) {
			cap *= 2;
		}
		char *data = realloc(b->data, cap);
		if (data == NULL) {
			return false;
		}
		b->data = data;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

static bool strbuf_add_utf8(struct strbuf *b, uint32_t cp)
{
	char out[4];
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return strbuf_add(b, out, n);
}

static bool parse_escape(struct parser *p, struct strbuf *b)
{
	struct toml_pos pos = p->pos;
	advance(p); /* the backslash */
	int c = peek(p, 0);
	const char *simple = NULL;
	switch (c) {
	case '"':
		simple = "\"";
		break;
	case '\\':
		simple = "\\";
		break;
	case 'b':
		simple = "\b";
		break;
	case 't':
		simple = "\t";
		break;
	case 'n':
		simple = "\n";
		break;
	case 'f':
		simple = "\f";
		break;
	case 'r':
		simple = "\r";
		break;
	case 'u':
	case 'U':
		break;
	default:
		if (c >= 0x20 && c < 0x7f) {
			return fail(p, pos, "unknown escape sequence '\\%c'", c);
		}
		return fail(p, pos, "unknown escape sequence after '\\'");
	}
	advance(p);
	if (simple != NULL) {
		return strbuf_add(b, simple, 1) || fail(p, pos, "out of memory");
	}
	int digits = c == 'u' ? 4 : 8;
	uint32_t cp = 0;
	for (int k = 0; k < digits; k++) {
		int h = peek(p, 0);
		int v;
		if (h >= '0' && h <= '9') {
			v = h - '0';
		} else if (h >= 'a' && h <= 'f') {
			v = h - 'a' + 10;
		} else if (h >= 'A' && h <= 'F') {
			v = h - 'A' + 10;
		} else {
			return fail(
				p, pos, "'\\%c' needs exactly %d hexadecimal digits", c, digits);
		}
		cp = cp * 16 + (uint32_t)v;
		advance(p);
	}
	if (cp == 0) {
		return fail(p, pos, "'\\%c0000' (NUL) is not allowed in strings", c);
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		return fail(p, pos, "'\\%c' escape is not a Unicode scalar value", c);
	}
	return strbuf_add_utf8(b, cp) || fail(p, pos, "out of memory");
}

/* A basic or literal string at the cursor; the result is malloc'd and NUL-terminated. */
static char *parse_string(struct parser *p, size_t *len_out)
{
	struct toml_pos start = p->pos;
	char quote = (char)peek(p, 0);
	if (peek(p, 1) == quote && peek(p, 2) == quote) {
		fail(p, start, "multi-line strings are outside the supported TOML subset");
		return NULL;
	}
	advance(p);
	struct strbuf b = {0};
	if (!strbuf_add(&b, "", 0)) {
		fail(p, start, "out of memory");
		return NULL;
	}
	for (;;) {
		int c = peek(p, 0);
		if (c == -1 || c == '\n' || c == '\r') {
			fail(p, start, "unterminated string");
			goto error;
		}
		if (c == quote) {
			advance(p);
			break;
		}
		if (c == '\\' && quote == '"') {
			if (!parse_escape(p, &b)) {
				goto error;
			}
			continue;
		}
		/* Copy a run of plain bytes at once. */
		size_t run = p->i;
		while (run < p->len && p->buf[run] != quote && p->buf[run] != '\n' &&
			p->buf[run] != '\r' && !(p->buf[run] == '\\' && quote == '"')) {
			run++;
		}
		if (!strbuf_add(&b, p->buf + p->i, run - p->i)) {
			fail(p, start, "out of memory");
			goto error;
		}
		while (p->i < run) {
			advance(p);
		}
	}
	*len_out = b.len;
	return b.data;

error:
	free(b.data);
	return NULL;
}

static bool parse_simple_key(struct parser *p, struct key_part *part)
{
	part->pos = p->pos;
	int c = peek(p, 0);
	if (c == '"' || c == '\'') {
		size_t len;
		part->name = parse_string(p, &len);
		return part->name != NULL;
	}
	size_t start = p->i;
	while (is_bare_key_char(peek(p, 0))) {
		advance(p);
	}
	if (p->i == start) {
		char buf[16];
		return fail(
			p, p->pos, "expected a key, found %s", describe_here(p, buf, sizeof(buf)));
	}
	part->name = strndup(p->buf + start, p->i - start);
	if (part->name == NULL) {
		return fail(p, part->pos, "out of memory");
	}
	return true;
}

static void key_path_finish(struct key_path *path)
{
	for (int k = 0; k < path->len; k++) {
		free(path->parts[k].name);
	}
	path->len = 0;
}

static bool parse_key(struct parser *p, struct key_path *path)
{
	path->len = 0;
	for (;;) {
		if (path->len == TOML_MAX_DEPTH) {
			return fail(
				p, p->pos, "key has too many parts (at most %d)", TOML_MAX_DEPTH);
		}
		if (!parse_simple_key(p, &path->parts[path->len])) {
			return false;
		}
		path->len++;
		skip_ws(p);
		if (peek(p, 0) != '.') {
			return true;
		}
		advance(p);
		skip_ws(p);
	}
}

/* "a.b.c" of the first n parts, for messages. */
static const char *describe_path(const struct key_path *path, int n, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int k = 0; k < n && o + 1 < size; k++) {
		char part[64];
		int w = snprintf(buf + o, size - o, "%s%s", k ? "." : "",
			describe_key(path->parts[k].name, part, sizeof(part)));
		if (w < 0) {
			break;
		}
		o += (size_t)w;
	}
	return buf;
}

/* Values */

static struct toml_value *parse_value(struct parser *p, int depth);

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Digits with single underscores between them; returns false with the error set. */
static bool scan_digits(struct parser *p, const char *tok, size_t len, size_t *k,
	struct toml_pos pos, bool *leading_zero)
{
	size_t start = *k;
	if (*k >= len || !is_digit(tok[*k])) {
		return fail(p, pos, "invalid number '%.*s'", (int)(len > 40 ? 40 : len), tok);
	}
	while (*k < len) {
		if (is_digit(tok[*k])) {
			(*k)++;
		} else if (tok[*k] == '_') {
			if (*k + 1 >= len || !is_digit(tok[*k + 1])) {
				return fail(p, pos, "'_' in a number must be between digits");
			}
			(*k)++;
		} else {
			break;
		}
	}
	if (leading_zero != NULL) {
		*leading_zero = tok[start] == '0' && *k - start > 1;
	}
	return true;
}

/* A number's token as parse_number reads it: sign, integer part, float or not. */
struct number {
	const char *tok;
	size_t len;
	int shown; // how much of it messages quote
	struct toml_pos pos;
	bool negative, is_float;
	size_t int_start, int_end; // the integer part's digits (and underscores)
};

/* Dates, times and non-decimal integers start like numbers: they are named in the error. */
static bool number_supported(struct parser *p, const struct number *n)
{
	const char *tok = n->tok;
	size_t len = n->len;
	if ((len >= 5 && is_digit(tok[0]) && is_digit(tok[1]) && is_digit(tok[2]) &&
		    is_digit(tok[3]) && tok[4] == '-') ||
		(len >= 3 && is_digit(tok[0]) && is_digit(tok[1]) && tok[2] == ':')) {
		return fail(p, n->pos, "dates and times are outside the supported TOML subset");
	}
	if (len >= 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b')) {
		return fail(p, n->pos,
			"hexadecimal, octal and binary integers are outside the supported "
			"TOML subset");
	}
	return true;
}

/* Checks the token's syntax: [+-]digits[.digits][(e|E)[+-]digits]. */
static bool number_scan(struct parser *p, struct number *n)
{
	const char *tok = n->tok;
	size_t len = n->len, k = 0;
	if (tok[0] == '+' || tok[0] == '-') {
		n->negative = tok[0] == '-';
		k++;
	}
	n->int_start = k;
	bool leading_zero;
	if (!scan_digits(p, tok, len, &k, n->pos, &leading_zero)) {
		return false;
	}
	n->int_end = k;
	if (k < len && tok[k] == '.') {
		n->is_float = true;
		k++;
		if (k >= len || !is_digit(tok[k])) {
			return fail(p, n->pos, "a '.' in a number must be followed by digits");
		}
		if (!scan_digits(p, tok, len, &k, n->pos, NULL)) {
			return false;
		}
	}
	if (k < len && (tok[k] == 'e' || tok[k] == 'E')) {
		n->is_float = true;
		k++;
		if (k < len && (tok[k] == '+' || tok[k] == '-')) {
			k++;
		}
		if (!scan_digits(p, tok, len, &k, n->pos, NULL)) {
			return false;
		}
	}
	if (k != len) {
		return fail(p, n->pos, "invalid number '%.*s'", n->shown, tok);
	}
	if (leading_zero) {
		return fail(p, n->pos, "leading zeros are not allowed in numbers ('%.*s')",
			n->shown, tok);
	}
	return true;
}

static struct toml_value *integer_value(struct parser *p, const struct number *n)
{
	/* Accumulate the magnitude; the negative range is one larger. */
	uint64_t limit = n->negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t mag = 0;
	for (size_t j = n->int_start; j < n->int_end; j++) {
		if (n->tok[j] == '_') {
			continue;
		}
		uint64_t d = (uint64_t)(n->tok[j] - '0');
		if (mag > (limit - d) / 10) {
			fail(p, n->pos, "integer '%.*s' does not fit in 64 bits", n->shown, n->tok);
			return NULL;
		}
		mag = mag * 10 + d;
	}
	struct toml_value *v = value_create(p, TOML_INTEGER, n->pos);
	if (v == NULL) {
		return NULL;
	}
	if (n->negative) {
		v->integer = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		v->integer = (int64_t)mag;
	}
	return v;
}

/* strtod of the token without its underscores, in the C locale; false if out of memory. */
static bool float_of(struct parser *p, const struct number *n, double *out)
{
	char *copy = malloc(n->len + 1);
	if (copy == NULL) {
		return false;
	}
	size_t c = 0;
	for (size_t j = 0; j < n->len; j++) {
		if (n->tok[j] != '_') {
			copy[c++] = n->tok[j];
		}
	}
	copy[c] = '\0';
	/* strtod follows LC_NUMERIC; TOML's decimal point is always '.'. */
	if (p->c_locale == (locale_t)0) {
		p->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
		if (p->c_locale == (locale_t)0) {
			free(copy);
			return false;
		}
	}
	locale_t old = uselocale(p->c_locale);
	*out = strtod(copy, NULL);
	uselocale(old);
	free(copy);
	return true;
}

static struct toml_value *float_value(struct parser *p, const struct number *n)
{
	double d;
	if (!float_of(p, n, &d)) {
		fail(p, n->pos, "out of memory");
		return NULL;
	}
	if (!isfinite(d)) {
		fail(p, n->pos, "float '%.*s' is out of range", n->shown, n->tok);
		return NULL;
	}
	struct toml_value *v = value_create(p, TOML_FLOAT, n->pos);
	if (v != NULL) {
		v->floating = d;
	}
	return v;
}

static struct toml_value *parse_number(struct parser *p)
{
	struct number n = {.tok = p->buf + p->i, .pos = p->pos};
	while (p->i + n.len < p->len) {
		char c = n.tok[n.len];
		if (!is_bare_key_char(c) && c != '+' && c != '.' && c != ':') {
			break;
		}
		n.len++;
	}
	n.shown = (int)(n.len > 40 ? 40 : n.len);
	if (!number_supported(p, &n) || !number_scan(p, &n)) {
		return NULL;
	}
	struct toml_value *v = n.is_float ? float_value(p, &n) : integer_value(p, &n);
	if (v == NULL) {
		return NULL;
	}
	for (size_t j = 0; j < n.len; j++) {
		advance(p);
	}
	return v;
}

static struct toml_value *parse_array(struct parser *p, int depth)
{
	struct toml_value *a = value_create(p, TOML_ARRAY, p->pos);
	if (a == NULL) {
		return NULL;
	}
	a->flags = VALUE_CLOSED;
	advance(p); /* '[' */
	for (;;) {
		skip_blank(p);
		if (peek(p, 0) == ']') {
			advance(p);
			return a;
		}
		struct toml_value *item = parse_value(p, depth + 1);
		if (item == NULL) {
			goto error;
		}
		if (a->array.len > 0 && item->type != a->array.items[0]->type) {
			fail(p, item->pos,
				"mixed types in an array: this is %s, the first element is %s",
				toml_type_name(item->type),
				toml_type_name(a->array.items[0]->type));
			toml_value_destroy(item);
			goto error;
		}
		if (!array_append(p, a, item)) {
			toml_value_destroy(item);
			goto error;
		}
		skip_blank(p);
		if (peek(p, 0) == ',') {
			advance(p);
			continue;
		}
		if (peek(p, 0) == ']') {
			advance(p);
			return a;
		}
		char buf[16];
		fail(p, p->pos, "expected ',' or ']' in the array, found %s",
			describe_here(p, buf, sizeof(buf)));
		goto error;
	}

error:
	toml_value_destroy(a);
	return NULL;
}

static bool parse_keyval(struct parser *p, struct toml_value *table, int depth);

static struct toml_value *parse_inline_table(struct parser *p, int depth)
{
	struct toml_value *t = value_create(p, TOML_TABLE, p->pos);
	if (t == NULL) {
		return NULL;
	}
	advance(p); /* '{' */
	skip_ws(p);
	if (peek(p, 0) == '}') {
		advance(p);
		close_inline(t, 0);
		return t;
	}
	for (;;) {
		skip_ws(p);
		if (peek(p, 0) == '}') {
			fail(p, p->pos, "trailing comma in an inline table");
			goto error;
		}
		if (at_newline(p) || peek(p, 0) == -1) {
			fail(p, p->pos,
				"inline tables must end on the line they start on; "
				"expected a key");
			goto error;
		}
		if (!parse_keyval(p, t, depth)) {
			goto error;
		}
		skip_ws(p);
		int c = peek(p, 0);
		if (c == ',') {
			advance(p);
			continue;
		}
		if (c == '}') {
			advance(p);
			close_inline(t, 0);
			return t;
		}
		char buf[16];
		if (c == -1 || c == '\n' || c == '\r' || c == '#') {
			fail(p, p->pos,
				"inline tables must end on the line they start on; "
				"expected '}'");
		} else {
			fail(p, p->pos, "expected ',' or '}' in the inline table, found %s",
				describe_here(p, buf, sizeof(buf)));
		}
		goto error;
	}

error:
	toml_value_destroy(t);
	return NULL;
}

static bool word_at(const struct parser *p, size_t offset, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->i < offset + n || memcmp(p->buf + p->i + offset, word, n) != 0) {
		return false;
	}
	return p->i + offset + n >= p->len || !is_bare_key_char(p->buf[p->i + offset + n]);
}

static struct toml_value *parse_value(struct parser *p, int depth)
{
	struct toml_pos pos = p->pos;
	if (depth > TOML_MAX_DEPTH) {
		fail(p, pos, "values nested too deeply (at most %d levels)", TOML_MAX_DEPTH);
		return NULL;
	}
	int c = peek(p, 0);
	if (c == '"' || c == '\'') {
		size_t len;
		char *s = parse_string(p, &len);
		if (s == NULL) {
			return NULL;
		}
		struct toml_value *v = value_create(p, TOML_STRING, pos);
		if (v == NULL) {
			free(s);
			return NULL;
		}
		v->string.ptr = s;
		v->string.len = len;
		return v;
	}
	if (c == '[') {
		return parse_array(p, depth);
	}
	if (c == '{') {
		return parse_inline_table(p, depth);
	}
	if (word_at(p, 0, "true") || word_at(p, 0, "false")) {
		bool b = c == 't';
		struct toml_value *v = value_create(p, TOML_BOOLEAN, pos);
		if (v == NULL) {
			return NULL;
		}
		v->boolean = b;
		for (int k = b ? 4 : 5; k > 0; k--) {
			advance(p);
		}
		return v;
	}
	size_t sign = c == '+' || c == '-';
	if (word_at(p, sign, "inf") || word_at(p, sign, "nan")) {
		fail(p, pos, "inf and nan are outside the supported TOML subset");
		return NULL;
	}
	if (is_digit(c) || c == '+' || c == '-') {
		return parse_number(p);
	}
	if (c == '.') {
		fail(p, pos, "a number needs a digit before '.' (write 0.5, not .5)");
		return NULL;
	}
	if (is_bare_key_char(c)) {
		size_t n = 0;
		while (p->i + n < p->len && is_bare_key_char(p->buf[p->i + n]) && n < 40) {
			n++;
		}
		fail(p, pos, "expected a value, found '%.*s'; strings need quotes", (int)n,
			p->buf + p->i);
		return NULL;
	}
	char buf[16];
	fail(p, pos, "expected a value, found %s", describe_here(p, buf, sizeof(buf)));
	return NULL;
}

/* Tables and key-values */

static struct toml_value *new_table(struct parser *p, struct toml_pos pos, unsigned flags)
{
	struct toml_value *t = value_create(p, TOML_TABLE, pos);
	if (t != NULL) {
		t->flags = flags;
	}
	return t;
}

/* After a key: '=' and the start of a value. */
static bool expect_value(struct parser *p, const struct key_path *path)
{
	char where[160];
	skip_ws(p);
	if (peek(p, 0) != '=') {
		char buf[16];
		return fail(p, p->pos, "expected '=' after the key '%s', found %s",
			describe_path(path, path->len, where, sizeof(where)),
			describe_here(p, buf, sizeof(buf)));
	}
	advance(p);
	skip_ws(p);
	if (at_newline(p) || peek(p, 0) == -1 || peek(p, 0) == '#') {
		return fail(p, p->pos, "the key '%s' has no value",
			describe_path(path, path->len, where, sizeof(where)));
	}
	return true;
}

/*
 * The table a dotted key's last part goes into: walks (and makes) the
 * tables of its other parts. NULL with the error set.
 */
static struct toml_value *dotted_table(
	struct parser *p, struct toml_value *table, const struct key_path *path)
{
	char where[160];
	struct toml_value *t = table;
	for (int k = 0; k < path->len - 1; k++) {
		const struct key_part *part = &path->parts[k];
		const struct toml_kv *kv = toml_table_get_kv(t, part->name);
		if (kv == NULL) {
			struct toml_value *sub = new_table(p, part->pos, TABLE_DOTTED);
			if (sub == NULL || !table_insert(p, t, part, sub)) {
				return NULL;
			}
			t = sub;
			continue;
		}
		struct toml_value *v = kv->value;
		describe_path(path, k + 1, where, sizeof(where));
		if (v->type != TOML_TABLE) {
			fail(p, part->pos, "'%s' is already %s (defined at %d:%d), not a table",
				where, describe_value(v), defined_at(kv).line,
				defined_at(kv).column);
			return NULL;
		}
		if (v->flags & VALUE_CLOSED) {
			fail(p, part->pos,
				"cannot add keys to the inline table '%s' (defined at %d:%d)",
				where, defined_at(kv).line, defined_at(kv).column);
			return NULL;
		}
		if (!(v->flags & TABLE_DOTTED)) {
			fail(p, part->pos,
				"cannot add keys to the table '%s' with a dotted key: it "
				"was defined by a [header] at %d:%d",
				where, v->pos.line, v->pos.column);
			return NULL;
		}
		t = v;
	}
	return t;
}

static bool parse_keyval(struct parser *p, struct toml_value *table, int depth)
{
	struct key_path path;
	char key[64];
	if (!parse_key(p, &path)) {
		goto error;
	}
	if (depth + path.len > TOML_MAX_DEPTH) {
		fail(p, path.parts[0].pos, "key nested too deeply (at most %d levels)",
			TOML_MAX_DEPTH);
		goto error;
	}
	if (!expect_value(p, &path)) {
		goto error;
	}
	/* The tables of the dotted key come before the value, so errors come in order. */
	struct toml_value *t = dotted_table(p, table, &path);
	if (t == NULL) {
		goto error;
	}
	struct key_part *last = &path.parts[path.len - 1];
	const struct toml_kv *dup = toml_table_get_kv(t, last->name);
	if (dup != NULL) {
		fail(p, last->pos, "duplicate key '%s' (first defined at %d:%d)",
			describe_key(last->name, key, sizeof(key)), defined_at(dup).line,
			defined_at(dup).column);
		goto error;
	}
	struct toml_value *value = parse_value(p, depth + path.len);
	if (value == NULL) {
		goto error;
	}
	if (!table_insert(p, t, last, value)) {
		goto error;
	}
	key_path_finish(&path);
	return true;

error:
	key_path_finish(&path);
	return false;
}

/* "[key]" or "[[key]]" ("aot": an array of tables' element); the key goes to path. */
static bool read_header(struct parser *p, struct key_path *path, bool *aot)
{
	char buf[16];
	advance(p);
	*aot = peek(p, 0) == '[';
	if (*aot) {
		advance(p);
	}
	skip_ws(p);
	if (!parse_key(p, path)) {
		return false;
	}
	skip_ws(p);
	if (peek(p, 0) != ']' || (*aot && peek(p, 1) != ']')) {
		if (peek(p, 0) == ']') {
			advance(p);
		}
		return fail(p, p->pos, "expected '%s' to close the table header, found %s",
			*aot ? "]]" : "]", describe_here(p, buf, sizeof(buf)));
	}
	advance(p);
	if (*aot) {
		advance(p);
	}
	return true;
}

/* The table a header's last part goes into; NULL with the error set. */
static struct toml_value *header_parent(
	struct parser *p, struct toml_pos pos, const struct key_path *path)
{
	char where[160];
	struct toml_value *t = p->root;
	for (int k = 0; k < path->len - 1; k++) {
		const struct key_part *part = &path->parts[k];
		const struct toml_kv *kv = toml_table_get_kv(t, part->name);
		if (kv == NULL) {
			struct toml_value *sub = new_table(p, pos, TABLE_IMPLICIT);
			if (sub == NULL || !table_insert(p, t, part, sub)) {
				return NULL;
			}
			t = sub;
			continue;
		}
		struct toml_value *v = kv->value;
		describe_path(path, k + 1, where, sizeof(where));
		if (v->type == TOML_TABLE && !(v->flags & VALUE_CLOSED)) {
			t = v;
		} else if (v->type == TOML_ARRAY && (v->flags & ARRAY_OF_TABLES)) {
			/* [a.b] after [[a]] goes into the last [[a]]. */
			t = v->array.items[v->array.len - 1];
		} else {
			fail(p, part->pos,
				"'%s' is already %s (defined at %d:%d); a header cannot "
				"extend it",
				where, describe_value(v), defined_at(kv).line,
				defined_at(kv).column);
			return NULL;
		}
	}
	return t;
}

/* A header's last key in the table it goes into: what is there, and how messages name it. */
struct header_key {
	struct toml_pos pos; // the header's
	struct toml_value *parent;
	const struct key_part *last;
	const struct toml_kv *kv; // NULL when the key is new
	char where[160];
};

/* [[key]]: a new table at the end of the array key (made if absent). */
static struct toml_value *open_array_element(struct parser *p, const struct header_key *h)
{
	struct toml_value *v = h->kv ? h->kv->value : NULL;
	if (v == NULL) {
		v = value_create(p, TOML_ARRAY, h->pos);
		if (v == NULL) {
			return NULL;
		}
		v->flags = ARRAY_OF_TABLES;
		if (!table_insert(p, h->parent, h->last, v)) {
			return NULL;
		}
	} else if (v->type != TOML_ARRAY || !(v->flags & ARRAY_OF_TABLES)) {
		fail(p, h->last->pos,
			"'%s' is already %s (defined at %d:%d); [[%s]] cannot append to it",
			h->where, describe_value(v), defined_at(h->kv).line,
			defined_at(h->kv).column, h->where);
		return NULL;
	}
	struct toml_value *elem = new_table(p, h->pos, TABLE_HEADER);
	if (elem == NULL) {
		return NULL;
	}
	if (!array_append(p, v, elem)) {
		toml_value_destroy(elem);
		return NULL;
	}
	return elem;
}

/* [key]: the table key, made if absent; it may be defined only once. */
static struct toml_value *open_table(struct parser *p, const struct header_key *h)
{
	struct toml_value *v = h->kv ? h->kv->value : NULL;
	struct toml_pos pos = h->pos;
	const char *where = h->where;
	if (v == NULL) {
		v = new_table(p, pos, TABLE_HEADER);
		if (v == NULL || !table_insert(p, h->parent, h->last, v)) {
			return NULL;
		}
	} else if (v->type == TOML_ARRAY && (v->flags & ARRAY_OF_TABLES)) {
		fail(p, pos, "'%s' is an array of tables (first at %d:%d); write [[%s]]", where,
			v->pos.line, v->pos.column, where);
		return NULL;
	} else if (v->type != TOML_TABLE || (v->flags & VALUE_CLOSED)) {
		fail(p, pos, "'%s' is already %s (defined at %d:%d)", where, describe_value(v),
			defined_at(h->kv).line, defined_at(h->kv).column);
		return NULL;
	} else if (v->flags & TABLE_HEADER) {
		fail(p, pos, "table [%s] is defined twice (first at %d:%d)", where, v->pos.line,
			v->pos.column);
		return NULL;
	} else if (v->flags & TABLE_DOTTED) {
		fail(p, pos, "table [%s] was already defined by a dotted key at %d:%d", where,
			defined_at(h->kv).line, defined_at(h->kv).column);
		return NULL;
	} else {
		/* Made implicitly by an earlier [x.y]; this header defines it. */
		v->flags = TABLE_HEADER;
		v->pos = pos;
	}
	return v;
}

static bool parse_header(struct parser *p)
{
	struct toml_pos pos = p->pos;
	struct key_path path = {0};
	bool aot;
	if (!read_header(p, &path, &aot)) {
		goto error;
	}
	struct header_key h = {.pos = pos, .parent = header_parent(p, pos, &path)};
	if (h.parent == NULL) {
		goto error;
	}
	h.last = &path.parts[path.len - 1];
	h.kv = toml_table_get_kv(h.parent, h.last->name);
	describe_path(&path, path.len, h.where, sizeof(h.where));
	struct toml_value *t = aot ? open_array_element(p, &h) : open_table(p, &h);
	if (t == NULL) {
		goto error;
	}
	p->current = t;
	p->current_depth = path.len;
	key_path_finish(&path);
	return end_of_line(p, "the table header");

error:
	key_path_finish(&path);
	return false;
}

static bool parse_document(struct parser *p)
{
	/* A byte order mark is not content. */
	if (starts_with(p, "\xef\xbb\xbf")) {
		p->i += 3;
	}
	for (;;) {
		skip_ws(p);
		int c = peek(p, 0);
		if (c == -1) {
			return true;
		}
		if (c == '#' || c == '\n' || c == '\r') {
			if (!end_of_line(p, "the comment")) {
				return false;
			}
		} else if (c == '[') {
			if (!parse_header(p)) {
				return false;
			}
		} else {
			if (!parse_keyval(p, p->current, p->current_depth) ||
				!end_of_line(p, "the value")) {
				return false;
			}
		}
	}
}

struct toml_value *toml_parse(const char *buf, size_t len, struct toml_error *err)
{
	struct parser p = {
		.buf = buf,
		.len = len,
		.pos = {1, 1},
		.err = err,
	};
	err->pos = (struct toml_pos){0, 0};
	err->message[0] = '\0';
	if (len > TOML_MAX_INPUT) {
		fail(&p, (struct toml_pos){1, 1}, "file is too large (%zu bytes; at most %d)", len,
			TOML_MAX_INPUT);
		return NULL;
	}
	if (!check_input(&p)) {
		return NULL;
	}
	p.root = new_table(&p, p.pos, TABLE_HEADER);
	if (p.root == NULL) {
		return NULL;
	}
	p.current = p.root;
	bool ok = parse_document(&p);
	if (p.c_locale != (locale_t)0) {
		freelocale(p.c_locale);
	}
	if (!ok) {
		toml_value_destroy(p.root);
		return NULL;
	}
	return p.root;
}
