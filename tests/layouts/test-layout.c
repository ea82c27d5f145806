#include <stdlib.h>

#include "layouts/layout.h"

#include "check.h"

/* The layout model: the examples parse to what they say, defaults, helpers. */

static const char *examples;

static struct layout_config *load_example(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", examples, name);
	struct layout_error err;
	struct layout_config *config = layout_config_load(path, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
	}
	CHECK(config != NULL);
	return config;
}

static struct layout_config *parse(const char *text, const char *file)
{
	struct layout_error err;
	struct layout_config *config = layout_config_parse(text, strlen(text), file, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
	}
	CHECK(config != NULL);
	return config;
}

#define CHECK_POS(pos, l, c)                                                                       \
	do {                                                                                       \
		CHECK_INT((pos).line, l);                                                          \
		CHECK_INT((pos).column, c);                                                        \
	} while (0)

static void test_cockpit(void)
{
	struct layout_config *config = load_example("cockpit.toml");
	if (config == NULL) {
		return;
	}
	CHECK(strstr(config->file, "cockpit.toml") != NULL);
	CHECK_INT(config->outputs_len, 2);
	CHECK_INT(config->guests_len, 3);
	CHECK_INT(config->layouts_len, 2);
	CHECK_INT(config->bindings_len, 5);
	CHECK_STR(config->default_layout->name, "driving");
	CHECK_POS(config->at.default_layout, 7, 18);
	CHECK(config->focus_follows_click);
	CHECK(config->default_bindings);
	CHECK(!config->allow_screencopy);
	CHECK_INT(config->inputs_len, 0);

	const struct layout_output *cluster = &config->outputs[0], *centre = &config->outputs[1];
	CHECK_STR(cluster->name, "cluster");
	CHECK_STR(cluster->match.connector, "HDMI-A-1");
	CHECK(cluster->match.make == NULL && cluster->match.model == NULL);
	CHECK(cluster->has_mode);
	CHECK_INT(cluster->mode.width, 1920);
	CHECK_INT(cluster->mode.height, 720);
	CHECK_INT(cluster->mode.refresh_mhz, 60000);
	CHECK_STR(cluster->mode_text, "1920x720@60");
	CHECK_POS(cluster->pos, 9, 1);
	CHECK_POS(cluster->at.name, 10, 8);
	CHECK_POS(cluster->at.mode, 12, 8);
	CHECK(cluster->at.mode.file == config->file);
	CHECK_STR(centre->name, "centre");
	CHECK(centre->has_position);
	CHECK_INT(centre->x, 0);
	CHECK_INT(centre->y, 720);
	CHECK_DOUBLE(centre->scale, 1.0);
	CHECK(centre->transform == LAYOUT_TRANSFORM_NORMAL);
	CHECK_INT(centre->background.r, 0x10);
	CHECK_INT(centre->background.g, 0x10);
	CHECK_INT(centre->background.b, 0x18);
	CHECK_INT(centre->background.a, 0xff);
	CHECK(centre->background_image == NULL);
	/* Absent settings point at the [[output]] header. */
	CHECK_POS(centre->at.scale, 16, 1);

	const struct layout_guest *g = &config->guests[0];
	CHECK_STR(g->name, "cluster");
	/* Matched by name: a restarted cluster VM comes back under a new domid. */
	CHECK_INT(g->domid, -1);
	CHECK_STR(g->label, "Cluster");
	CHECK_INT(g->colour.r, 0x2f);
	CHECK_INT(g->colour.g, 0x80);
	CHECK_INT(g->colour.b, 0xed);
	CHECK_INT(config->guests[1].domid, -1);
	CHECK(layout_config_find_guest(config, "navigation") == &config->guests[2]);
	CHECK(layout_config_find_guest(config, "nobody") == NULL);
	CHECK(layout_config_find_output(config, "centre") == centre);
	CHECK(layout_config_find_output(config, "Centre") == NULL);

	const struct layout_layout *driving = layout_config_find_layout(config, "driving");
	CHECK(driving == &config->layouts[0]);
	CHECK_INT(driving->surfaces_len, 4);
	const struct layout_surface *s = &driving->surfaces[0];
	CHECK(s->guest == &config->guests[0]);
	CHECK(s->output == cluster);
	CHECK(!s->has_rect);
	CHECK(s->fit == LAYOUT_FIT_CONTAIN);
	CHECK_INT(s->device, 0);
	CHECK_INT(s->connector, 0);
	CHECK(s->unique_id == NULL);
	CHECK_INT(s->z, 0);
	CHECK_DOUBLE(s->opacity, 1.0);
	CHECK(s->visible && s->placeholder);
	CHECK_INT(s->stale_after_ms, 0);
	CHECK(!s->has_crop);
	CHECK_POS(s->pos, 45, 1);
	CHECK_POS(s->at.guest, 46, 9);
	CHECK_INT(s->number, 1);
	/* The inset: above the infotainment guest, in the top-right corner. */
	const struct layout_surface *inset = &driving->surfaces[2];
	CHECK_STR(inset->guest->name, "navigation");
	CHECK(inset->output == centre);
	CHECK(inset->has_rect);
	CHECK_INT(inset->rect.x, 1280);
	CHECK_INT(inset->rect.y, 40);
	CHECK_INT(inset->rect.width, 600);
	CHECK_INT(inset->rect.height, 400);
	CHECK(inset->fit == LAYOUT_FIT_COVER);
	CHECK_INT(inset->z, 10);
	CHECK_DOUBLE(inset->opacity, 0.95);
	CHECK_POS(inset->at.rect, 58, 8);
	/* Dom0's status bar, on top. */
	const struct layout_surface *bar = &driving->surfaces[3];
	CHECK(bar->guest == NULL);
	CHECK_STR(bar->app_id, "org.example.statusbar");
	CHECK_STR(bar->label, "Status bar");
	CHECK(bar->output == centre && bar->z == 20 && !bar->placeholder);

	const struct layout_layout *parked = &config->layouts[1];
	CHECK_STR(parked->name, "parked");
	CHECK_INT(parked->surfaces_len, 4);
	CHECK_STR(parked->surfaces[0].guest->name, "infotainment");
	CHECK_INT(parked->surfaces[1].rect.width, 960);
	CHECK(!parked->surfaces[2].visible);

	const struct layout_binding *b = &config->bindings[0];
	CHECK_STR(b->combination, "Super+F1");
	CHECK_INT(b->modifiers, LAYOUT_MOD_SUPER);
	CHECK_STR(b->key, "F1");
	CHECK_STR(b->command, "layout driving");
	CHECK(b->verb == LAYOUT_COMMAND_LAYOUT);
	CHECK(b->layout == driving);
	CHECK(config->bindings[1].layout == parked);
	CHECK(config->bindings[2].verb == LAYOUT_COMMAND_FOCUS);
	CHECK(config->bindings[2].guest == NULL);
	CHECK_INT(config->bindings[3].modifiers, LAYOUT_MOD_SUPER | LAYOUT_MOD_SHIFT);
	CHECK_STR(config->bindings[3].key, "Tab");
	CHECK(config->bindings[4].verb == LAYOUT_COMMAND_SCREENSHOT);
	layout_config_destroy(config);
}

