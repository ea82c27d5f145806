#include <stdlib.h>
#include <string.h>

#include "layouts/layout_build.h"

/* [[input]] (which input device serves which display connector) and [[touch]]. */

static const char *const input_keys[] = {
	"guest",
	"device",
	"display-device",
	"connector",
	NULL,
};

static const char *const touch_keys[] = {"device", "output", NULL};

static bool build_input(struct layout_builder *b, const struct toml_value *t, size_t index)
{
	struct layout_config *config = b->config;
	struct layout_input *in = &config->inputs[index];
	struct layout_scope s = {.b = b, .table = t};
	layout_build_name_scope(&s, "input", NULL, (int)index + 1);
	in->pos = layout_build_pos(b, t->pos);
	int64_t device = 0, display_device = 0, connector = 0;
	if (!layout_build_check_keys(&s, input_keys) ||
		!layout_build_guest_ref(&s, &in->guest, &in->at.guest) ||
		!layout_build_integer(&s, "device", 0, INT32_MAX, &device, &in->at.device) ||
		!layout_build_integer(&s, "display-device", 0, INT32_MAX, &display_device,
			&in->at.display_device) ||
		!layout_build_integer(&s, "connector", 0, LAYOUT_MAX_CONNECTORS - 1, &connector,
			&in->at.connector)) {
		return false;
	}
	in->device = (int32_t)device;
	in->display_device = (int32_t)display_device;
	in->connector = (int32_t)connector;
	for (size_t k = 0; k < index; k++) {
		const struct layout_input *other = &config->inputs[k];
		if (other->guest != in->guest) {
			continue;
		}
		if (other->display_device == in->display_device &&
			other->connector == in->connector) {
			return layout_build_fail(&s, t->pos,
				"display device %d connector %d already has an input device (at %d:%d)",
				(int)in->display_device, (int)in->connector, other->pos.line,
				other->pos.column);
		}
	}
	return true;
}

static bool build_touch(struct layout_builder *b, const struct toml_value *t, size_t index)
{
	struct layout_config *config = b->config;
	struct layout_touch *touch = &config->touch[index];
	struct layout_scope s = {.b = b, .table = t};
	layout_build_name_scope(&s, "touch", NULL, (int)index + 1);
	touch->pos = layout_build_pos(b, t->pos);
	return layout_build_check_keys(&s, touch_keys) &&
	       layout_build_string(&s, "device", false, LAYOUT_MAX_NAME, &touch->device,
		       &touch->at.device) &&
	       layout_build_output_ref(&s, &touch->output, &touch->at.output);
}

bool layout_build_inputs(struct layout_builder *b, const struct layout_scope *top)
{
	struct layout_config *config = b->config;
	const struct toml_value *inputs, *touch;
	if (!layout_build_table_array(top, "input", "input", "inputs", LAYOUT_MAX_INPUTS, &inputs) ||
		!layout_build_table_array(
			top, "touch", "touch", "touch screens", LAYOUT_MAX_OUTPUTS, &touch)) {
		return false;
	}
	if (inputs != NULL && inputs->array.len > 0) {
		config->inputs = layout_build_alloc(top, inputs, sizeof(*config->inputs));
		if (config->inputs == NULL ||
			!layout_build_each(b, inputs, &config->inputs_len, build_input)) {
			return false;
		}
	}
	if (touch != NULL && touch->array.len > 0) {
		config->touch = layout_build_alloc(top, touch, sizeof(*config->touch));
		if (config->touch == NULL ||
			!layout_build_each(b, touch, &config->touch_len, build_touch)) {
			return false;
		}
	}
	return true;
}
