#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "layouts/layout.h"

#include "check.h"

/*
 * The example layouts as a user gets them: each guest matched by its
 * domain's name, never pinned to a domid (a restarted domain gets a new
 * one and would never be shown again), in layouts/examples/, the
 * README's layout and the manual's; and every example comes with an
 * xl.cfg per guest (EXAMPLE/GUEST.cfg) whose name, vdispl connectors and
 * vkb devices are what the layout shows: each connector a surface names
 * exists, by unique-id or index, and has an input device of its size
 * that names it (unique-id=T:ID).
 */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return NULL;
	}
	static const size_t max = 1 << 20;
	char *text = malloc(max + 1);
	size_t n = text != NULL ? fread(text, 1, max, f) : 0;
	fclose(f);
	if (text != NULL) {
		text[n] = '\0';
	}
	return text;
}

/* Every guest by name, none by domid. */
static void check_by_name(const struct layout_config *config, const char *what)
{
	CHECK_MSG(config->guests_len > 0, "%s: no [[guest]]", what);
	for (size_t i = 0; i < config->guests_len; i++) {
		const struct layout_guest *g = &config->guests[i];
		CHECK_MSG(g->name != NULL, "%s: guest #%zu has no name", what, i + 1);
		CHECK_MSG(g->domid == -1,
			"%s: guest '%s' is pinned to domid %d: once it restarts (a new domid) it "
			"is never shown again",
			what, g->name ? g->name : "?", (int)g->domid);
	}
}

/* The text of the first ``` block (```toml in Markdown) after the line `after`. */
static struct layout_config *parse_block(const char *path, const char *after, const char *fence)
{
	char *text = read_all(path);
	CHECK_MSG(text != NULL, "cannot read %s", path);
	if (text == NULL) {
		return NULL;
	}
	struct layout_config *config = NULL;
	char *at = strstr(text, after);
	char *start = at != NULL ? strstr(at, fence) : NULL;
	char *end = start != NULL ? strstr(start + strlen(fence), "\n```") : NULL;
	CHECK_MSG(end != NULL, "%s: no %s block after '%s'", path, fence, after);
	if (end != NULL) {
		start += strlen(fence);
		struct layout_error err;
		config = layout_config_parse(start, (size_t)(end - start), path, &err);
		if (config == NULL) {
			layout_error_print(&err, stderr);
		}
		CHECK_MSG(config != NULL, "%s: the layout after '%s' does not parse", path, after);
	}
	free(text);
	return config;
}

/* A vdispl connector of an xl.cfg: its unique-id and size. */
struct connector {
	char id[64];
	int width, height;
};

#define MAX_DEVICES 8

/* What an xl.cfg says that matters here. */
struct xl_cfg {
	char name[64];
	struct connector connectors[MAX_DEVICES][4];
	int connectors_len[MAX_DEVICES];
	int devices;
	char vkb[MAX_DEVICES][512]; // each device's spec
	int vkbs;
};

/* The 'quoted' strings of the list "key = [ '...', '...' ]"; how many. */
static int list_strings(const char *text, const char *key, char out[][512], int max)
{
	int n = 0;
	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *next = strchr(line, '\n');
		size_t len = strlen(key);
		if (strncmp(line, key, len) == 0 && (line[len] == ' ' || line[len] == '=')) {
			const char *end = next != NULL ? next : line + strlen(line);
			for (const char *q = strchr(line, '\''); q != NULL && q < end && n < max;) {
				const char *close = strchr(q + 1, '\'');
				if (close == NULL || close > end) {
					break;
				}
				snprintf(out[n++], 512, "%.*s", (int)(close - q - 1), q + 1);
				q = strchr(close + 1, '\'');
			}
		}
		line = next != NULL ? next + 1 : NULL;
	}
	return n;
}

