#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/wayland.h>
#include <wlr/types/wlr_output.h>
#include <wlr/util/log.h>

#include "compositor/output_config.h"
#include "compositor/server.h"
#include "compositor/wlr_compat.h"

/* What wlroots' Wayland backend makes a window before its host has a say. */
#define WL_DEFAULT_WIDTH 1280
#define WL_DEFAULT_HEIGHT 720

/* Two rates this close are the same mode as people write it (60 for 60.0xx). */
#define REFRESH_TOLERANCE_MHZ 500

/* have: NULL where the output does not say (a headless output's make, say). */
static bool field_matches(const char *want, const char *have)
{
	return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

const struct layout_output *output_config_match(
	const struct layout_config *config, struct wlr_output *wlr_output)
{
	for (size_t i = 0; config != NULL && i < config->outputs_len; i++) {
		const struct layout_match *m = &config->outputs[i].match;
		if (field_matches(m->connector, wlr_output->name) &&
			field_matches(m->make, compat_output_make(wlr_output)) &&
			field_matches(m->model, compat_output_model(wlr_output)) &&
			field_matches(m->serial, wlr_output->serial)) {
			return &config->outputs[i];
		}
	}
	return NULL;
}

static int format_mode(char *buf, size_t size, int w, int h, int mhz)
{
	if (mhz % 1000 == 0) {
		return snprintf(buf, size, "%dx%d@%d", w, h, mhz / 1000);
	}
	return snprintf(buf, size, "%dx%d@%d.%03d", w, h, mhz / 1000, mhz % 1000);
}

static struct wlr_output_mode *find_mode(struct wlr_output *wlr_output,
	const struct layout_mode *want)
{
	struct wlr_output_mode *best = NULL, *m;
	wl_list_for_each(m, &wlr_output->modes, link) {
		if (m->width != want->width || m->height != want->height) {
			continue;
		}
		if (want->refresh_mhz == 0) {
			/* Any rate: the preferred one, else the fastest. */
			if (best == NULL || m->preferred ||
				(!best->preferred && m->refresh > best->refresh)) {
				best = m;
			}
			continue;
		}
		int d = abs(m->refresh - want->refresh_mhz);
		if (d <= REFRESH_TOLERANCE_MHZ &&
			(best == NULL || d < abs(best->refresh - want->refresh_mhz))) {
			best = m;
		}
	}
	return best;
}

static void report_mode(struct wlr_output *wlr_output, const struct layout_output *config,
	struct layout_error *err)
{
	char offered[400] = "";
	size_t len = 0;
	struct wlr_output_mode *m;
	wl_list_for_each(m, &wlr_output->modes, link) {
		char one[48];
		format_mode(one, sizeof(one), m->width, m->height, m->refresh);
		/* Outputs list a mode once per timing: say each once. */
		if (strstr(offered, one) != NULL) {
			continue;
		}
		int n = snprintf(offered + len, sizeof(offered) - len, "%s%s", len ? ", " : "", one);
		if (n < 0 || (size_t)n >= sizeof(offered) - len) {
			snprintf(offered + sizeof(offered) - 5, 5, "...");
			break;
		}
		len += (size_t)n;
	}
	layout_error_at(err, &config->at.mode, "output '%s': mode '%s' is not offered; offered: %s",
		config->name, config->mode_text, offered[0] ? offered : "none");
}

bool output_config_apply(struct wlr_output *wlr_output, const struct layout_output *config,
	const struct mosaic_config *options, struct layout_error *err, bool *has_error)
{
	*has_error = false;
	struct wlr_output_state state;
	wlr_output_state_init(&state);
	wlr_output_state_set_enabled(&state, true);
	struct wlr_output_mode *preferred = wlr_output_preferred_mode(wlr_output);
	bool fixed_modes = !wl_list_empty(&wlr_output->modes);
	int w = options->output_width > 0 ? options->output_width : 1920;
	int h = options->output_height > 0 ? options->output_height : 1080;
	if (wlr_output_is_headless(wlr_output) && wlr_output->width > 0 && wlr_output->height > 0) {
		/* Made at the size asked for (--size, or `output create WxH`): it keeps it. */
		w = wlr_output->width;
		h = wlr_output->height;
	}
	/*
	 * A window in a Wayland compositor starts at 1280x720 unless the host
	 * configured a size (a tiling or kiosk shell, or a fullscreen window):
	 * that size is a rule (a bigger buffer is a protocol error), --size is not.
	 */
	bool host_sized = wlr_output_is_wl(wlr_output) &&
		(wlr_output->width != WL_DEFAULT_WIDTH || wlr_output->height != WL_DEFAULT_HEIGHT);
	if (host_sized) {
		w = wlr_output->width;
		h = wlr_output->height;
	}

	if (host_sized) {
		wlr_output_state_set_custom_mode(&state, w, h, 0);
	} else if (config != NULL && config->has_mode) {
		if (!fixed_modes) {
			/* Headless and nested outputs take whatever size we ask for. */
			wlr_output_state_set_custom_mode(&state, config->mode.width,
				config->mode.height, config->mode.refresh_mhz);
		} else {
			struct wlr_output_mode *mode = find_mode(wlr_output, &config->mode);
			if (mode == NULL) {
				report_mode(wlr_output, config, err);
				*has_error = true;
				mode = preferred;
			}
			wlr_output_state_set_mode(&state, mode);
		}
	} else if (fixed_modes && options->output_width > 0) {
		struct layout_mode want = {w, h, 0};
		struct wlr_output_mode *mode = find_mode(wlr_output, &want);
		wlr_output_state_set_mode(&state, mode != NULL ? mode : preferred);
	} else if (fixed_modes) {
		wlr_output_state_set_mode(&state, preferred);
	} else {
		wlr_output_state_set_custom_mode(&state, w, h, 0);
	}
	wlr_output_state_set_scale(&state, config != NULL ? (float)config->scale : 1.0f);
	wlr_output_state_set_transform(&state, config != NULL ?
			(enum wl_output_transform)config->transform :
			WL_OUTPUT_TRANSFORM_NORMAL);
	bool ok = wlr_output_commit_state(wlr_output, &state);
	wlr_output_state_finish(&state);
	return ok;
}
