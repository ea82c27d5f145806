#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/layout_build.h"

/* [[layout]] and its [[layout.surface]]s. */

static const char *const layout_keys[] = {"name", "surface", "app", NULL};

/* Where and how a guest's connector or an app's window is shown (build_view). */
#define VIEW_KEYS                                                                                  \
	"output", "rect", "fit", "crop", "transform", "z", "opacity", "visible", "placeholder"

static const char *const surface_keys[] = {
	"guest", "device", "connector", "unique-id", VIEW_KEYS, "stale-after", NULL};

/* An app's window: its identity, then the same view properties as a guest's connector. */
static const char *const app_keys[] = {"app-id", "title", "label", "colour", VIEW_KEYS, NULL};

static bool fail_unknown(const struct layout_scope *s, struct toml_pos pos, const char *kind,
	const char *name, const char *const *names, size_t n)
{
	const char *hint = layout_build_suggest(name, names, n);
	if (hint != NULL) {
		return layout_build_fail(
			s, pos, "unknown %s '%.64s' (did you mean '%s'?)", kind, name, hint);
	}
	return layout_build_fail(s, pos, "unknown %s '%.64s'", kind, name);
}

bool layout_build_guest_ref(
	const struct layout_scope *s, const struct layout_guest **out, struct layout_pos *at)
{
	const struct layout_config *config = s->b->config;
	const struct toml_value *v = toml_table_get(s->table, "guest");
	if (v == NULL) {
		return layout_build_fail(s, s->table->pos, "missing 'guest'");
	}
	*at = layout_build_pos(s->b, v->pos);
	if (v->type == TOML_INTEGER) {
		for (size_t k = 0; k < config->guests_len; k++) {
			if (config->guests[k].domid == v->integer) {
				*out = &config->guests[k];
				return true;
			}
		}
		return layout_build_fail(
			s, v->pos, "no [[guest]] has domid %lld", (long long)v->integer);
	}
	if (v->type != TOML_STRING) {
		return layout_build_fail(s, v->pos,
			"'guest' must be a guest's name (a string) or domid (an integer), not %s",
			toml_type_name(v->type));
	}
	const char *names[LAYOUT_MAX_GUESTS];
	size_t n = 0;
	for (size_t k = 0; k < config->guests_len; k++) {
		const struct layout_guest *g = &config->guests[k];
		if (g->name != NULL && strcmp(g->name, v->string.ptr) == 0) {
			*out = g;
			return true;
		}
		if (g->name != NULL) {
			names[n++] = g->name;
		}
	}
	return fail_unknown(s, v->pos, "guest", v->string.ptr, names, n);
}

bool layout_build_output_ref(
	const struct layout_scope *s, const struct layout_output **out, struct layout_pos *at)
{
	const struct layout_config *config = s->b->config;
	const struct toml_value *v;
	if (!layout_build_get(s, "output", TOML_STRING, true, &v, at)) {
		return false;
	}
	const char *names[LAYOUT_MAX_OUTPUTS];
	for (size_t k = 0; k < config->outputs_len; k++) {
		if (strcmp(config->outputs[k].name, v->string.ptr) == 0) {
			*out = &config->outputs[k];
			return true;
		}
		names[k] = config->outputs[k].name;
	}
	return fail_unknown(s, v->pos, "output", v->string.ptr, names, config->outputs_len);
}

static bool build_connector(const struct layout_scope *s, struct layout_surface *surface)
{
	int64_t connector = 0;
	if (!layout_build_integer(s, "connector", 0, LAYOUT_MAX_CONNECTORS - 1, &connector,
		    &surface->at.connector)) {
		return false;
	}
	surface->connector = (int32_t)connector;
	struct layout_pos unique_at;
	if (!layout_build_string(
		    s, "unique-id", false, LAYOUT_MAX_NAME, &surface->unique_id, &unique_at)) {
		return false;
	}
	if (surface->unique_id == NULL) {
		return true;
	}
	if (toml_table_get(s->table, "connector") != NULL) {
		return layout_build_fail(s, toml_table_get(s->table, "unique-id")->pos,
			"give 'connector' or 'unique-id', not both");
	}
	surface->connector = -1;
	surface->at.connector = unique_at;
	return true;
}

/* rect and crop: [x, y, width, height]. */
static bool build_rect(const struct layout_scope *s, const char *key, int64_t min_xy,
	int64_t max_xy, struct layout_rect *out, bool *present, struct layout_pos *at)
{
	int64_t r[4];
	if (!layout_build_integers(s, key, 4, r, present, at)) {
		return false;
	}
	if (!*present) {
		return true;
	}
	const struct toml_value *v = toml_table_get(s->table, key);
	for (int k = 0; k < 2; k++) {
		if (r[k] < min_xy || r[k] > max_xy) {
			return layout_build_fail(s, v->array.items[k]->pos,
				"%s %c must be %lld to %lld, not %lld", key, "xy"[k],
				(long long)min_xy, (long long)max_xy, (long long)r[k]);
		}
	}
	for (int k = 2; k < 4; k++) {
		if (r[k] < 1 || r[k] > LAYOUT_MAX_SIZE) {
			return layout_build_fail(s, v->array.items[k]->pos,
				"%s %s must be 1 to %d, not %lld", key, k == 2 ? "width" : "height",
				LAYOUT_MAX_SIZE, (long long)r[k]);
		}
	}
	*out = (struct layout_rect){(int32_t)r[0], (int32_t)r[1], (int32_t)r[2], (int32_t)r[3]};
	return true;
}