/* The value of key= in a comma-separated spec; "" if absent. */
static void spec_value(const char *spec, const char *key, char *out, size_t size)
{
	out[0] = '\0';
	size_t len = strlen(key);
	for (const char *p = spec; p != NULL && *p != '\0';) {
		if (strncmp(p, key, len) == 0 && p[len] == '=') {
			snprintf(out, size, "%.*s", (int)strcspn(p + len + 1, ","), p + len + 1);
			return;
		}
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
}

static bool read_cfg(const char *path, struct xl_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	char *text = read_all(path);
	if (text == NULL) {
		return false;
	}
	const char *name = strstr(text, "\nname = \"");
	if (name != NULL) {
		name += strlen("\nname = \"");
		snprintf(cfg->name, sizeof(cfg->name), "%.*s", (int)strcspn(name, "\""), name);
	}
	char specs[MAX_DEVICES][512];
	cfg->devices = list_strings(text, "vdispl", specs, MAX_DEVICES);
	for (int d = 0; d < cfg->devices; d++) {
		char list[512];
		spec_value(specs[d], "connectors", list, sizeof(list));
		CHECK_MSG(list[0] != '\0', "%s: vdispl #%d has no connectors=", path, d);
		for (char *c = strtok(list, ";"); c != NULL && cfg->connectors_len[d] < 4;
			c = strtok(NULL, ";")) {
			struct connector *k = &cfg->connectors[d][cfg->connectors_len[d]++];
			CHECK_MSG(sscanf(c, "%63[^:]:%dx%d", k->id, &k->width, &k->height) == 3,
				"%s: connector '%s' is not ID:WxH", path, c);
		}
	}
	cfg->vkbs = list_strings(text, "vkb", cfg->vkb, MAX_DEVICES);
	free(text);
	return true;
}

/* The connector a surface shows, in the guest's xl.cfg; NULL (said) if it has none. */
static const struct connector *surface_connector(
	const struct layout_surface *s, const struct xl_cfg *cfg, const char *path)
{
	if (s->device >= cfg->devices) {
		CHECK_MSG(false, "%s: no vdispl device %d for guest '%s'", path, (int)s->device,
			s->guest->name);
		return NULL;
	}
	int n = cfg->connectors_len[s->device];
	for (int i = 0; i < n; i++) {
		const struct connector *k = &cfg->connectors[s->device][i];
		if (s->unique_id != NULL ? strcmp(k->id, s->unique_id) == 0 : i == s->connector) {
			return k;
		}
	}
	char which[96];
	if (s->unique_id != NULL) {
		snprintf(which, sizeof(which), "with unique-id %s", s->unique_id);
	} else {
		snprintf(which, sizeof(which), "#%d", (int)s->connector);
	}
	CHECK_MSG(false, "%s: guest '%s' has no connector %s in vdispl device %d", path,
		s->guest->name, which, (int)s->device);
	return NULL;
}

/* An input device for the connector: unique-id T:ID, the connector's size. */
static void check_input(const struct connector *k, const struct xl_cfg *cfg, const char *path)
{
	char want[80];
	snprintf(want, sizeof(want), "T:%s", k->id);
	for (int i = 0; i < cfg->vkbs; i++) {
		char id[128], w[16], h[16];
		spec_value(cfg->vkb[i], "unique-id", id, sizeof(id));
		spec_value(cfg->vkb[i], "width", w, sizeof(w));
		spec_value(cfg->vkb[i], "height", h, sizeof(h));
		for (char *part = strtok(id, ";"); part != NULL; part = strtok(NULL, ";")) {
			if (strcmp(part, want) == 0) {
				CHECK_MSG(atoi(w) == k->width && atoi(h) == k->height,
					"%s: the vkb for %s is %sx%s, its connector %dx%d", path,
					want, w, h, k->width, k->height);
				return;
			}
		}
	}
	CHECK_MSG(false, "%s: no vkb with unique-id=%s for connector '%s'", path, want, k->id);
}

/* EXAMPLE.toml's guests against EXAMPLE/GUEST.cfg; every .cfg there is one of its guests. */
static void check_example(const char *examples, const char *file)
{
	char path[1024], folder[1024];
	snprintf(path, sizeof(path), "%s/%s", examples, file);
	snprintf(folder, sizeof(folder), "%s/%.*s", examples, (int)(strlen(file) - 5), file);
	struct layout_error err;
	struct layout_config *config = layout_config_load(path, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
	}
	CHECK_MSG(config != NULL, "%s does not load", path);
	if (config == NULL) {
		return;
	}
	check_by_name(config, path);
	for (size_t g = 0; g < config->guests_len; g++) {
		const struct layout_guest *guest = &config->guests[g];
		char cfg_path[1200];
		snprintf(cfg_path, sizeof(cfg_path), "%s/%s.cfg", folder, guest->name);
		struct xl_cfg cfg;
		if (!read_cfg(cfg_path, &cfg)) {
			CHECK_MSG(false, "%s: guest '%s' has no xl.cfg %s", path, guest->name,
				cfg_path);
			continue;
		}
		CHECK_MSG(strcmp(cfg.name, guest->name) == 0, "%s: name = \"%s\", not \"%s\"",
			cfg_path, cfg.name, guest->name);
		CHECK_MSG(cfg.devices > 0, "%s: no vdispl", cfg_path);
		int shown = 0;
		for (size_t l = 0; l < config->layouts_len; l++) {
			const struct layout_layout *layout = &config->layouts[l];
			for (size_t s = 0; s < layout->surfaces_len; s++) {
				if (layout->surfaces[s].guest != guest) {
					continue;
				}
				shown++;
				const struct connector *k =
					surface_connector(&layout->surfaces[s], &cfg, cfg_path);
				if (k != NULL) {
					check_input(k, &cfg, cfg_path);
				}
			}
		}
		CHECK_MSG(shown > 0, "%s: guest '%s' is in no layout", path, guest->name);
	}
	DIR *d = opendir(folder);
	CHECK_MSG(d != NULL, "%s: no folder %s for its guests' xl.cfg", path, folder);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.') {
			continue;
		}
		CHECK_MSG(len > 4 && strcmp(e->d_name + len - 4, ".cfg") == 0,
			"%s: %s is not an xl.cfg", folder, e->d_name);
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), e->d_name);
		CHECK_MSG(layout_config_find_guest(config, name) != NULL,
			"%s/%s: %s has no guest '%s'", folder, e->d_name, file, name);
	}
	if (d != NULL) {
		closedir(d);
	}
	layout_config_destroy(config);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s EXAMPLES-DIR README MANUAL\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	CHECK(d != NULL);
	int examples = 0;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".toml") == 0) {
			check_example(argv[1], e->d_name);
			examples++;
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	CHECK_INT(examples, 3);

	struct layout_config *config = parse_block(argv[2], "## Layouts", "```toml\n");
	if (config != NULL) {
		CHECK_INT(config->layouts_len, 2);
		check_by_name(config, "README.md, Layouts");
		layout_config_destroy(config);
	}
	config = parse_block(argv[3], "\n# EXAMPLE\n", "```\n");
	if (config != NULL) {
		check_by_name(config, "the manual's EXAMPLE");
		layout_config_destroy(config);
	}
	return check_result("layout-examples");
}
