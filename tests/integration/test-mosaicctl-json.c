/*
 * mosaicctl -j against a live mosaic: every command that answers with data
 * prints one JSON document (an array for a list, an object else), follow
 * one object per line, and commands without data print nothing. Each
 * document is read by a strict parser (RFC 8259: nothing before or after
 * it, no duplicate keys) and every field's type is checked against the
 * schema of mosaicctl(1), restated here: a layout named "2024" stays a
 * string, yes and no are booleans, sizes and rectangles are objects,
 * absent values null. The guest is named by the same fields, with the
 * same values, in guests, surfaces, inputs, focus, wait-flip and follow's
 * events; the focus reply and the focus event have the same keys.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

/* ---- a strict JSON parser ---- */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool boolean;
	bool integer; // a number with neither fraction nor exponent
	double number;
	char *string;       // a string decoded; a number's text
	struct json *items; // an array's items, an object's values
	char **keys;        // an object's keys
	size_t len;
};

struct parser {
	const char *p;
	char error[160];
};

static bool parse_value(struct parser *ps, struct json *v, int depth);

static bool parse_error(struct parser *ps, const char *what)
{
	if (ps->error[0] == '\0') {
		snprintf(ps->error, sizeof(ps->error), "%s at '%.20s'", what, ps->p);
	}
	return false;
}

static void skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') {
		ps->p++;
	}
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0) {
			return -1;
		}
		v = v * 16 + d;
	}
	return v;
}

static void put_utf8(char **out, unsigned cp)
{
	char *o = *out;
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	*out = o;
}

/* The bytes of one well-formed UTF-8 character at p, 0 if there is none. */
static int utf8_length(const unsigned char *p)
{
	int n = p[0] >= 0xf5 ? 0 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
	}
	return n;
}

static bool parse_string(struct parser *ps, char **out)
{
	if (*ps->p != '"') {
		return parse_error(ps, "a string expected");
	}
	ps->p++;
	/* Decoded, it is never longer than its text. */
	char *s = malloc(strlen(ps->p) + 1), *o = s;
	CHECK(s != NULL, "out of memory");
	for (;;) {
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			free(s);
			return parse_error(ps, c == '\0' ? "an unterminated string"
							 : "a control character in a string");
		}
		if (c >= 0x80) {
			int n = utf8_length((const unsigned char *)ps->p);
			if (n == 0) {
				free(s);
				return parse_error(ps, "malformed UTF-8");
			}
			memcpy(o, ps->p, (size_t)n);
			o += n;
			ps->p += n;
			continue;
		}
		if (c != '\\') {
			*o++ = (char)c;
			ps->p++;
			continue;
		}
		static const char escapes[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
		char e = ps->p[1];
		const char *simple = e != '\0' ? strchr(escapes, e) : NULL;
		if (simple != NULL) {
			*o++ = decoded[simple - escapes];
			ps->p += 2;
			continue;
		}
		int cp = e == 'u' ? hex4(ps->p + 2) : -1;
		if (cp < 0) {
			free(s);
			return parse_error(ps, "a bad escape");
		}
		ps->p += 6;
		if (cp >= 0xd800 && cp < 0xdc00) {
			int low = ps->p[0] == '\\' && ps->p[1] == 'u' ? hex4(ps->p + 2) : -1;
			if (low < 0xdc00 || low > 0xdfff) {
				free(s);
				return parse_error(ps, "a lone surrogate");
			}
			ps->p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			free(s);
			return parse_error(ps, "a lone surrogate");
		}
		put_utf8(&o, (unsigned)cp);
	}
	*o = '\0';
	*out = s;
	return true;
}

static const char *skip_digits(const char *p)
{
	while (*p >= '0' && *p <= '9') {
		p++;
	}
	return p;
}

