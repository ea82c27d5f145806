#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/layout_build.h"

/*
 * Text to a layout_config: the top level, [[output]], [[guest]],
 * default-layout, allow-screencopy and [focus].
 */

static const char *const top_keys[] = {
	"default-layout",
	"allow-screencopy",
	"output",
	"guest",
	"layout",
	"bindings",
	"focus",
	"input",
	"touch",
	NULL,
};

static const char *const output_keys[] = {
	"name",
	"match",
	"mode",
	"position",
	"scale",
	"transform",
	"background",
	"background-image",
	NULL,
};

static const char *const match_keys[] = {"connector", "make", "model", "serial", NULL};

static const char *const guest_keys[] = {"name", "domid", "label", "colour", NULL};

static const char *const focus_keys[] = {"follows-click", "default-bindings", NULL};

#define MATCH_MAX 256

bool layout_build_colour(const struct layout_scope *s, const char *key, struct layout_colour *out,
	struct layout_pos *at)
{
	const struct toml_value *v;
	if (!layout_build_get(s, key, TOML_STRING, false, &v, at)) {
		return false;
	}
	if (v != NULL && !layout_colour_parse(v->string.ptr, out)) {
		return layout_build_fail(s, v->pos,
			"invalid colour '%.32s' for '%s' (expected #RRGGBB or #RRGGBBAA)",
			v->string.ptr, key);
	}
	return true;
}

static bool build_match(const struct layout_scope *os, struct layout_output *o)
{
	const struct toml_value *t;
	if (!layout_build_get(os, "match", TOML_TABLE, true, &t, &o->at.match)) {
		return false;
	}
	struct layout_scope s = {.b = os->b, .table = t};
	snprintf(s.what, sizeof(s.what), "%.160s, match", os->what);
	if (!layout_build_check_keys(&s, match_keys) ||
		!layout_build_string(
			&s, "connector", false, MATCH_MAX, &o->match.connector, NULL) ||
		!layout_build_string(&s, "make", false, MATCH_MAX, &o->match.make, NULL) ||
		!layout_build_string(&s, "model", false, MATCH_MAX, &o->match.model, NULL) ||
		!layout_build_string(&s, "serial", false, MATCH_MAX, &o->match.serial, NULL)) {
		return false;
	}
	if (!o->match.connector && !o->match.make && !o->match.model && !o->match.serial) {
		return layout_build_fail(
			os, t->pos, "match needs at least one of connector, make, model, serial");
	}
	return true;
}

static bool build_background_image(const struct layout_scope *s, struct layout_output *o)
{
	char *path = NULL;
	if (!layout_build_string(
		    s, "background-image", false, 4096, &path, &o->at.background_image)) {
		return false;
	}
	if (path == NULL || path[0] == '/') {
		o->background_image = path;
		return true;
	}
	/* Relative to the layout file, not to wherever mosaic was started. */
	const char *dir = s->b->config->dir;
	size_t len = strlen(dir) + 1 + strlen(path) + 1;
	o->background_image = malloc(len);
	if (o->background_image == NULL) {
		free(path);
		return layout_build_fail(s, s->table->pos, "out of memory");
	}
	if (strcmp(dir, ".") == 0) {
		snprintf(o->background_image, len, "%s", path);
	} else if (strcmp(dir, "/") == 0) {
		snprintf(o->background_image, len, "/%s", path);
	} else {
		snprintf(o->background_image, len, "%s/%s", dir, path);
	}
	free(path);
	return true;
}

static bool build_mode(const struct layout_scope *s, struct layout_output *o)
{
	const struct toml_value *v;
	if (!layout_build_get(s, "mode", TOML_STRING, false, &v, &o->at.mode)) {
		return false;
	}
	if (v == NULL) {
		return true;
	}
	if (!layout_mode_parse(v->string.ptr, &o->mode)) {
		return layout_build_fail(s, v->pos,
			"invalid mode '%.32s' (expected WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, "
			"sizes 1 to %d, e.g. 1920x1080@60)",
			v->string.ptr, LAYOUT_MAX_SIZE);
	}
	o->has_mode = true;
	o->mode_text = strdup(v->string.ptr);
	if (o->mode_text == NULL) {
		return layout_build_fail(s, v->pos, "out of memory");
	}
	return true;
}

static bool build_position(const struct layout_scope *s, struct layout_output *o)
{
	int64_t xy[2];
	if (!layout_build_integers(s, "position", 2, xy, &o->has_position, &o->at.position)) {
		return false;
	}
	if (!o->has_position) {
		return true;
	}
	for (int k = 0; k < 2; k++) {
		if (xy[k] < -LAYOUT_MAX_COORD || xy[k] > LAYOUT_MAX_COORD) {
			return layout_build_fail(s,
				toml_table_get(s->table, "position")->array.items[k]->pos,
				"position %c must be -%d to %d, not %lld", "xy"[k], LAYOUT_MAX_COORD,
				LAYOUT_MAX_COORD, (long long)xy[k]);
		}
	}
	o->x = (int32_t)xy[0];
	o->y = (int32_t)xy[1];
	return true;
}