static void test_split(void)
{
	struct layout_config *config = load_example("split.toml");
	if (config == NULL) {
		return;
	}
	CHECK_STR(config->default_layout->name, "split");
	CHECK_INT(config->outputs[0].mode.refresh_mhz, 0);
	const struct layout_layout *l = config->default_layout;
	CHECK_INT(l->surfaces_len, 3);
	CHECK_STR(l->surfaces[0].guest->name, "navigation");
	CHECK_STR(l->surfaces[2].app_id, "org.example.statusbar");
	CHECK_INT(l->surfaces[0].rect.x, 0);
	CHECK_INT(l->surfaces[1].rect.x, 960);
	CHECK_INT(l->surfaces[1].rect.width, 960);
	CHECK(l->surfaces[1].fit == LAYOUT_FIT_CONTAIN);
	/* No label: the name. */
	CHECK_STR(config->guests[1].label, "media");
	/* Super+Left focuses the guest in the left half, Super+Right the right one. */
	CHECK_STR(config->bindings[0].combination, "Super+Left");
	CHECK(config->bindings[0].guest == l->surfaces[0].guest);
	CHECK_STR(config->bindings[1].combination, "Super+Right");
	CHECK(config->bindings[1].guest == l->surfaces[1].guest);
	CHECK_INT(config->bindings[2].modifiers, LAYOUT_MOD_CTRL | LAYOUT_MOD_ALT);
	CHECK(config->bindings[2].verb == LAYOUT_COMMAND_RELOAD);
	CHECK(!config->focus_follows_click);
	layout_config_destroy(config);
}

