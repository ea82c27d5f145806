#include <stdio.h>
#include <string.h>

#include "mosaicctl/json.h"
#include "mosaicctl/schema.h"
#include "protocol/control.h"

enum schema_type {
	STRING,
	INTEGER,
	NUMBER,
	BOOLEAN,  // yes|no, 1|0
	SIZE,     // WxH: {"width":W,"height":H}
	RECT,     // X,Y,W,H: {"x":X,"y":Y,"width":W,"height":H}, numbers
	INTEGERS, // A,B,...: [A,B,...]
};

static const char *const type_names[] = {
	[STRING] = "a string",
	[INTEGER] = "an integer",
	[NUMBER] = "a number",
	[BOOLEAN] = "yes or no",
	[SIZE] = "a size WxH",
	[RECT] = "a rectangle X,Y,W,H",
	[INTEGERS] = "a list of integers",
};

struct schema_key {
	const char *key;
	enum schema_type type;
};

struct schema_line {
	const char *type;              // the line's first word
	const char *event;             // an event line's name
	bool none;                     // "TYPE none" says there is nothing: every key null
	const struct schema_key *keys; // NULL-ended
};

struct schema_command {
	const char *command;
	enum schema_shape shape;
	const struct schema_line *lines; // NULL-ended
};

/* A guest is named the same way on every line; then its connector, where the line has one. */
// clang-format off
#define GUEST {"guest", STRING}, {"domid", INTEGER}
#define CONNECTOR {"dev", INTEGER}, {"conn", INTEGER}
// clang-format on
#define KEYS(...) ((const struct schema_key[]){__VA_ARGS__, {NULL, STRING}})
#define LINES(...) ((const struct schema_line[]){__VA_ARGS__, {NULL, NULL, false, NULL}})

/* Keys that more than one line has: the focus reply and event agree, and so do frames. */
static const struct schema_key focus_keys[] = {
	GUEST, CONNECTOR, {"label", STRING}, {"input", STRING}, {"app", STRING}, {NULL, STRING}};
static const struct schema_key app_event_keys[] = {{"id", INTEGER}, {"app-id", STRING},
	{"title", STRING}, {"pid", INTEGER}, {NULL, STRING}};
static const struct schema_key connector_event_keys[] = {GUEST, CONNECTOR, {"label", STRING},
	{"unique-id", STRING}, {"resolution", SIZE}, {NULL, STRING}};
static const struct schema_key frame_keys[] = {
	{"output", STRING}, {"seq", INTEGER}, {NULL, STRING}};