static bool build_scale(const struct layout_scope *s, struct layout_output *o)
{
	const struct toml_value *v;
	if (!layout_build_get(s, "scale", TOML_FLOAT, false, &v, &o->at.scale)) {
		return false;
	}
	if (v == NULL) {
		return true;
	}
	double scale = v->type == TOML_INTEGER ? (double)v->integer : v->floating;
	if (!(scale > 0.0 && scale <= LAYOUT_MAX_SCALE)) {
		return layout_build_fail(s, v->pos,
			"scale must be greater than 0 and at most %g, not %g", LAYOUT_MAX_SCALE,
			scale);
	}
	o->scale = scale;
	return true;
}

static bool build_output(struct layout_builder *b, const struct toml_value *t, size_t index)
{
	struct layout_config *config = b->config;
	struct layout_output *o = &config->outputs[index];
	struct layout_scope s = {.b = b, .table = t};
	layout_build_name_scope(&s, "output", NULL, (int)index + 1);

	o->pos = layout_build_pos(b, t->pos);
	o->scale = 1.0;
	o->transform = LAYOUT_TRANSFORM_NORMAL;
	o->background = (struct layout_colour){0, 0, 0, 0xff};

	if (!layout_build_string(&s, "name", true, LAYOUT_MAX_NAME, &o->name, &o->at.name)) {
		return false;
	}
	layout_build_name_scope(&s, "output", o->name, 0);
	/* The outputs before this one are counted already: the first of a name is the one. */
	const struct layout_output *first = layout_config_find_output(config, o->name);
	if (first != o) {
		return layout_build_fail(&s, toml_table_get(t, "name")->pos,
			"name already used by the output at %d:%d", first->pos.line,
			first->pos.column);
	}
	return layout_build_check_keys(&s, output_keys) && build_match(&s, o) &&
	       build_mode(&s, o) && build_position(&s, o) && build_scale(&s, o) &&
	       layout_build_transform(&s, &o->transform, &o->at.transform) &&
	       layout_build_colour(&s, "background", &o->background, &o->at.background) &&
	       build_background_image(&s, o);
}

static bool build_guest(struct layout_builder *b, const struct toml_value *t, size_t index)
{
	struct layout_config *config = b->config;
	struct layout_guest *g = &config->guests[index];
	struct layout_scope s = {.b = b, .table = t};
	layout_build_name_scope(&s, "guest", NULL, (int)index + 1);

	g->pos = layout_build_pos(b, t->pos);
	g->domid = -1;

	int64_t domid = -1;
	if (!layout_build_string(&s, "name", false, LAYOUT_MAX_NAME, &g->name, &g->at.name)) {
		return false;
	}
	if (g->name != NULL) {
		layout_build_name_scope(&s, "guest", g->name, 0);
	}
	if (!layout_build_integer(&s, "domid", 0, LAYOUT_MAX_DOMID, &domid, &g->at.domid)) {
		return false;
	}
	g->domid = (int32_t)domid;
	if (g->name == NULL && g->domid < 0) {
		return layout_build_fail(&s, t->pos, "needs a name or a domid");
	}
	if (g->name == NULL) {
		snprintf(s.what, sizeof(s.what), "guest with domid %d", (int)g->domid);
	}
	for (size_t k = 0; k < index; k++) {
		const struct layout_guest *other = &config->guests[k];
		if (g->name && other->name && strcmp(g->name, other->name) == 0) {
			return layout_build_fail(&s, toml_table_get(t, "name")->pos,
				"name already used by the guest at %d:%d", other->pos.line,
				other->pos.column);
		}
		if (g->domid >= 0 && g->domid == other->domid) {
			return layout_build_fail(&s, toml_table_get(t, "domid")->pos,
				"domid %d already used by the guest at %d:%d", (int)g->domid,
				other->pos.line, other->pos.column);
		}
	}
	if (!layout_build_check_keys(&s, guest_keys) ||
		!layout_build_string(
			&s, "label", false, LAYOUT_MAX_LABEL, &g->label, &g->at.label)) {
		return false;
	}
	if (g->label == NULL) {
		char domain[32];
		snprintf(domain, sizeof(domain), "domain %d", (int)g->domid);
		g->label = strdup(g->name ? g->name : domain);
		if (g->label == NULL) {
			return layout_build_fail(&s, t->pos, "out of memory");
		}
	}
	g->colour = layout_colour_from_name(g->name ? g->name : g->label);
	return layout_build_colour(&s, "colour", &g->colour, &g->at.colour);
}

