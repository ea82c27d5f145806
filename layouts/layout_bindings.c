#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layouts/layout_build.h"

/*
 * [bindings]: "Modifier+...+Key" = "command". The key name is an xkbcommon
 * keysym name that the compositor resolves; here only its shape is checked.
 * The command is a control request, as mosaicctl would send it.
 */

#define COMMAND_MAX 256
#define COMMAND_MAX_WORDS 8

static const struct {
	const char *name;
	uint32_t mask;
} modifiers[] = {
	{"Shift", LAYOUT_MOD_SHIFT},
	{"Ctrl", LAYOUT_MOD_CTRL},
	{"Control", LAYOUT_MOD_CTRL},
	{"Alt", LAYOUT_MOD_ALT},
	{"Mod1", LAYOUT_MOD_ALT},
	{"Mod2", LAYOUT_MOD_MOD2},
	{"Mod3", LAYOUT_MOD_MOD3},
	{"Super", LAYOUT_MOD_SUPER},
	{"Logo", LAYOUT_MOD_SUPER},
	{"Mod4", LAYOUT_MOD_SUPER},
	{"Mod5", LAYOUT_MOD_MOD5},
};

static const char *const verbs[] = {
	[LAYOUT_COMMAND_LAYOUT] = "layout",
	[LAYOUT_COMMAND_FOCUS] = "focus",
	[LAYOUT_COMMAND_RELOAD] = "reload",
	[LAYOUT_COMMAND_SCREENSHOT] = "screenshot",
};

static bool find_modifier(const char *name, size_t len, uint32_t *mask)
{
	for (size_t k = 0; k < sizeof(modifiers) / sizeof(modifiers[0]); k++) {
		if (strlen(modifiers[k].name) == len &&
			strncasecmp(modifiers[k].name, name, len) == 0) {
			*mask = modifiers[k].mask;
			return true;
		}
	}
	return false;
}

/* The shape of an xkbcommon keysym name; whether it exists is for xkbcommon to say. */
static bool is_keysym_name(const char *name)
{
	for (const char *c = name; *c != '\0'; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			    (*c >= '0' && *c <= '9') || *c == '_')) {
			return false;
		}
	}
	return true;
}

static bool build_combination(
	const struct layout_scope *s, const struct toml_kv *kv, struct layout_binding *binding)
{
	const char *text = kv->key;
	struct toml_pos pos = kv->key_pos;
	if (text[0] == '\0') {
		return layout_build_fail(s, pos, "empty key combination");
	}
	if (strlen(text) > COMMAND_MAX) {
		return layout_build_fail(s, pos, "key combination is too long");
	}
	const char *part = text;
	for (;;) {
		const char *plus = strchr(part, '+');
		size_t len = plus ? (size_t)(plus - part) : strlen(part);
		if (len == 0) {
			return layout_build_fail(s, pos,
				"'%s': empty part in the key combination (the + key is 'plus')",
				text);
		}
		uint32_t mask;
		bool is_modifier = find_modifier(part, len, &mask);
		if (plus == NULL) {
			if (is_modifier) {
				return layout_build_fail(
					s, pos, "'%s': no key after the modifiers", text);
			}
			if (!is_keysym_name(part)) {
				return layout_build_fail(s, pos,
					"'%s': invalid key name '%s' (use a keysym "
					"name such as F1, Tab, a or XF86AudioPlay)",
					text, part);
			}
			binding->key = strdup(part);
			if (binding->key == NULL) {
				return layout_build_fail(s, pos, "out of memory");
			}
			return true;
		}
		if (!is_modifier) {
			return layout_build_fail(s, pos,
				"'%s': unknown modifier '%.*s' (modifiers: Super, Alt, Ctrl, "
				"Shift, Mod2, Mod3, Mod5)",
				text, (int)len, part);
		}
		if (binding->modifiers & mask) {
			return layout_build_fail(
				s, pos, "'%s': modifier '%.*s' given twice", text, (int)len, part);
		}
		binding->modifiers |= mask;
		part = plus + 1;
	}
}

