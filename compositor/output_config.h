#ifndef MOSAIC_COMPOSITOR_OUTPUT_CONFIG_H
#define MOSAIC_COMPOSITOR_OUTPUT_CONFIG_H

#include <stdbool.h>

#include "layouts/layout.h"

/*
 * A layout file's [[output]] applied to a real output: which one it is
 * (connector name, make, model, serial), its mode, scale and transform.
 */
struct wlr_output;
struct mosaic_config;

/* The [[output]] that describes wlr_output, or NULL. */
const struct layout_output *output_config_match(
	const struct layout_config *config, struct wlr_output *wlr_output);

/*
 * Sets up and commits the output: by the [[output]] when given, else by
 * the command line's size (headless and nested outputs) or the preferred
 * mode. A mode the output does not offer is reported in err (at the mode's
 * line) and the preferred mode is used; false only when the output cannot
 * be enabled at all.
 */
bool output_config_apply(struct wlr_output *wlr_output, const struct layout_output *config,
	const struct mosaic_config *options, struct layout_error *err, bool *has_error);

#endif