static void test_rear_camera(void)
{
	struct layout_config *config = load_example("rear-camera.toml");
	if (config == NULL) {
		return;
	}
	CHECK_STR(config->default_layout->name, "normal");
	const struct layout_layout *reverse = layout_config_find_layout(config, "reverse");
	CHECK(reverse != NULL);
	if (reverse == NULL) {
		goto out;
	}
	CHECK_INT(reverse->surfaces_len, 3);
	const struct layout_surface *camera = &reverse->surfaces[1];
	CHECK_STR(camera->guest->name, "camera");
	CHECK_INT(camera->guest->domid, -1);
	CHECK_STR(camera->unique_id, "rear");
	CHECK_INT(camera->connector, -1);
	CHECK_INT(camera->z, 1000);
	CHECK(camera->fit == LAYOUT_FIT_COVER);
	CHECK(!reverse->surfaces[0].visible);
	CHECK_STR(reverse->surfaces[2].app_id, "org.example.parking");
	CHECK_INT(reverse->surfaces[2].z, 1001);
	CHECK(config->bindings[0].layout == reverse);
out:
	layout_config_destroy(config);
}

static void test_defaults_and_order(void)
{
	struct layout_config *config =
		parse("[[output]]\n"
		      "name = 'o'\n"
		      "match = { make = 'ACME', model = 'Panel', serial = '42' }\n"
		      "background-image = 'img/bg.png'\n"
		      "scale = 2\n"
		      "transform = 'flipped-270'\n"
		      "[[guest]]\n"
		      "domid = 3\n"
		      "[[guest]]\n"
		      "name = 'g'\n"
		      "[[layout]]\n"
		      "name = 'first'\n"
		      "[[layout.surface]]\n"
		      "guest = 'g'\n"
		      "output = 'o'\n"
		      "z = 5\n"
		      "[[layout.surface]]\n"
		      "guest = 3\n"
		      "output = 'o'\n"
		      "z = -1\n"
		      "device = 2\n"
		      "connector = 3\n"
		      "crop = [0, 10, 640, 480]\n"
		      "[[layout.surface]]\n"
		      "guest = 'g'\n"
		      "output = 'o'\n"
		      "z = 5\n"
		      "opacity = 0\n"
		      "transform = '90'\n"
		      "[[layout]]\n"
		      "name = 'second'\n",
			"/etc/mosaic/cars/layout.toml");
	if (config == NULL) {
		return;
	}
	/* No default-layout: the first. */
	CHECK_STR(config->default_layout->name, "first");
	CHECK_POS(config->at.default_layout, 11, 1);
	const struct layout_output *o = &config->outputs[0];
	CHECK(o->match.connector == NULL);
	CHECK_STR(o->match.make, "ACME");
	CHECK_STR(o->match.serial, "42");
	CHECK_STR(o->background_image, "/etc/mosaic/cars/img/bg.png");
	CHECK_DOUBLE(o->scale, 2.0);
	CHECK(o->transform == LAYOUT_TRANSFORM_FLIPPED_270);
	CHECK(!o->has_mode && o->mode_text == NULL && !o->has_position);
	CHECK_INT(o->background.a, 0xff);
	CHECK_INT(o->background.r + o->background.g + o->background.b, 0);

	/* A guest without a name: matched by domid, labelled by it. */
	CHECK(config->guests[0].name == NULL);
	CHECK_STR(config->guests[0].label, "domain 3");
	CHECK(layout_config_find_guest(config, "domain 3") == NULL);

	/* Bottom to top: by z, ties in file order. */
	const struct layout_layout *l = &config->layouts[0];
	CHECK_INT(l->surfaces_len, 3);
	CHECK_INT(l->surfaces[0].number, 2);
	CHECK_INT(l->surfaces[1].number, 1);
	CHECK_INT(l->surfaces[2].number, 3);
	const struct layout_surface *s = &l->surfaces[0];
	CHECK(s->guest == &config->guests[0]);
	CHECK_INT(s->device, 2);
	CHECK_INT(s->connector, 3);
	CHECK(s->has_crop);
	CHECK_INT(s->crop.y, 10);
	CHECK_INT(s->crop.width, 640);
	CHECK_DOUBLE(l->surfaces[2].opacity, 0.0);
	CHECK(l->surfaces[2].transform == LAYOUT_TRANSFORM_90);
	/* A layout may be empty (a black screen). */
	CHECK_INT(config->layouts[1].surfaces_len, 0);
	CHECK_INT(config->bindings_len, 0);
	layout_config_destroy(config);

	/* Relative images next to a file in the working directory, or at the root. */
	const char *text = "[[output]]\nname='o'\nmatch={connector='X'}\nbackground-image='a.png'\n"
			   "[[layout]]\nname='l'\n";
	config = parse(text, "layout.toml");
	if (config != NULL) {
		CHECK_STR(config->outputs[0].background_image, "a.png");
		layout_config_destroy(config);
	}
	config = parse(text, "/layout.toml");
	if (config != NULL) {
		CHECK_STR(config->outputs[0].background_image, "/a.png");
		layout_config_destroy(config);
	}
	config = parse("[[output]]\nname='o'\nmatch={connector='X'}\nbackground-image='/abs.png'\n"
		       "[[layout]]\nname='l'\n",
		NULL);
	if (config != NULL) {
		CHECK_STR(config->file, "<input>");
		CHECK_STR(config->outputs[0].background_image, "/abs.png");
		layout_config_destroy(config);
	}
}