static bool parse_number(struct parser *ps, struct json *v)
{
	const char *start = ps->p, *p = ps->p;
	if (*p == '-') {
		p++;
	}
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		p = skip_digits(p);
	} else {
		return parse_error(ps, "a value expected");
	}
	v->integer = true;
	if (*p == '.') {
		v->integer = false;
		if (!(p[1] >= '0' && p[1] <= '9')) {
			return parse_error(ps, "a fraction without digits");
		}
		p = skip_digits(p + 1);
	}
	if (*p == 'e' || *p == 'E') {
		v->integer = false;
		p++;
		if (*p == '+' || *p == '-') {
			p++;
		}
		if (!(*p >= '0' && *p <= '9')) {
			return parse_error(ps, "an exponent without digits");
		}
		p = skip_digits(p);
	}
	v->type = JSON_NUMBER;
	v->string = strndup(start, (size_t)(p - start));
	CHECK(v->string != NULL, "out of memory");
	v->number = strtod(v->string, NULL);
	ps->p = p;
	return true;
}

static void add_item(struct json *v, char *key, const struct json *item)
{
	v->items = realloc(v->items, (v->len + 1) * sizeof(*v->items));
	v->keys = realloc(v->keys, (v->len + 1) * sizeof(*v->keys));
	CHECK(v->items != NULL && v->keys != NULL, "out of memory");
	v->items[v->len] = *item;
	v->keys[v->len] = key;
	v->len++;
}

static bool parse_members(struct parser *ps, struct json *v, char close, int depth)
{
	ps->p++;
	skip_space(ps);
	if (*ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		if (close == '}') {
			if (!parse_string(ps, &key)) {
				return false;
			}
			for (size_t i = 0; i < v->len; i++) {
				if (strcmp(v->keys[i], key) == 0) {
					free(key);
					return parse_error(ps, "a key twice");
				}
			}
			skip_space(ps);
			if (*ps->p != ':') {
				free(key);
				return parse_error(ps, "':' expected");
			}
			ps->p++;
		}
		struct json item = {0};
		bool ok = parse_value(ps, &item, depth + 1);
		add_item(v, key, &item);
		if (!ok) {
			return false;
		}
		skip_space(ps);
		if (*ps->p == close) {
			ps->p++;
			return true;
		}
		if (*ps->p != ',') {
			return parse_error(
				ps, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
		}
		ps->p++;
		skip_space(ps);
	}
}

static bool parse_value(struct parser *ps, struct json *v, int depth)
{
	static const struct {
		const char *word;
		enum json_type type;
		bool value;
	} literals[] = {
		{"null", JSON_NULL, false}, {"true", JSON_BOOL, true}, {"false", JSON_BOOL, false}};
	if (depth > 16) {
		return parse_error(ps, "nested too deep");
	}
	skip_space(ps);
	switch (*ps->p) {
	case '{':
		v->type = JSON_OBJECT;
		return parse_members(ps, v, '}', depth);
	case '[':
		v->type = JSON_ARRAY;
		return parse_members(ps, v, ']', depth);
	case '"':
		v->type = JSON_STRING;
		return parse_string(ps, &v->string);
	}
	for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
		size_t n = strlen(literals[i].word);
		if (strncmp(ps->p, literals[i].word, n) == 0) {
			v->type = literals[i].type;
			v->boolean = literals[i].value;
			ps->p += n;
			return true;
		}
	}
	return parse_number(ps, v);
}

