#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/layout.h"

/*
 * libFuzzer target: layout_config_parse on arbitrary bytes. Besides the
 * sanitizers' checks, it asserts what callers rely on: an error always has a
 * message and a place inside the input; a config is whole and consistent.
 */

static void check(bool ok)
{
	if (!ok) {
		__builtin_trap();
	}
}

static void check_config(const struct layout_config *config)
{
	check(config->layouts_len > 0);
	check(config->default_layout >= config->layouts &&
		config->default_layout < config->layouts + config->layouts_len);
	for (size_t k = 0; k < config->outputs_len; k++) {
		const struct layout_output *o = &config->outputs[k];
		check(o->name != NULL && o->name[0] != '\0');
		check(o->scale > 0 && o->scale <= LAYOUT_MAX_SCALE);
		check(o->has_mode == (o->mode_text != NULL));
	}
	for (size_t k = 0; k < config->guests_len; k++) {
		check(config->guests[k].label != NULL);
		check(config->guests[k].name != NULL || config->guests[k].domid >= 0);
	}
	for (size_t k = 0; k < config->layouts_len; k++) {
		const struct layout_layout *l = &config->layouts[k];
		for (size_t j = 0; j < l->surfaces_len; j++) {
			const struct layout_surface *s = &l->surfaces[j];
			/* A guest's connector, or an app's window by app_id. */
			check(s->guest != NULL ? s->guest >= config->guests &&
					s->guest < config->guests + config->guests_len && s->app_id == NULL :
				s->app_id != NULL && s->app_id[0] != '\0');
			check(s->label != NULL);
			check(s->output >= config->outputs &&
				s->output < config->outputs + config->outputs_len);
			check((s->connector == -1) == (s->unique_id != NULL));
			check(s->opacity >= 0 && s->opacity <= 1);
			check(j == 0 || l->surfaces[j - 1].z <= s->z);
			/* The fit arithmetic on whatever the file says. */
			struct layout_rect dest =
				s->has_rect ? s->rect : (struct layout_rect){0, 0, 1920, 1080};
			int32_t w = s->has_crop ? s->crop.width : 1280;
			int32_t h = s->has_crop ? s->crop.height : 720;
			struct layout_rect out;
			struct layout_fbox src;
			check(layout_fit_rect(s->fit, &dest, w, h, s->transform, &out, &src));
			check(out.width > 0 && out.height > 0);
			check(src.x >= -1e-6 && src.y >= -1e-6);
			check(src.x + src.width <= w + 1e-6 && src.y + src.height <= h + 1e-6);
		}
	}
	for (size_t k = 0; k < config->bindings_len; k++) {
		const struct layout_binding *b = &config->bindings[k];
		check(b->key != NULL && b->command != NULL && b->combination != NULL);
		check(b->verb != LAYOUT_COMMAND_LAYOUT || b->layout != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layout_error err;
	struct layout_config *config =
		layout_config_parse((const char *)data, size, "fuzz.toml", &err);
	if (config == NULL) {
		int lines = 1;
		for (size_t k = 0; k < size; k++) {
			lines += data[k] == '\n';
		}
		check(err.message[0] != '\0');
		check(strcmp(err.file, "fuzz.toml") == 0);
		check(err.line >= 1 && err.line <= lines && err.column >= 1);
		char buf[2048];
		check(layout_error_format(&err, buf, sizeof(buf)) > 0);
		return 0;
	}
	check_config(config);
	layout_config_destroy(config);
	return 0;
}