/* [[layout.app]]: apps by app_id (and title) among the guests, in one z order. */
static void test_apps(void)
{
	struct layout_config *config =
		parse("[[output]]\n"
		      "name = 'o'\n"
		      "match = { connector = 'HDMI-A-1' }\n"
		      "[[guest]]\n"
		      "name = 'g'\n"
		      "colour = '#102030'\n"
		      "[[layout]]\n"
		      "name = 'l'\n"
		      "[[layout.surface]]\n"
		      "guest = 'g'\n"
		      "output = 'o'\n"
		      "z = 1\n"
		      "[[layout.app]]\n"
		      "app-id = 'org.example.bar'\n"
		      "output = 'o'\n"
		      "rect = [0, 0, 1920, 40]\n"
		      "z = 2\n"
		      "[[layout.app]]\n"
		      "app-id = 'qemu'\n"
		      "title = 'QEMU (hvm1)'\n"
		      "label = 'HVM guest'\n"
		      "colour = '#ff0000'\n"
		      "output = 'o'\n"
		      "fit = 'none'\n"
		      "transform = '270'\n"
		      "placeholder = false\n",
			"apps.toml");
	if (config == NULL) {
		return;
	}
	const struct layout_layout *l = &config->layouts[0];
	CHECK_INT(l->surfaces_len, 3);
	/* By z; at equal z (0 and 1 here differ) in file order. */
	const struct layout_surface *qemu = &l->surfaces[0];
	const struct layout_surface *guest = &l->surfaces[1];
	const struct layout_surface *bar = &l->surfaces[2];
	CHECK(qemu->guest == NULL);
	CHECK_STR(qemu->app_id, "qemu");
	CHECK_STR(qemu->title, "QEMU (hvm1)");
	CHECK_STR(qemu->label, "HVM guest");
	CHECK_INT(qemu->colour.r, 0xff);
	CHECK(qemu->fit == LAYOUT_FIT_NONE && qemu->transform == LAYOUT_TRANSFORM_270);
	CHECK(!qemu->placeholder && !qemu->has_rect);
	CHECK_INT(qemu->number, 2);
	CHECK_POS(qemu->at.title, 20, 9);
	CHECK_STR(guest->guest->name, "g");
	CHECK_STR(guest->label, "g");
	CHECK_INT(guest->colour.g, 0x20);
	CHECK(guest->app_id == NULL);
	CHECK_STR(bar->app_id, "org.example.bar");
	CHECK(bar->title == NULL);
	/* Without a label, the app_id; without a colour, one from the app_id. */
	CHECK_STR(bar->label, "org.example.bar");
	struct layout_colour c = layout_colour_from_name("org.example.bar");
	CHECK(bar->colour.r == c.r && bar->colour.g == c.g && bar->colour.b == c.b);
	CHECK_INT(bar->rect.height, 40);
	CHECK_INT(bar->number, 1);
	layout_config_destroy(config);
}