static void json_free(struct json *v)
{
	for (size_t i = 0; i < v->len; i++) {
		json_free(&v->items[i]);
		free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
	*v = (struct json){0};
}

/* text as exactly one JSON document; fails the test, saying what, if it is not. */
static void json_parse(const char *text, const char *what, struct json *v)
{
	struct parser ps = {text, ""};
	*v = (struct json){0};
	bool ok = parse_value(&ps, v, 0);
	skip_space(&ps);
	if (ok && *ps.p != '\0') {
		ok = parse_error(&ps, "text after the document");
	}
	CHECK(ok, "%s: not one JSON document: %s\n%s", what, ps.error, text);
}

static const struct json *json_get(const struct json *v, const char *key)
{
	for (size_t i = 0; v->type == JSON_OBJECT && i < v->len; i++) {
		if (strcmp(v->keys[i], key) == 0) {
			return &v->items[i];
		}
	}
	return NULL;
}

/* ---- the schema, as mosaicctl(1) gives it ---- */

/*
 * A key and the types its value may have: s string, i integer, n number,
 * b boolean, z size {width, height}, r rectangle {x, y, width, height},
 * l a list of integers, 0 null.
 */
struct field {
	const char *key;
	const char *types;
};

static const struct field output_fields[] = {{"name", "s"}, {"x", "i"}, {"y", "i"}, {"width", "i"},
	{"height", "i"}, {"config", "s0"}, {"scale", "n"}, {"transform", "s"}, {"refresh", "n"},
	{"made", "s"}, {"direct", "s0"}, {"direct-frames", "i"}, {"composed-frames", "i"},
	{"wlroots-frames", "i"}, {"composed-pixels", "i"}, {NULL, NULL}};
static const struct field frame_times_fields[] = {{"output", "s"}, {"frames", "i"},
	{"skipped", "i"}, {"late", "i"}, {"interval_p50_ms", "n"}, {"interval_p99_ms", "n"},
	{"interval_max_ms", "n"}, {"compose_p50_ms", "n"}, {"compose_p99_ms", "n"},
	{"compose_max_ms", "n"}, {NULL, NULL}};
static const struct field guest_fields[] = {{"guest", "s0"}, {"domid", "i0"}, {"dev", "i0"},
	{"conn", "i0"}, {"name", "s0"}, {"unique-id", "s0"}, {"state", "s"}, {"resolution", "z"},
	{"views", "i"}, {"flips", "i"}, {"copied", "i"}, {NULL, NULL}};
static const struct field surface_fields[] = {{"guest", "s0"}, {"domid", "i0"}, {"dev", "i0"},
	{"conn", "i0"}, {"label", "s"}, {"state", "s"}, {"output", "s0"}, {"x", "i"}, {"y", "i"},
	{"width", "i"}, {"height", "i"}, {"resolution", "z"}, {"layout", "s0"}, {"z", "i0"},
	{"transform", "s"}, {"fit", "s0"}, {"src", "r"}, {"visible", "b"}, {"stale", "b"},
	{"app", "s0"}, {NULL, NULL}};
static const struct field layout_fields[] = {
	{"name", "s"}, {"surfaces", "i"}, {"active", "b"}, {NULL, NULL}};
static const struct field input_fields[] = {{"guest", "s"}, {"domid", "i"}, {"kind", "s"},
	{"dev", "i"}, {"state", "s"}, {"keyboard", "b"}, {"pointer", "s"}, {"range", "z"},
	{"touch", "b"}, {"contacts", "i"}, {"touch-size", "z"}, {"unique-id", "s0"}, {NULL, NULL}};
static const struct field focus_fields[] = {{"guest", "s0"}, {"domid", "i0"}, {"dev", "i0"},
	{"conn", "i0"}, {"label", "s0"}, {"input", "s0"}, {"app", "s0"}, {NULL, NULL}};
static const struct field flip_fields[] = {{"guest", "s"}, {"domid", "i"}, {"dev", "i"},
	{"conn", "i"}, {"label", "s"}, {"flips", "i"}, {NULL, NULL}};
static const struct field frame_fields[] = {{"output", "s"}, {"seq", "i"}, {NULL, NULL}};
static const struct field output_name_fields[] = {{"name", "s"}, {NULL, NULL}};
static const struct field expect_fields[] = {{"result", "s"}, {"reference", "s"},
	{"compared", "i0"}, {"differing", "i0"}, {"output", "s0"}, {"seq", "i0"},
	{"captures", "i0"}, {"x", "i0"}, {"y", "i0"}, {"width", "i0"}, {"height", "i0"},
	{"max-delta", "l0"}, {"reference-width", "i0"}, {"reference-height", "i0"},
	{"capture", "s0"}, {"diff", "s0"}, {NULL, NULL}};
static const struct field capture_fields[] = {{"n", "i"}, {"output", "s"}, {"seq", "i"},
	{"width", "i"}, {"height", "i"}, {"differing", "i"}, {NULL, NULL}};
static const struct field connector_event_fields[] = {{"guest", "s"}, {"domid", "i"}, {"dev", "i"},
	{"conn", "i"}, {"label", "s"}, {"unique-id", "s0"}, {"resolution", "z"}, {NULL, NULL}};
static const struct field layout_changed_fields[] = {{"name", "s"}, {NULL, NULL}};
static const struct field reloaded_fields[] = {{"file", "s"}, {"layout", "s"}, {NULL, NULL}};
static const struct field reload_failed_fields[] = {{"error", "s"}, {NULL, NULL}};

static const struct {
	const char *event;
	const struct field *fields;
} events[] = {
	{"guest-connected", connector_event_fields},
	{"guest-gone", connector_event_fields},
	{"guest-forgotten", connector_event_fields},
	{"layout-changed", layout_changed_fields},
	{"reloaded", reloaded_fields},
	{"reload-failed", reload_failed_fields},
	{"frame", frame_fields},
	{"focus", focus_fields},
};

static bool has_fields(const struct json *v, const char *const names[], bool integer)
{
	size_t n = 0;
	while (names[n] != NULL) {
		const struct json *f = json_get(v, names[n]);
		if (f == NULL || f->type != JSON_NUMBER || (integer && !f->integer)) {
			return false;
		}
		n++;
	}
	return v->type == JSON_OBJECT && v->len == n;
}

static bool is_type(const struct json *v, char type)
{
	static const char *const size[] = {"width", "height", NULL};
	static const char *const rect[] = {"x", "y", "width", "height", NULL};
	switch (type) {
	case 's':
		return v->type == JSON_STRING;
	case 'i':
		return v->type == JSON_NUMBER && v->integer;
	case 'n':
		return v->type == JSON_NUMBER;
	case 'b':
		return v->type == JSON_BOOL;
	case 'z':
		return has_fields(v, size, true);
	case 'r':
		return has_fields(v, rect, false);
	case 'l':
		for (size_t i = 0; v->type == JSON_ARRAY && i < v->len; i++) {
			if (!is_type(&v->items[i], 'i')) {
				return false;
			}
		}
		return v->type == JSON_ARRAY && v->len > 0;
	case '0':
		return v->type == JSON_NULL;
	}
	return false;
}

/*
 * An object of the schema: "type" (and "event") as said, every field of
 * its types, and nothing else.
 */
static void check_object(const struct json *v, const char *what, const char *type,
	const char *event, const struct field *fields)
{
	CHECK(v->type == JSON_OBJECT, "%s: not an object", what);
	const struct json *t = json_get(v, "type");
	CHECK(t != NULL && t->type == JSON_STRING && strcmp(t->string, type) == 0,
		"%s: \"type\" is not \"%s\"", what, type);
	size_t n = 1;
	if (event != NULL) {
		const struct json *e = json_get(v, "event");
		CHECK(e != NULL && e->type == JSON_STRING && strcmp(e->string, event) == 0,
			"%s: \"event\" is not \"%s\"", what, event);
		n++;
	}
	for (const struct field *f = fields; f->key != NULL; f++, n++) {
		const struct json *value = json_get(v, f->key);
		CHECK(value != NULL, "%s: no \"%s\"", what, f->key);
		bool ok = false;
		for (const char *c = f->types; *c != '\0' && !ok; c++) {
			ok = is_type(value, *c);
		}
		CHECK(ok, "%s: \"%s\" is not of the types %s", what, f->key, f->types);
	}
	for (size_t i = 0; i < v->len; i++) {
		bool known = strcmp(v->keys[i], "type") == 0 || strcmp(v->keys[i], "event") == 0;
		for (const struct field *f = fields; f->key != NULL && !known; f++) {
			known = strcmp(v->keys[i], f->key) == 0;
		}
		CHECK(known, "%s: \"%s\" is not in the schema", what, v->keys[i]);
	}
	CHECK(v->len == n, "%s: %zu keys, the schema has %zu", what, v->len, n);
}

/* ---- running mosaicctl ---- */

struct run {
	int status;
	char *out, *err;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	char *text = NULL;
	size_t len = 0;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		text = realloc(text, len + n + 1);
		CHECK(text != NULL, "out of memory");
		memcpy(text + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (text == NULL) {
		text = calloc(1, 1);
		CHECK(text != NULL, "out of memory");
	}
	text[len] = '\0';
	return text;
}

static struct harness h;

/* Runs mosaicctl -j -s SOCKET ARGS (NULL-terminated); 15 s at most. */
static void run(struct run *r, const char *const args[])
{
	char out[400], err[400];
	snprintf(out, sizeof(out), "%s/out", guests_scratch_dir());
	snprintf(err, sizeof(err), "%s/err", guests_scratch_dir());
	char *argv[24] = {(char *)harness_program("MOSAICCTL"), "-j", "-s", h.control};
	int argc = 4;
	for (int i = 0; args[i] != NULL && argc < 23; i++) {
		argv[argc++] = (char *)args[i];
	}
	argv[argc] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork failed");
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (o < 0 || e < 0) {
			_exit(126);
		}
		dup2(o, STDOUT_FILENO);
		dup2(e, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	int64_t deadline = now_ms() + 15000;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(5000);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = slurp(out);
	r->err = slurp(err);
	fprintf(stderr, "mosaicctl -j %s%s%s: exit %d\n%s%s", args[0], args[1] ? " " : "",
		args[1] ? args[1] : "", r->status, r->out, r->err);
}

static void run_finish(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* A command that answers with data: its document, parsed (exit status 0). */
static void run_json(const char *const args[], struct json *doc)
{
	struct run r;
	run(&r, args);
	CHECK(r.status == 0, "mosaicctl -j %s: exit %d: %s", args[0], r.status, r.err);
	json_parse(r.out, args[0], doc);
	run_finish(&r);
}

/* A list: an array of objects of type, each checked; the array (to free). */
static void run_list(
	const char *command, const char *type, const struct field *fields, struct json *doc)
{
	const char *args[] = {command, NULL};
	run_json(args, doc);
	CHECK(doc->type == JSON_ARRAY, "%s: not an array", command);
	for (size_t i = 0; i < doc->len; i++) {
		char what[64];
		snprintf(what, sizeof(what), "%s[%zu]", command, i);
		check_object(&doc->items[i], what, type, NULL, fields);
	}
	printf("mosaicctl-json: %s: an array of %zu %s objects\n", command, doc->len, type);
}

/* A command without data: nothing on stdout, exit status as wanted. */
static void run_quiet(const char *const args[], int want)
{
	struct run r;
	run(&r, args);
	CHECK(r.status == want && r.out[0] == '\0', "mosaicctl -j %s: exit %d (not %d), printed %s",
		args[0], r.status, want, r.out);
	CHECK(want == 0 || strncmp(r.err, "mosaicctl: ", 11) == 0,
		"mosaicctl -j %s: no message on stderr", args[0]);
	run_finish(&r);
}

static const char *string_of(const struct json *v, const char *key)
{
	const struct json *f = json_get(v, key);
	return f != NULL && f->type == JSON_STRING ? f->string : NULL;
}

static bool string_is(const struct json *v, const char *key, const char *want)
{
	const char *s = string_of(v, key);
	return s != NULL && strcmp(s, want) == 0;
}

static bool is_null(const struct json *v, const char *key)
{
	const struct json *f = json_get(v, key);
	return f != NULL && f->type == JSON_NULL;
}

static bool integer_is(const struct json *v, const char *key, long want)
{
	const struct json *f = json_get(v, key);
	return f != NULL && f->type == JSON_NUMBER && f->integer && f->number == (double)want;
}

/* The cluster, named as everywhere: guest "cluster", domid 1, and its connector 0.0. */
static void check_cluster(const struct json *v, const char *what, bool connector)
{
	const char *guest = string_of(v, "guest");
	CHECK(guest != NULL && strcmp(guest, "cluster") == 0 && integer_is(v, "domid", 1),
		"%s: the cluster is not guest \"cluster\", domid 1", what);
	CHECK(!connector || (integer_is(v, "dev", 0) && integer_is(v, "conn", 0)),
		"%s: the cluster's connector is not dev 0, conn 0", what);
}

/* The same keys, apart from an event's "event". */
static bool same_keys(const struct json *reply, const struct json *event)
{
	size_t n = 0;
	for (size_t i = 0; i < event->len; i++) {
		if (strcmp(event->keys[i], "event") != 0) {
			n++;
			if (json_get(reply, event->keys[i]) == NULL) {
				return false;
			}
		}
	}
	return n == reply->len;
}

/* ---- follow ---- */

static struct proc *follower;
static struct json last_event;

/*
 * Reads follow's lines, each checked as an event object, until one of
 * event (and whose "guest" or "name" is value, if not NULL); it is left in
 * last_event.
 */
static void follow_until(const char *event, const char *value, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		char line[4096];
		int left = (int)(deadline - now_ms());
		CHECK(left > 0 && proc_wait_line(follower, "", left, line, sizeof(line)),
			"follow: no %s event", event);
		json_free(&last_event);
		json_parse(line, "follow", &last_event);
		const char *name = string_of(&last_event, "event");
		CHECK(name != NULL, "follow: an object that is no event: %s", line);
		bool known = false;
		for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
			if (strcmp(events[i].event, name) == 0) {
				check_object(&last_event, line, "event", name, events[i].fields);
				known = true;
			}
		}
		CHECK(known, "follow: an event the schema does not have: %s", line);
		const char *key = string_of(&last_event, "guest") != NULL ? "guest" : "name";
		const char *v = string_of(&last_event, key);
		if (strcmp(name, event) == 0 &&
			(value == NULL || (v != NULL && strcmp(v, value) == 0))) {
			return;
		}
	}
}

static const char layout_text[] = "default-layout = '2024'\n"
				  "[[output]]\n"
				  "name = 'main'\n"
				  "match = { connector = 'HEADLESS-1' }\n"
				  "[[guest]]\n"
				  "name = 'cluster'\n"
				  "label = 'Cluster'\n"
				  "[[guest]]\n"
				  "name = 'nobody'\n"
				  "[[layout]]\n"
				  "name = '2024'\n"
				  "[[layout.surface]]\n"
				  "guest = 'cluster'\n"
				  "output = 'main'\n"
				  "rect = [0, 0, 320, 240]\n"
				  "[[layout.surface]]\n"
				  "guest = 'nobody'\n"
				  "output = 'main'\n"
				  "rect = [320, 0, 320, 240]\n"
				  "[[layout]]\n"
				  "name = 'parked'\n"
				  "[[layout.surface]]\n"
				  "guest = 'cluster'\n"
				  "output = 'main'\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

static void check_lists(void)
{
	struct json doc;
	run_list("outputs", "output", output_fields, &doc);
	CHECK(doc.len == 1 && string_is(&doc.items[0], "name", "HEADLESS-1") &&
			string_is(&doc.items[0], "config", "main"),
		"outputs: not HEADLESS-1, config main");
	json_free(&doc);

	run_list("frame-times", "frame-times", frame_times_fields, &doc);
	CHECK(doc.len == 1, "frame-times: %zu outputs", doc.len);
	json_free(&doc);

	run_list("guests", "guest", guest_fields, &doc);
	bool cluster = false, nobody = false;
	for (size_t i = 0; i < doc.len; i++) {
		const struct json *g = &doc.items[i];
		const char *guest = string_of(g, "guest");
		if (guest != NULL && strcmp(guest, "cluster") == 0) {
			check_cluster(g, "guests", true);
			const struct json *res = json_get(g, "resolution");
			CHECK(integer_is(res, "width", 320) && integer_is(res, "height", 240),
				"guests: the cluster is not 320x240");
			cluster = true;
		} else if (guest != NULL && strcmp(guest, "nobody") == 0) {
			/* Named by the layout file, never seen: what is not known is null. */
			CHECK(is_null(g, "domid") && is_null(g, "dev") && is_null(g, "conn") &&
					is_null(g, "unique-id"),
				"guests: nobody's unknowns are not null");
			nobody = true;
		}
	}
	CHECK(cluster && nobody, "guests: cluster %d, nobody %d", cluster, nobody);
	json_free(&doc);

	run_list("surfaces", "surface", surface_fields, &doc);
	cluster = false;
	for (size_t i = 0; i < doc.len; i++) {
		const struct json *s = &doc.items[i];
		const char *label = string_of(s, "label");
		if (label != NULL && strcmp(label, "Cluster") == 0) {
			check_cluster(s, "surfaces", true);
			CHECK(json_get(s, "visible")->boolean && !json_get(s, "stale")->boolean,
				"surfaces: the cluster is not visible, or stale");
			CHECK(string_is(s, "layout", "2024"),
				"surfaces: the layout named 2024 is not the string \"2024\"");
			cluster = true;
		}
	}
	CHECK(cluster, "surfaces: no view of the cluster");
	json_free(&doc);

	run_list("layouts", "layout", layout_fields, &doc);
	CHECK(doc.len == 2 && string_is(&doc.items[0], "name", "2024") &&
			json_get(&doc.items[0], "active")->boolean &&
			!json_get(&doc.items[1], "active")->boolean,
		"layouts: not \"2024\" (active) then parked");
	json_free(&doc);

	run_list("inputs", "input", input_fields, &doc);
	CHECK(doc.len == 1, "inputs: %zu devices", doc.len);
	check_cluster(&doc.items[0], "inputs", false);
	CHECK(json_get(&doc.items[0], "keyboard")->boolean, "inputs: the cluster has no keyboard");
	json_free(&doc);
}

static void check_focus(void)
{
	struct json doc;
	const char *focus[] = {"focus", "cluster", NULL};
	run_json(focus, &doc);
	check_object(&doc, "focus cluster", "focus", NULL, focus_fields);
	check_cluster(&doc, "focus", true);
	follow_until("focus", "cluster", 5000);
	check_cluster(&last_event, "the focus event", true);
	CHECK(same_keys(&doc, &last_event), "the focus reply and event have different keys");
	json_free(&doc);

	const char *none[] = {"focus", "none", NULL};
	run_json(none, &doc);
	check_object(&doc, "focus none", "focus", NULL, focus_fields);
	for (const struct field *f = focus_fields; f->key != NULL; f++) {
		CHECK(is_null(&doc, f->key), "focus none: \"%s\" is not null", f->key);
	}
	follow_until("focus", NULL, 5000);
	CHECK(is_null(&last_event, "guest") && same_keys(&doc, &last_event),
		"the focus none event is not the reply's shape");
	json_free(&doc);
	printf("mosaicctl-json: focus: reply and event agree\n");
}

static void check_waits(void)
{
	struct json doc;
	const char *flip[] = {"wait-flip", "cluster", "1", NULL};
	run_json(flip, &doc);
	check_object(&doc, "wait-flip", "flip", NULL, flip_fields);
	check_cluster(&doc, "wait-flip", true);
	json_free(&doc);

	const char *frame[] = {"wait-frame", NULL};
	run_json(frame, &doc);
	check_object(&doc, "wait-frame", "frame", NULL, frame_fields);
	json_free(&doc);

	const char *create[] = {"output", "create", "320x240", NULL};
	run_json(create, &doc);
	check_object(&doc, "output create", "output", NULL, output_name_fields);
	const char *unplug[] = {"output", "unplug", string_of(&doc, "name"), NULL};
	run_quiet(unplug, 0);
	json_free(&doc);
	printf("mosaicctl-json: wait-flip, wait-frame, output create: objects\n");
}

/* expect's result (and --verbose's captures): objects, JSON Lines when there are several. */
static void check_expect(void)
{
	char reference[400];
	snprintf(reference, sizeof(reference), "%s/corner.png", guests_scratch_dir());
	/* Where nothing is drawn: the same every frame. */
	const char *missing[] = {"expect", reference, "--rect", "600,400,16x16", "--timeout", "0",
		"--diff-dir", guests_scratch_dir(), NULL};
	struct run r;
	run(&r, missing);
	struct json doc;
	json_parse(r.out, "expect (missing)", &doc);
	CHECK(r.status == 1, "expect without a reference: exit %d", r.status);
	check_object(&doc, "expect (missing)", "expect", NULL, expect_fields);
	CHECK(string_is(&doc, "result", "missing"), "expect: not missing");
	json_free(&doc);
	run_finish(&r);

	run(&r, missing);
	json_parse(r.out, "expect (match)", &doc);
	CHECK(r.status == 0, "expect: exit %d", r.status);
	check_object(&doc, "expect (match)", "expect", NULL, expect_fields);
	CHECK(string_is(&doc, "result", "match"), "expect: no match");
	json_free(&doc);
	run_finish(&r);

	/* The cluster's corner is not the background: a capture line, then the result. */
	const char *differ[] = {"expect", reference, "--rect", "0,0,16x16", "--timeout", "0",
		"--diff-dir", guests_scratch_dir(), "--verbose", NULL};
	run(&r, differ);
	CHECK(r.status == 1, "expect (differ): exit %d", r.status);
	int objects = 0;
	for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n"), objects++) {
		json_parse(line, "expect --verbose", &doc);
		bool capture = string_is(&doc, "type", "capture");
		check_object(&doc, line, capture ? "capture" : "expect", NULL,
			capture ? capture_fields : expect_fields);
		CHECK(capture || string_is(&doc, "result", "differ"), "expect: not differ");
		json_free(&doc);
	}
	CHECK(objects == 2, "expect --verbose: %d objects, not a capture and a result", objects);
	run_finish(&r);
	printf("mosaicctl-json: expect: missing, match, differ\n");
}

static void check_quiet(const char *layout)
{
	/* Commands without data print nothing; errors go to stderr. */
	const char *ping[] = {"ping", NULL};
	run_quiet(ping, 0);
	const char *pointer[] = {"input", "pointer", "10", "10", NULL};
	run_quiet(pointer, 0);
	const char *shot[] = {"screenshot", "/dev/null", NULL};
	run_quiet(shot, 0);
	const char *nosuch[] = {"layout", "nosuch", NULL};
	run_quiet(nosuch, 1);

	const char *parked[] = {"layout", "parked", NULL};
	run_quiet(parked, 0);
	follow_until("layout-changed", "parked", 5000);
	struct json doc;
	run_list("layouts", "layout", layout_fields, &doc);
	CHECK(doc.len == 2 && json_get(&doc.items[1], "active")->boolean,
		"layouts: parked is not active");
	json_free(&doc);

	/* Back to "2024", which a reload keeps: its name a string in both events. */
	const char *back[] = {"layout", "2024", NULL};
	run_quiet(back, 0);
	follow_until("layout-changed", "2024", 5000);
	write_file(layout, "[[layout]\n");
	const char *reload[] = {"reload", NULL};
	run_quiet(reload, 1);
	follow_until("reload-failed", NULL, 5000);
	write_file(layout, layout_text);
	run_quiet(reload, 0);
	follow_until("reloaded", NULL, 5000);
	CHECK(string_is(&last_event, "layout", "2024"),
		"reloaded: the layout is not the string \"2024\"");
	printf("mosaicctl-json: commands without data print nothing\n");
}

int main(void)
{
	const char *layout = inputs_write_layout("json.toml", layout_text);
	const char *args[] = {"--layout", layout, "--size", "640x480", NULL};
	harness_start(&h, args);

	char *follow_argv[] = {
		(char *)harness_program("MOSAICCTL"), "-j", "-s", h.control, "follow", NULL};
	follower = proc_spawn("follow", follow_argv, NULL);
	/* Reloads until the follower, connecting meanwhile, sees one. */
	for (int i = 0;; i++) {
		const char *reload[] = {"reload", NULL};
		run_quiet(reload, 0);
		char line[4096];
		if (proc_wait_line(follower, "\"reloaded\"", 1000, line, sizeof(line))) {
			break;
		}
		CHECK(i < 10, "follow: no event");
	}

	inputs_create_guest(&h, 1, "cluster", "c0:320x240",
		"backend-type=linux,feature-abs-pointer=1,width=320,height=240");
	const char *guest_args[] = {"--fps", "30", "--vkb", "0", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	follow_until("guest-connected", "cluster", 15000);
	check_cluster(&last_event, "guest-connected", true);
	struct view_info v;
	guests_wait_view(&h, "Cluster", "HEADLESS-1", 0, "cluster", NULL, &v);
	inputs_wait_connected(&h, 1);

	check_lists();
	check_focus();
	check_waits();
	check_expect();
	check_quiet(layout);

	proc_stop(cluster, SIGKILL, 5000);
	follow_until("guest-gone", "cluster", 10000);
	check_cluster(&last_event, "guest-gone", true);
	json_free(&last_event);
	printf("mosaicctl-json: follow: an object per line, every event of the schema\n");

	proc_stop(follower, SIGTERM, 5000);
	harness_stop(&h);
	printf("mosaicctl-json: ok\n");
	return 0;
}
