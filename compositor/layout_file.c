#include <string.h>
#include <wlr/util/log.h>

#include "compositor/arrange.h"
#include "compositor/bindings.h"
#include "compositor/layout_file.h"
#include "compositor/log.h"
#include "compositor/output.h"
#include "compositor/server.h"
#include "input-routing/router.h"

static void log_error(const struct layout_error *err)
{
	char line[2048];
	layout_error_format(err, line, sizeof(line));
	wlr_log(WLR_ERROR, "%s", line);
}

static void log_warning_at(const struct layout_error *err)
{
	char line[2048];
	layout_error_format(err, line, sizeof(line));
	log_warning("%s", line);
}

/* What the file asks for that mosaic cannot draw: said once per load, at the place. */
static void warn_unsupported(const struct layout_config *config)
{
	for (size_t i = 0; i < config->layouts_len; i++) {
		const struct layout_layout *l = &config->layouts[i];
		for (size_t j = 0; j < l->surfaces_len; j++) {
			const struct layout_surface *s = &l->surfaces[j];
			if (s->opacity > 0 && s->opacity < 1) {
				struct layout_error err;
				layout_error_at(&err, &s->at.opacity,
					"layout '%s', %s #%d: opacity %g is not supported "
					"(no blending in this compositor); drawn opaque",
					l->name, s->guest != NULL ? "surface" : "app", s->number,
					s->opacity);
				log_warning_at(&err);
			}
		}
	}
}

struct layout_config *layout_file_load(const char *path, struct layout_error *err)
{
	struct layout_config *config = layout_config_load(path, err);
	if (config == NULL) {
		return NULL;
	}
	if (!bindings_check(config, err)) {
		layout_config_destroy(config);
		return NULL;
	}
	warn_unsupported(config);
	return config;
}

void layout_file_install(struct mosaic_server *server, struct layout_config *config)
{
	server->layout = config;
	server->active_layout = config != NULL ? config->default_layout : NULL;
	if (config != NULL) {
		wlr_log(WLR_INFO, "Layout file %s: layout '%s'", config->file,
			server->active_layout->name);
	}
}

bool layout_file_switch(struct mosaic_server *server, const char *name, char *why, size_t size)
{
	if (server->layout == NULL) {
		snprintf(why, size, "no layout file (mosaic runs without --layout)");
		return false;
	}
	const struct layout_layout *layout = layout_config_find_layout(server->layout, name);
	if (layout == NULL) {
		char names[1024] = "";
		size_t len = 0;
		for (size_t i = 0; i < server->layout->layouts_len && len < sizeof(names); i++) {
			int n = snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
				server->layout->layouts[i].name);
			len += n > 0 ? (size_t)n : 0;
		}
		snprintf(why, size, "unknown layout '%.64s'; layouts: %s", name, names);
		return false;
	}
	server->active_layout = layout;
	/* One turn of the event loop: every output's next frame shows the whole new layout. */
	arrange_surfaces(server);
	wlr_log(WLR_INFO, "Layout '%s'", layout->name);
	wl_signal_emit(&server->events.layout_changed, (void *)layout);
	return true;
}

bool layout_file_reload(struct mosaic_server *server, struct layout_error *err)
{
	const char *path = server->config.layout_path;
	if (path == NULL) {
		struct layout_pos nowhere = {"mosaic", 0, 0};
		layout_error_at(err, &nowhere, "no layout file to reload (mosaic runs without --layout)");
		return false;
	}
	struct layout_config *config = layout_file_load(path, err);
	if (config == NULL) {
		log_error(err);
		wl_signal_emit(&server->events.reload_failed, err);
		return false;
	}
	const char *active = server->active_layout != NULL ? server->active_layout->name : NULL;
	const struct layout_layout *keep =
		active != NULL ? layout_config_find_layout(config, active) : NULL;
	struct layout_config *old = server->layout;
	if (old != NULL && old->allow_screencopy != config->allow_screencopy) {
		log_warning("%s: allow-screencopy changes when mosaic starts again, not on a reload",
			path);
	}
	server->layout = config;
	server->active_layout = keep != NULL ? keep : config->default_layout;
	/* Views, outputs and input pairings point into the old config: remake them before it goes. */
	input_router_set_config(server->router, config);
	outputs_configure(server);
	arrange_surfaces(server);
	layout_config_destroy(old);
	wlr_log(WLR_INFO, "Reloaded %s: layout '%s'", path, server->active_layout->name);
	wl_signal_emit(&server->events.reloaded, NULL);
	return true;
}
