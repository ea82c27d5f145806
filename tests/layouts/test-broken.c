#include <dirent.h>
#include <stdlib.h>

#include "layouts/layout.h"

#include "check.h"

/*
 * Every file in the broken corpus has one problem, and says on its first line
 * which error it must produce:
 *
 *     # expect: LINE:COLUMN: MESSAGE
 *
 * The test fails on any difference in position or wording.
 */

#define EXPECT "# expect: "

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_file(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	char first[600] = "";
	if (f == NULL || fgets(first, sizeof(first), f) == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		check_failures++;
		if (f != NULL) {
			fclose(f);
		}
		return;
	}
	fclose(f);
	first[strcspn(first, "\n")] = '\0';
	int line, column, used = 0;
	if (strncmp(first, EXPECT, strlen(EXPECT)) != 0 ||
		sscanf(first + strlen(EXPECT), "%d:%d: %n", &line, &column, &used) != 2 ||
		used == 0) {
		fprintf(stderr, "%s: first line must be '" EXPECT "LINE:COLUMN: MESSAGE'\n", path);
		check_failures++;
		return;
	}
	const char *message = first + strlen(EXPECT) + used;

	struct layout_error err;
	struct layout_config *config = layout_config_load(path, &err);
	if (config != NULL) {
		fprintf(stderr, "%s: parsed, but expected %d:%d: %s\n", path, line, column,
			message);
		layout_config_destroy(config);
		check_failures++;
		return;
	}
	if (err.line != line || err.column != column || strcmp(err.message, message) != 0 ||
		strcmp(err.file, path) != 0) {
		char got[2048];
		layout_error_format(&err, got, sizeof(got));
		fprintf(stderr, "%s:\n  got      %s\n  expected %s:%d:%d: %s\n", path, got, path,
			line, column, message);
		check_failures++;
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s BROKEN-DIR\n", argv[0]);
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (d == NULL) {
		perror(argv[1]);
		return 1;
	}
	char *names[512];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0])) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".toml") == 0) {
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_names);
	for (size_t k = 0; k < n; k++) {
		check_file(argv[1], names[k]);
		free(names[k]);
	}
	/* The corpus is the specification of the messages; keep it broad. */
	if (n < 40) {
		fprintf(stderr, "only %zu broken files; expected at least 40\n", n);
		check_failures++;
	}
	printf("%zu broken files checked\n", n);
	return check_result("layout-broken");
}