static void test_errors(void)
{
	struct layout_error err;
	struct layout_pos pos = {"cockpit.toml", 3, 9};
	layout_error_at(&err, &pos, "output '%s': mode '%s' is not offered", "centre", "1x1");
	char buf[256];
	layout_error_format(&err, buf, sizeof(buf));
	CHECK_STR(buf, "cockpit.toml:3:9: output 'centre': mode '1x1' is not offered");
	pos.line = 0;
	layout_error_at(&err, &pos, "line\nbreak");
	layout_error_format(&err, buf, sizeof(buf));
	CHECK_STR(buf, "cockpit.toml: line?break");

	CHECK(layout_config_load("/nonexistent/layout.toml", &err) == NULL);
	layout_error_format(&err, buf, sizeof(buf));
	CHECK_STR(buf, "/nonexistent/layout.toml: cannot open: No such file or directory");
	CHECK(layout_config_load(examples, &err) == NULL);
	CHECK_STR(err.message, "not a regular file");

	/* The length counts, not a NUL. */
	static const char nul[] = "[[layout]]\nname = 'x'\n\0";
	CHECK(layout_config_parse(nul, sizeof(nul) - 1, "nul.toml", &err) == NULL);
	layout_error_format(&err, buf, sizeof(buf));
	CHECK_STR(buf, "nul.toml:3:1: NUL byte in the file; is this a text file?");
	struct layout_config *config = layout_config_parse(nul, sizeof(nul) - 2, "nul.toml", &err);
	CHECK(config != NULL);
	layout_config_destroy(config);

	layout_config_destroy(NULL);
}