static const struct schema_command commands[] = {
	{"outputs", SCHEMA_ARRAY,
		LINES({"output", NULL, false,
			KEYS({"name", STRING}, {"x", INTEGER}, {"y", INTEGER}, {"width", INTEGER},
				{"height", INTEGER}, {"config", STRING}, {"scale", NUMBER},
				{"transform", STRING}, {"refresh", NUMBER}, {"made", STRING},
				{"direct", STRING}, {"direct-frames", INTEGER},
				{"composed-frames", INTEGER}, {"wlroots-frames", INTEGER},
				{"composed-pixels", INTEGER})})},
	{"frame-times", SCHEMA_ARRAY,
		LINES({"frame-times", NULL, false,
			KEYS({"output", STRING}, {"frames", INTEGER}, {"skipped", INTEGER},
				{"late", INTEGER}, {"interval_p50_ms", NUMBER},
				{"interval_p99_ms", NUMBER}, {"interval_max_ms", NUMBER},
				{"compose_p50_ms", NUMBER}, {"compose_p99_ms", NUMBER},
				{"compose_max_ms", NUMBER})})},
	{"guests", SCHEMA_ARRAY,
		LINES({"guest", NULL, false,
			KEYS(GUEST, CONNECTOR, {"name", STRING}, {"unique-id", STRING},
				{"state", STRING}, {"resolution", SIZE}, {"views", INTEGER},
				{"flips", INTEGER}, {"copied", INTEGER})})},
	{"surfaces", SCHEMA_ARRAY,
		LINES({"surface", NULL, false,
			KEYS(GUEST, CONNECTOR, {"label", STRING}, {"state", STRING},
				{"output", STRING}, {"x", INTEGER}, {"y", INTEGER},
				{"width", INTEGER}, {"height", INTEGER}, {"resolution", SIZE},
				{"layout", STRING}, {"z", INTEGER}, {"transform", STRING},
				{"fit", STRING}, {"src", RECT}, {"visible", BOOLEAN},
				{"stale", BOOLEAN}, {"app", STRING})})},
	{"apps", SCHEMA_ARRAY,
		LINES({"app", NULL, false,
			KEYS({"id", INTEGER}, {"app-id", STRING}, {"title", STRING}, {"pid", INTEGER},
				{"mapped", BOOLEAN})})},
	{"layouts", SCHEMA_ARRAY,
		LINES({"layout", NULL, false,
			KEYS({"name", STRING}, {"surfaces", INTEGER}, {"active", BOOLEAN})})},
	{"inputs", SCHEMA_ARRAY,
		LINES({"input", NULL, false,
			KEYS(GUEST, {"kind", STRING}, {"dev", INTEGER}, {"state", STRING},
				{"keyboard", BOOLEAN}, {"pointer", STRING}, {"range", SIZE},
				{"touch", BOOLEAN}, {"contacts", INTEGER}, {"touch-size", SIZE},
				{"unique-id", STRING})})},
	{"output", SCHEMA_OBJECT, LINES({"output", NULL, false, KEYS({"name", STRING})})},
	{"focus", SCHEMA_OBJECT, LINES({"focus", NULL, true, focus_keys})},
	{"wait-flip", SCHEMA_OBJECT,
		LINES({"flip", NULL, false,
			KEYS(GUEST, CONNECTOR, {"label", STRING}, {"flips", INTEGER})})},
	{"wait-frame", SCHEMA_OBJECT, LINES({"frame", NULL, false, frame_keys})},
	{"expect", SCHEMA_OBJECT,
		LINES({"expect", NULL, false,
			      KEYS({"result", STRING}, {"reference", STRING}, {"compared", INTEGER},
				      {"differing", INTEGER}, {"output", STRING}, {"seq", INTEGER},
				      {"captures", INTEGER}, {"x", INTEGER}, {"y", INTEGER},
				      {"width", INTEGER}, {"height", INTEGER},
				      {"max-delta", INTEGERS}, {"reference-width", INTEGER},
				      {"reference-height", INTEGER}, {"capture", STRING},
				      {"diff", STRING})},
			{"capture", NULL, false,
				KEYS({"n", INTEGER}, {"output", STRING}, {"seq", INTEGER},
					{"width", INTEGER}, {"height", INTEGER},
					{"differing", INTEGER})})},
	{"follow", SCHEMA_LINES,
		LINES({"event", "guest-connected", false, connector_event_keys},
			{"event", "guest-gone", false, connector_event_keys},
			{"event", "guest-forgotten", false, connector_event_keys},
			{"event", "layout-changed", false, KEYS({"name", STRING})},
			{"event", "reloaded", false, KEYS({"file", STRING}, {"layout", STRING})},
			{"event", "reload-failed", false, KEYS({"error", STRING})},
			{"event", "frame", false, frame_keys},
			{"event", "app-mapped", false, app_event_keys},
			{"event", "app-unmapped", false, app_event_keys},
			{"event", "focus", true, focus_keys})},
};

static const struct schema_command *find_command(const char *command)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].command, command) == 0) {
			return &commands[i];
		}
	}
	return NULL;
}

enum schema_shape schema_shape(const char *command)
{
	const struct schema_command *c = find_command(command);
	return c != NULL ? c->shape : SCHEMA_OBJECT;
}

static const struct schema_line *find_line(const char *command, const char *type, const char *event)
{
	const struct schema_command *c = find_command(command);
	for (const struct schema_line *l = c != NULL ? c->lines : NULL;
		l != NULL && l->type != NULL; l++) {
		if (strcmp(l->type, type) == 0 &&
			(l->event == NULL || (event != NULL && strcmp(l->event, event) == 0))) {
			return l;
		}
	}
	return NULL;
}

static const struct schema_key *find_key(const struct schema_line *line, const char *key)
{
	for (const struct schema_key *k = line != NULL ? line->keys : NULL;
		k != NULL && k->key != NULL; k++) {
		if (strcmp(k->key, key) == 0) {
			return k;
		}
	}
	return NULL;
}