static void init_view(struct layout_surface *surface, struct layout_pos pos, int number)
{
	*surface = (struct layout_surface){
		.pos = pos,
		.number = number,
		.fit = LAYOUT_FIT_CONTAIN,
		.transform = LAYOUT_TRANSFORM_NORMAL,
		.opacity = 1.0,
		.visible = true,
		.placeholder = true,
		.at = {pos, pos, pos, pos, pos, pos, pos, pos, pos, pos, pos, pos, pos, pos, pos,
			pos, pos},
	};
}

/* What guests' connectors and apps' windows share: where and how they are shown. */
static bool build_view(struct layout_scope *s, struct layout_surface *surface)
{
	if (!layout_build_output_ref(s, &surface->output, &surface->at.output) ||
		!build_rect(s, "rect", -LAYOUT_MAX_COORD, LAYOUT_MAX_COORD, &surface->rect,
			&surface->has_rect, &surface->at.rect)) {
		return false;
	}
	const struct toml_value *v;
	if (!layout_build_get(s, "fit", TOML_STRING, false, &v, &surface->at.fit)) {
		return false;
	}
	if (v != NULL && !layout_fit_parse(v->string.ptr, &surface->fit)) {
		return layout_build_fail(s, v->pos,
			"unknown fit '%.32s' (expected stretch, contain, cover or none)",
			v->string.ptr);
	}

	int64_t z = 0;
	if (!build_rect(s, "crop", 0, LAYOUT_MAX_SIZE, &surface->crop, &surface->has_crop,
		    &surface->at.crop) ||
		!layout_build_transform(s, &surface->transform, &surface->at.transform) ||
		!layout_build_integer(s, "z", -LAYOUT_MAX_Z, LAYOUT_MAX_Z, &z, &surface->at.z)) {
		return false;
	}
	surface->z = (int32_t)z;

	if (!layout_build_get(s, "opacity", TOML_FLOAT, false, &v, &surface->at.opacity)) {
		return false;
	}
	if (v != NULL) {
		double opacity = v->type == TOML_INTEGER ? (double)v->integer : v->floating;
		if (!(opacity >= 0.0 && opacity <= 1.0)) {
			return layout_build_fail(
				s, v->pos, "opacity must be 0 to 1, not %g", opacity);
		}
		surface->opacity = opacity;
	}
	return layout_build_bool(s, "visible", &surface->visible, &surface->at.visible) &&
	       layout_build_bool(s, "placeholder", &surface->placeholder, &surface->at.placeholder);
}

static bool build_surface(struct layout_builder *b, const struct layout_scope *ls,
	const struct toml_value *t, struct layout_surface *surface, int number)
{
	struct layout_scope s = {.b = b, .table = t};
	snprintf(s.what, sizeof(s.what), "%.160s, surface #%d", ls->what, number);
	init_view(surface, layout_build_pos(b, t->pos), number);
	if (!layout_build_check_keys(&s, surface_keys) ||
		!layout_build_guest_ref(&s, &surface->guest, &surface->at.guest)) {
		return false;
	}
	surface->label = surface->guest->label;
	surface->colour = surface->guest->colour;

	int64_t device = 0;
	if (!layout_build_integer(&s, "device", 0, INT32_MAX, &device, &surface->at.device) ||
		!build_connector(&s, surface) || !build_view(&s, surface)) {
		return false;
	}
	surface->device = (int32_t)device;

	const struct toml_value *v;
	if (!layout_build_get(&s, "stale-after", TOML_STRING, false, &v, &surface->at.stale_after)) {
		return false;
	}
	if (v != NULL && !layout_duration_parse(v->string.ptr, &surface->stale_after_ms)) {
		return layout_build_fail(&s, v->pos,
			"stale-after wants a duration from %dms to %ds, such as \"200ms\" or "
			"\"1.5s\", not '%.32s'",
			LAYOUT_MIN_STALE_MS, LAYOUT_MAX_STALE_MS / 1000, v->string.ptr);
	}
	return true;
}