static void test_values(void)
{
	struct layout_mode m;
	CHECK(layout_mode_parse("1920x1080", &m));
	CHECK_INT(m.width, 1920);
	CHECK_INT(m.height, 1080);
	CHECK_INT(m.refresh_mhz, 0);
	CHECK(layout_mode_parse("1920x1080@59.94", &m));
	CHECK_INT(m.refresh_mhz, 59940);
	CHECK(layout_mode_parse("640x480@60.0005", &m));
	CHECK_INT(m.refresh_mhz, 60001);
	CHECK(layout_mode_parse("16384x1@1000", &m));
	const char *bad_modes[] = {"", "1920", "1920x", "x1080", "0x10", "01920x1080", "1920x1080@",
		"1920x1080@0", "1920X1080", "16385x10", "1920x1080@60.", "+1920x1080",
		"1920 x 1080", "1920x1080@1001", "1920x1080@60Hz", "99999999999x1"};
	for (size_t k = 0; k < sizeof(bad_modes) / sizeof(bad_modes[0]); k++) {
		if (layout_mode_parse(bad_modes[k], &m)) {
			fprintf(stderr, "mode '%s' parsed\n", bad_modes[k]);
			check_failures++;
		}
	}

	struct layout_colour c;
	CHECK(layout_colour_parse("#101018", &c));
	CHECK_INT(c.b, 0x18);
	CHECK_INT(c.a, 0xff);
	CHECK(layout_colour_parse("#2F80EDcc", &c));
	CHECK_INT(c.r, 0x2f);
	CHECK_INT(c.a, 0xcc);
	CHECK(!layout_colour_parse("101018", &c));
	CHECK(!layout_colour_parse("#12345", &c));
	CHECK(!layout_colour_parse("#1234567", &c));
	CHECK(!layout_colour_parse("#gg0000", &c));

	/* Derived colours: stable, opaque, never too dark to see. */
	struct layout_colour a = layout_colour_from_name("cluster");
	struct layout_colour b = layout_colour_from_name("cluster");
	struct layout_colour d = layout_colour_from_name("navigation");
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(memcmp(&a, &d, sizeof(a)) != 0);
	CHECK_INT(a.a, 0xff);
	CHECK(a.r + a.g + a.b > 200);

	enum layout_transform t;
	for (int k = 0; k < 8; k++) {
		CHECK(layout_transform_parse(layout_transform_name((enum layout_transform)k), &t));
		CHECK_INT(t, k);
	}
	CHECK(!layout_transform_parse("rotate", &t));
	CHECK_STR(layout_transform_name(LAYOUT_TRANSFORM_FLIPPED_90), "flipped-90");
	enum layout_fit f;
	CHECK(layout_fit_parse("cover", &f) && f == LAYOUT_FIT_COVER);
	CHECK(!layout_fit_parse("fill", &f));
	CHECK_STR(layout_fit_name(LAYOUT_FIT_NONE), "none");
}