/* Words as the control protocol splits them: spaces between, "quotes" with \" and \\. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0') {
			return n;
		}
		if (n == max) {
			return -2;
		}
		if (*p != '"') {
			words[n++] = p;
			while (*p != '\0' && *p != ' ' && *p != '\t') {
				p++;
			}
			if (*p != '\0') {
				*p++ = '\0';
			}
			continue;
		}
		char *out = ++p;
		words[n++] = out;
		for (;;) {
			if (*p == '\0') {
				return -1;
			}
			if (*p == '"') {
				p++;
				break;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				p++;
			}
			*out++ = *p++;
		}
		if (*p != '\0' && *p != ' ' && *p != '\t') {
			return -1;
		}
		*out = '\0';
	}
}

/* A binding's command being checked, and what messages name it by. */
struct command {
	const struct layout_scope *s;
	const char *combination;
	const struct toml_value *v;
	char line[COMMAND_MAX + 1];
	char *words[COMMAND_MAX_WORDS];
	int n;
};

static bool command_split(struct command *c)
{
	const struct toml_value *v = c->v;
	if (v->string.len > COMMAND_MAX) {
		return layout_build_fail(c->s, v->pos,
			"'%s': command is too long (at most %d bytes)", c->combination, COMMAND_MAX);
	}
	memcpy(c->line, v->string.ptr, v->string.len + 1);
	c->n = split_words(c->line, c->words, COMMAND_MAX_WORDS);
	if (c->n == -1) {
		return layout_build_fail(
			c->s, v->pos, "'%s': unbalanced quotes in the command", c->combination);
	}
	if (c->n == -2) {
		return layout_build_fail(
			c->s, v->pos, "'%s': too many words in the command", c->combination);
	}
	if (c->n == 0) {
		return layout_build_fail(c->s, v->pos, "'%s': empty command", c->combination);
	}
	return true;
}

static bool command_verb(const struct command *c, enum layout_command *out)
{
	size_t nverbs = sizeof(verbs) / sizeof(verbs[0]);
	for (size_t verb = 0; verb < nverbs; verb++) {
		if (strcmp(c->words[0], verbs[verb]) == 0) {
			*out = (enum layout_command)verb;
			return true;
		}
	}
	const char *hint = layout_build_suggest(c->words[0], verbs, nverbs);
	return layout_build_fail(c->s, c->v->pos,
		"'%s': unknown command '%.32s'%s%s%s; commands: layout, focus, reload, screenshot",
		c->combination, c->words[0], hint ? " (did you mean '" : "", hint ? hint : "",
		hint ? "'?)" : "");
}

/* "layout NAME": a layout of the file. */
static bool command_layout(const struct command *c, struct layout_binding *binding)
{
	const struct layout_config *config = c->s->b->config;
	if (c->n != 2) {
		return layout_build_fail(
			c->s, c->v->pos, "'%s': 'layout' takes one layout name", c->combination);
	}
	binding->layout = layout_config_find_layout(config, c->words[1]);
	if (binding->layout != NULL) {
		return true;
	}
	const char *names[LAYOUT_MAX_LAYOUTS];
	for (size_t k = 0; k < config->layouts_len; k++) {
		names[k] = config->layouts[k].name;
	}
	const char *hint = layout_build_suggest(c->words[1], names, config->layouts_len);
	return layout_build_fail(c->s, c->v->pos, "'%s': unknown layout '%.64s'%s%s%s",
		c->combination, c->words[1], hint ? " (did you mean '" : "", hint ? hint : "",
		hint ? "'?)" : "");
}

/* Whether a [[layout.app]] of some layout is known by this app_id or label. */
static bool names_app(const struct layout_config *config, const char *name)
{
	for (size_t i = 0; i < config->layouts_len; i++) {
		const struct layout_layout *l = &config->layouts[i];
		for (size_t k = 0; k < l->surfaces_len; k++) {
			const struct layout_surface *s = &l->surfaces[k];
			if (s->app_id != NULL &&
				(strcmp(s->app_id, name) == 0 || strcmp(s->label, name) == 0)) {
				return true;
			}
		}
	}
	return false;
}