/* The parts of value between separators (each checked by is_part) as JSON, keyed or listed. */
static bool put_parts(struct json_out *o, const char *value, const char *separators,
	const char *const names[], int count, bool (*is_part)(const char *))
{
	char copy[CONTROL_MAX_LINE];
	snprintf(copy, sizeof(copy), "%s", value);
	json_raw(o, names != NULL ? "{" : "[");
	char *p = copy;
	int n = 0;
	for (;;) {
		size_t len = strcspn(p, separators);
		bool last = p[len] == '\0';
		p[len] = '\0';
		if (!is_part(p) || (count > 0 && n == count) ||
			(last && count > 0 && n != count - 1)) {
			return false;
		}
		if (names != NULL) {
			json_key(o, names[n], n == 0);
		} else if (n > 0) {
			json_raw(o, ",");
		}
		json_raw(o, p);
		n++;
		if (last) {
			break;
		}
		p += len + 1;
	}
	json_raw(o, names != NULL ? "}" : "]");
	return true;
}

/* A value as its key's type says; false if it is not one. */
static bool put_value(struct json_out *o, enum schema_type type, const char *value)
{
	static const char *const size_names[] = {"width", "height"};
	static const char *const rect_names[] = {"x", "y", "width", "height"};
	if (value == NULL || strcmp(value, "-") == 0) {
		json_raw(o, "null");
		return true;
	}
	switch (type) {
	case STRING:
		json_string(o, value);
		return true;
	case INTEGER:
	case NUMBER:
		if (!(type == INTEGER ? json_is_integer(value) : json_is_number(value))) {
			return false;
		}
		json_raw(o, value);
		return true;
	case BOOLEAN:
		if (strcmp(value, "yes") == 0 || strcmp(value, "1") == 0) {
			json_raw(o, "true");
		} else if (strcmp(value, "no") == 0 || strcmp(value, "0") == 0) {
			json_raw(o, "false");
		} else {
			return false;
		}
		return true;
	case SIZE:
		return put_parts(o, value, "x", size_names, 2, json_is_integer);
	case RECT:
		return put_parts(o, value, ",", rect_names, 4, json_is_number);
	case INTEGERS:
		return put_parts(o, value, ",", NULL, 0, json_is_integer);
	}
	return false;
}

bool schema_line_to_json(
	const char *command, const char *line, char *out, size_t size, char *why, size_t why_size)
{
	char copy[CONTROL_MAX_LINE];
	struct control_field fields[CONTROL_MAX_FIELDS];
	int n = -1;
	if (snprintf(copy, sizeof(copy), "%s", line) < (int)sizeof(copy)) {
		n = control_parse_fields(copy, fields, CONTROL_MAX_FIELDS);
	}
	if (n < 1 || fields[0].key != NULL) {
		snprintf(why, why_size, "not a data line");
		return false;
	}
	const char *type = fields[0].value, *event = NULL;
	int first = 1;
	if (strcmp(type, "event") == 0 && n > 1 && fields[1].key == NULL) {
		event = fields[1].value;
		first = 2;
	}
	const struct schema_line *schema = find_line(command, type, event);
	struct json_out o;
	json_init(&o, out, size);
	json_raw(&o, "{");
	json_key(&o, "type", true);
	json_string(&o, type);
	if (event != NULL) {
		json_key(&o, "event", false);
		json_string(&o, event);
	}
	for (const struct schema_key *k = schema != NULL ? schema->keys : NULL;
		k != NULL && k->key != NULL; k++) {
		const char *value = NULL;
		for (int i = first; i < n && value == NULL; i++) {
			if (fields[i].key != NULL && strcmp(fields[i].key, k->key) == 0) {
				value = fields[i].value;
			}
		}
		json_key(&o, k->key, false);
		if (!put_value(&o, k->type, value)) {
			snprintf(why, why_size, "%s=%s is not %s", k->key, value,
				type_names[k->type]);
			return false;
		}
	}
	/* What the schema does not know yet (a newer mosaic's): strings. */
	for (int i = first; i < n; i++) {
		char arg[16];
		const char *key = fields[i].key;
		if (key == NULL) {
			if (schema != NULL && schema->none &&
				strcmp(fields[i].value, "none") == 0) {
				continue;
			}
			snprintf(arg, sizeof(arg), "arg%d", i);
			key = arg;
		} else if (find_key(schema, key) != NULL) {
			continue;
		}
		json_key(&o, key, false);
		json_string(&o, fields[i].value);
	}
	json_raw(&o, "}");
	if (o.full) {
		snprintf(why, why_size, "too long");
		return false;
	}
	return true;
}