static bool build_app(struct layout_builder *b, const struct layout_scope *ls,
	const struct toml_value *t, struct layout_surface *app, int number)
{
	struct layout_scope s = {.b = b, .table = t};
	snprintf(s.what, sizeof(s.what), "%.160s, app #%d", ls->what, number);
	init_view(app, layout_build_pos(b, t->pos), number);
	if (!layout_build_check_keys(&s, app_keys) ||
		!layout_build_string(&s, "app-id", true, LAYOUT_MAX_LABEL, &app->app_id,
			&app->at.app_id) ||
		!layout_build_string(&s, "title", false, LAYOUT_MAX_LABEL, &app->title,
			&app->at.title) ||
		!layout_build_string(&s, "label", false, LAYOUT_MAX_LABEL, &app->app_label,
			&app->at.label)) {
		return false;
	}
	if (app->app_label == NULL) {
		app->app_label = strdup(app->app_id);
		if (app->app_label == NULL) {
			return layout_build_fail(&s, t->pos, "out of memory");
		}
	}
	app->label = app->app_label;
	app->colour = layout_colour_from_name(app->app_id);
	return layout_build_colour(&s, "colour", &app->colour, &app->at.colour) &&
	       build_view(&s, app);
}

static bool written_before(const struct layout_surface *a, const struct layout_surface *b)
{
	return a->pos.line < b->pos.line || (a->pos.line == b->pos.line && a->pos.column < b->pos.column);
}

static bool below(const struct layout_surface *a, const struct layout_surface *b)
{
	return a->z < b->z || (a->z == b->z && written_before(a, b));
}

/* By z, equal z in file order (guests' and apps' alike). Insertion sort; a layout has few. */
static void sort_by_z(struct layout_surface *surfaces, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct layout_surface cur = surfaces[i];
		size_t j = i;
		while (j > 0 && below(&cur, &surfaces[j - 1])) {
			surfaces[j] = surfaces[j - 1];
			j--;
		}
		surfaces[j] = cur;
	}
}

static bool build_layout(struct layout_builder *b, const struct toml_value *t, size_t index)
{
	struct layout_config *config = b->config;
	struct layout_layout *l = &config->layouts[index];
	struct layout_scope s = {.b = b, .table = t};
	layout_build_name_scope(&s, "layout", NULL, (int)index + 1);
	l->pos = layout_build_pos(b, t->pos);

	if (!layout_build_string(&s, "name", true, LAYOUT_MAX_NAME, &l->name, &l->at.name)) {
		return false;
	}
	layout_build_name_scope(&s, "layout", l->name, 0);
	/* The layouts before this one are counted already: the first of a name is the one. */
	const struct layout_layout *first = layout_config_find_layout(config, l->name);
	if (first != l) {
		return layout_build_fail(&s, toml_table_get(t, "name")->pos,
			"name already used by the layout at %d:%d", first->pos.line,
			first->pos.column);
	}
	const struct toml_value *surfaces, *apps;
	if (!layout_build_check_keys(&s, layout_keys) ||
		!layout_build_table_array(&s, "surface", "layout.surface", "surfaces",
			LAYOUT_MAX_SURFACES, &surfaces) ||
		!layout_build_table_array(
			&s, "app", "layout.app", "apps", LAYOUT_MAX_SURFACES, &apps)) {
		return false;
	}
	size_t n_surfaces = surfaces != NULL ? surfaces->array.len : 0;
	size_t n_apps = apps != NULL ? apps->array.len : 0;
	if (n_surfaces + n_apps == 0) {
		return true;
	}
	if (n_surfaces + n_apps > LAYOUT_MAX_SURFACES) {
		return layout_build_fail(&s, apps->pos,
			"too many surfaces and apps (at most %d in a layout)", LAYOUT_MAX_SURFACES);
	}
	l->surfaces = calloc(n_surfaces + n_apps, sizeof(*l->surfaces));
	if (l->surfaces == NULL) {
		return layout_build_fail(&s, t->pos, "out of memory");
	}
	for (size_t k = 0; k < n_surfaces; k++) {
		l->surfaces_len++;
		if (!build_surface(b, &s, surfaces->array.items[k], &l->surfaces[k], (int)k + 1)) {
			return false;
		}
	}
	for (size_t k = 0; k < n_apps; k++) {
		l->surfaces_len++;
		if (!build_app(b, &s, apps->array.items[k], &l->surfaces[n_surfaces + k], (int)k + 1)) {
			return false;
		}
	}
	sort_by_z(l->surfaces, l->surfaces_len);
	return true;
}

bool layout_build_layouts(struct layout_builder *b, const struct layout_scope *top)
{
	struct layout_config *config = b->config;
	const struct toml_value *layouts;
	if (!layout_build_table_array(
		    top, "layout", "layout", "layouts", LAYOUT_MAX_LAYOUTS, &layouts)) {
		return false;
	}
	if (layouts == NULL || layouts->array.len == 0) {
		return true;
	}
	config->layouts = layout_build_alloc(top, layouts, sizeof(*config->layouts));
	return config->layouts != NULL &&
	       layout_build_each(b, layouts, &config->layouts_len, build_layout);
}