/* "focus next|prev|none|POSITION|GUEST|APP". */
static bool command_focus(const struct command *c, struct layout_binding *binding)
{
	const char *arg = c->words[1];
	if (c->n != 2) {
		return layout_build_fail(c->s, c->v->pos,
			"'%s': 'focus' takes one argument: next, prev, none, a position, "
			"a guest's name or an app's app_id",
			c->combination);
	}
	if (strcmp(arg, "next") == 0 || strcmp(arg, "prev") == 0 || strcmp(arg, "none") == 0) {
		return true;
	}
	char *end;
	long position = strtol(arg, &end, 10);
	if (end != arg && *end == '\0') {
		if (position < 1 || position > LAYOUT_MAX_SURFACES) {
			return layout_build_fail(c->s, c->v->pos,
				"'%s': focus position %.16s out of range 1..%d", c->combination,
				arg, LAYOUT_MAX_SURFACES);
		}
		return true;
	}
	binding->guest = layout_config_find_guest(c->s->b->config, arg);
	if (binding->guest == NULL && !names_app(c->s->b->config, arg)) {
		return layout_build_fail(c->s, c->v->pos,
			"'%s': unknown guest or app '%.64s' (focus takes next, prev, none, a "
			"position, a guest's name or the app_id of a [[layout.app]])",
			c->combination, arg);
	}
	return true;
}

/* Checks a command's verb and arguments against the file, and keeps its text. */
static bool build_command(const struct layout_scope *s, const char *combination,
	const struct toml_value *v, struct layout_binding *binding)
{
	struct command c = {.s = s, .combination = combination, .v = v};
	if (!command_split(&c) || !command_verb(&c, &binding->verb)) {
		return false;
	}
	bool ok = true;
	switch (binding->verb) {
	case LAYOUT_COMMAND_LAYOUT:
		ok = command_layout(&c, binding);
		break;
	case LAYOUT_COMMAND_FOCUS:
		ok = command_focus(&c, binding);
		break;
	case LAYOUT_COMMAND_RELOAD:
		if (c.n != 1) {
			ok = layout_build_fail(
				s, v->pos, "'%s': 'reload' takes no arguments", combination);
		}
		break;
	case LAYOUT_COMMAND_SCREENSHOT:
		break;
	}
	if (!ok) {
		return false;
	}
	binding->command = strdup(v->string.ptr);
	if (binding->command == NULL) {
		return layout_build_fail(s, v->pos, "out of memory");
	}
	return true;
}

bool layout_build_bindings(struct layout_builder *b, const struct layout_scope *top)
{
	struct layout_config *config = b->config;
	const struct toml_value *t;
	if (!layout_build_get(top, "bindings", TOML_TABLE, false, &t, NULL)) {
		return false;
	}
	if (t == NULL || t->table.len == 0) {
		return true;
	}
	struct layout_scope s = {.b = b, .table = t, .what = "bindings"};
	if (t->table.len > LAYOUT_MAX_BINDINGS) {
		return layout_build_fail(&s, t->table.items[LAYOUT_MAX_BINDINGS].key_pos,
			"too many bindings (at most %d)", LAYOUT_MAX_BINDINGS);
	}
	config->bindings = calloc(t->table.len, sizeof(*config->bindings));
	if (config->bindings == NULL) {
		return layout_build_fail(&s, t->pos, "out of memory");
	}
	for (size_t k = 0; k < t->table.len; k++) {
		const struct toml_kv *kv = &t->table.items[k];
		struct layout_binding *binding = &config->bindings[k];
		config->bindings_len++;
		binding->pos = layout_build_pos(b, kv->key_pos);
		binding->at.command = layout_build_pos(b, kv->value->pos);
		/* Keys are arbitrary strings; keep messages about them short and printable. */
		char shown[64];
		snprintf(shown, sizeof(shown), "%s", kv->key);
		for (char *c = shown; *c != '\0'; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				*c = '?';
			}
		}
		if (!build_combination(&s, kv, binding)) {
			return false;
		}
		for (size_t j = 0; j < k; j++) {
			const struct layout_binding *other = &config->bindings[j];
			if (other->modifiers == binding->modifiers &&
				strcmp(other->key, binding->key) == 0) {
				return layout_build_fail(&s, kv->key_pos,
					"'%s' is the same key combination as '%s' at %d:%d", shown,
					other->combination, other->pos.line, other->pos.column);
			}
		}
		binding->combination = strdup(kv->key);
		if (binding->combination == NULL) {
			return layout_build_fail(&s, kv->key_pos, "out of memory");
		}
		if (kv->value->type != TOML_STRING) {
			return layout_build_fail(&s, kv->value->pos,
				"'%s' must be a command (a string), not %s", shown,
				toml_type_name(kv->value->type));
		}
		if (!build_command(&s, shown, kv->value, binding)) {
			return false;
		}
	}
	return true;
}