/* Every key and every enumeration value: the extremes of each range are accepted. */
static void test_everything(const char *path)
{
	struct layout_error err;
	struct layout_config *config = layout_config_load(path, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
	}
	CHECK(config != NULL);
	if (config == NULL) {
		return;
	}
	CHECK(config->allow_screencopy);
	CHECK_POS(config->at.allow_screencopy, 4, 20);
	const struct layout_output *a = &config->outputs[0], *b = &config->outputs[1];
	CHECK_STR(a->match.model, "Panel 12");
	CHECK_INT(a->mode.refresh_mhz, 59940);
	CHECK_INT(a->x, -1280);
	CHECK_DOUBLE(a->scale, 1.5);
	CHECK(a->transform == LAYOUT_TRANSFORM_90);
	CHECK_INT(a->background.a, 0);
	CHECK(strstr(a->background_image, "/valid/images/a.png") != NULL);
	CHECK_STR(b->match.model, "Panel 10");
	CHECK_STR(b->match.serial, "b-0002");
	CHECK(b->match.connector == NULL);
	CHECK_INT(b->y, -32768);
	CHECK_DOUBLE(b->scale, 4.0);
	CHECK_INT(b->background.r, 0xff);
	CHECK_STR(config->outputs[2].match.connector, "HEADLESS-1");

	CHECK_INT(config->guests[0].domid, 0);
	CHECK_STR(config->guests[1].label, "The last domain");
	CHECK_INT(config->guests[1].colour.a, 0x78);
	CHECK_STR(config->guests[2].name, "quoted \"name\"");
	CHECK_STR(config->guests[2].label, "\xc3\x89"
					   "cran \xf0\x9f\x9a\x97");

	const struct layout_layout *l = config->default_layout;
	CHECK_STR(l->name, "all-fits");
	CHECK_INT(l->surfaces_len, 4);
	const struct layout_surface *s = &l->surfaces[0];
	CHECK_INT(s->z, -1000000);
	CHECK(s->fit == LAYOUT_FIT_STRETCH && s->transform == LAYOUT_TRANSFORM_180);
	CHECK_INT(s->device, 2147483647);
	CHECK_INT(s->rect.y, 32768);
	CHECK_INT(s->crop.x, 16384);
	CHECK(!s->visible && !s->placeholder);
	CHECK_INT(s->stale_after_ms, 600000);
	CHECK(l->surfaces[1].fit == LAYOUT_FIT_COVER);
	CHECK_INT(l->surfaces[1].stale_after_ms, 1500);
	CHECK_INT(l->surfaces[3].stale_after_ms, 20);
	CHECK_INT(l->surfaces[2].stale_after_ms, 0);
	CHECK(l->surfaces[2].fit == LAYOUT_FIT_NONE);
	CHECK(l->surfaces[2].transform == LAYOUT_TRANSFORM_FLIPPED_90);
	CHECK_INT(l->surfaces[3].z, 1000000);
	CHECK_STR(l->surfaces[3].unique_id, "rear");
	CHECK(l->surfaces[3].guest == &config->guests[1]);

	const struct layout_layout *spaced = &config->layouts[2];
	CHECK_INT(spaced->surfaces_len, 2);
	CHECK_INT(spaced->surfaces[1].rect.height, 4);

	CHECK_INT(config->bindings_len, 19);
	CHECK_INT(config->bindings[0].modifiers, 0);
	CHECK_STR(config->bindings[0].key, "F12");
	CHECK_INT(config->bindings[1].modifiers, 0xfd);
	CHECK_INT(config->bindings[2].modifiers, LAYOUT_MOD_SUPER | LAYOUT_MOD_ALT);
	CHECK(config->bindings[2].layout == spaced);
	CHECK(config->bindings[4].guest == &config->guests[0]);
	CHECK(config->bindings[5].verb == LAYOUT_COMMAND_SCREENSHOT);
	CHECK(config->bindings[6].layout == &config->layouts[1]);

	CHECK(!config->default_bindings);
	CHECK_INT(config->inputs_len, 2);
	CHECK(config->inputs[0].guest == &config->guests[0]);
	CHECK_INT(config->inputs[0].device, 0);
	CHECK_INT(config->inputs[0].display_device, 0);
	CHECK_INT(config->inputs[0].connector, 0);
	CHECK(config->inputs[1].guest == &config->guests[1]);
	CHECK_INT(config->inputs[1].device, 2);
	CHECK_INT(config->inputs[1].display_device, 1);
	CHECK_INT(config->inputs[1].connector, 3);
	CHECK_INT(config->touch_len, 2);
	CHECK_STR(config->touch[0].device, "ILITEK");
	CHECK(config->touch[0].output == &config->outputs[1]);
	CHECK(config->touch[1].device == NULL);
	CHECK(config->touch[1].output == &config->outputs[2]);
	layout_config_destroy(config);
}

/* The complete example in the manual parses: the manual and the parser agree. */
static void test_manual(const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL) {
		return;
	}
	static char text[16384];
	size_t len = 0;
	char line[512];
	int state = 0; /* 0: before # EXAMPLE, 1: before ```, 2: inside, 3: done */
	while (fgets(line, sizeof(line), f) != NULL && state < 3) {
		if (state == 0 && strcmp(line, "# EXAMPLE\n") == 0) {
			state = 1;
		} else if ((state == 1 || state == 2) && strcmp(line, "```\n") == 0) {
			state++;
		} else if (state == 2 && len + strlen(line) < sizeof(text)) {
			memcpy(text + len, line, strlen(line));
			len += strlen(line);
		}
	}
	fclose(f);
	CHECK_INT(state, 3);
	struct layout_error err;
	struct layout_config *config = layout_config_parse(text, len, path, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
	}
	CHECK(config != NULL);
	if (config != NULL) {
		CHECK_INT(config->layouts_len, 2);
		CHECK_INT(config->bindings_len, 5);
		CHECK_STR(config->layouts[1].surfaces[1].unique_id, "cl0");
	}
	layout_config_destroy(config);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s EXAMPLES-DIR MANUAL EVERYTHING-TOML\n", argv[0]);
		return 2;
	}
	examples = argv[1];
	test_manual(argv[2]);
	test_everything(argv[3]);
	test_cockpit();
	test_split();
	test_rear_camera();
	test_defaults_and_order();
	test_apps();
	test_errors();
	test_values();
	return check_result("layout-layout");
}
