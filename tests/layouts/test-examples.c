#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdlib.h>

#include "layouts/layout.h"

#include "check.h"

/*
 * The example layouts as a user gets them: each guest matched by its
 * domain's name, never pinned to a domid (a restarted domain gets a new
 * one and would never be shown again), in layouts/examples/, the
 * README's layout and the manual's.
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

/* EXAMPLE.toml: it loads, and its guests are matched by name. */
static void check_example(const char *examples, const char *file)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", examples, file);
	struct layout_error err;
	struct layout_config *config = layout_config_load(path, &err);
	if (config == NULL) {
		layout_error_print(&err, stderr);
	}
	CHECK_MSG(config != NULL, "%s does not load", path);
	if (config != NULL) {
		check_by_name(config, path);
		layout_config_destroy(config);
	}
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