static bool build_default_layout(struct layout_builder *b, const struct layout_scope *top)
{
	struct layout_config *config = b->config;
	const struct toml_value *v;
	if (!layout_build_get(
		    top, "default-layout", TOML_STRING, false, &v, &config->at.default_layout)) {
		return false;
	}
	if (config->layouts_len == 0) {
		return layout_build_fail(top, v ? v->pos : top->table->pos,
			"no [[layout]]: a layout file needs at least one");
	}
	if (v == NULL) {
		config->default_layout = &config->layouts[0];
		config->at.default_layout = config->layouts[0].pos;
		return true;
	}
	config->default_layout = layout_config_find_layout(config, v->string.ptr);
	if (config->default_layout != NULL) {
		return true;
	}
	const char *names[LAYOUT_MAX_LAYOUTS];
	for (size_t k = 0; k < config->layouts_len; k++) {
		names[k] = config->layouts[k].name;
	}
	const char *hint = layout_build_suggest(v->string.ptr, names, config->layouts_len);
	return layout_build_fail(top, v->pos, "default-layout: unknown layout '%.64s'%s%s%s",
		v->string.ptr, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
}

static bool build_focus(struct layout_builder *b, const struct layout_scope *top)
{
	const struct toml_value *t;
	if (!layout_build_get(top, "focus", TOML_TABLE, false, &t, NULL)) {
		return false;
	}
	b->config->at.follows_click = layout_build_pos(b, t ? t->pos : top->table->pos);
	b->config->at.default_bindings = b->config->at.follows_click;
	b->config->default_bindings = true;
	if (t == NULL) {
		return true;
	}
	struct layout_scope s = {.b = b, .table = t, .what = "focus"};
	return layout_build_check_keys(&s, focus_keys) &&
	       layout_build_bool(&s, "follows-click", &b->config->focus_follows_click,
		       &b->config->at.follows_click) &&
	       layout_build_bool(&s, "default-bindings", &b->config->default_bindings,
		       &b->config->at.default_bindings);
}

static bool build_config(struct layout_builder *b, const struct toml_value *root)
{
	struct layout_config *config = b->config;
	struct layout_scope top = {.b = b, .table = root};
	if (!layout_build_check_keys(&top, top_keys)) {
		return false;
	}

	const struct toml_value *outputs, *guests;
	if (!layout_build_table_array(
		    &top, "output", "output", "outputs", LAYOUT_MAX_OUTPUTS, &outputs) ||
		!layout_build_table_array(
			&top, "guest", "guest", "guests", LAYOUT_MAX_GUESTS, &guests)) {
		return false;
	}
	if (outputs != NULL && outputs->array.len > 0) {
		config->outputs = layout_build_alloc(&top, outputs, sizeof(*config->outputs));
		if (config->outputs == NULL ||
			!layout_build_each(b, outputs, &config->outputs_len, build_output)) {
			return false;
		}
	}
	if (guests != NULL && guests->array.len > 0) {
		config->guests = layout_build_alloc(&top, guests, sizeof(*config->guests));
		if (config->guests == NULL ||
			!layout_build_each(b, guests, &config->guests_len, build_guest)) {
			return false;
		}
	}
	return layout_build_layouts(b, &top) && build_default_layout(b, &top) &&
	       layout_build_bool(&top, "allow-screencopy", &config->allow_screencopy,
		       &config->at.allow_screencopy) &&
	       layout_build_bindings(b, &top) && build_focus(b, &top) &&
	       layout_build_inputs(b, &top);
}

static char *dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	if (slash == NULL) {
		return strdup(".");
	}
	if (slash == file) {
		return strdup("/");
	}
	return strndup(file, (size_t)(slash - file));
}

struct layout_config *layout_config_parse(
	const char *buf, size_t len, const char *filename, struct layout_error *err)
{
	struct layout_pos nowhere = {filename ? filename : "<input>", 0, 0};
	struct toml_value *root = NULL;
	struct layout_config *config = calloc(1, sizeof(*config));
	if (config == NULL) {
		goto error_oom;
	}
	config->file = strdup(filename ? filename : "<input>");
	config->dir = dir_of(config->file ? config->file : "");
	if (config->file == NULL || config->dir == NULL) {
		goto error_oom;
	}

	struct toml_error toml_err;
	root = toml_parse(buf, len, &toml_err);
	if (root == NULL) {
		struct layout_pos pos = {config->file, toml_err.pos.line, toml_err.pos.column};
		layout_error_at(err, &pos, "%s", toml_err.message);
		goto error;
	}
	struct layout_builder b = {
		.config = config,
		.err = err,
	};
	if (!build_config(&b, root)) {
		goto error;
	}
	toml_value_destroy(root);
	return config;

error_oom:
	layout_error_at(err, &nowhere, "out of memory");
error:
	toml_value_destroy(root);
	layout_config_destroy(config);
	return NULL;
}
