#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mosaicctl/mosaicctl.h"
#include "mosaicctl/schema.h"
#include "protocol/control.h"

/* Room for a line's object: escapes, and null for every key the line leaves out. */
#define OBJECT_MAX (3 * CONTROL_MAX_LINE)

static bool line_object(const char *command, const char *line, char *object)
{
	char why[256];
	if (!schema_line_to_json(command, line, object, OBJECT_MAX, why, sizeof(why))) {
		fprintf(stderr, "mosaicctl: cannot read the reply line (%s): %s\n", why, line);
		return false;
	}
	return true;
}

bool ctl_print_line(const struct ctl *ctl, const char *command, const char *line)
{
	char copy[CONTROL_MAX_LINE];
	snprintf(copy, sizeof(copy), "%s", line);
	copy[strcspn(copy, "\n")] = '\0';
	if (!ctl->json) {
		puts(copy);
		return true;
	}
	char object[OBJECT_MAX];
	if (!line_object(command, copy, object)) {
		return false;
	}
	puts(object);
	return true;
}

/* Appends text to a growing document; false when out of memory. */
static bool append(char **doc, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *grown = realloc(*doc, *len + n + 1);
	if (grown == NULL) {
		return false;
	}
	memcpy(grown + *len, text, n + 1);
	*doc = grown;
	*len += n;
	return true;
}

bool ctl_print_reply(const struct ctl *ctl, const char *command, const char *lines)
{
	if (!ctl->json) {
		fputs(lines, stdout);
		return true;
	}
	bool array = schema_shape(command) == SCHEMA_ARRAY;
	/* The whole document first: nothing is printed of a reply that cannot all be read. */
	char *doc = NULL;
	size_t len = 0;
	bool ok = !array || append(&doc, &len, "[");
	int count = 0;
	for (const char *p = lines; ok && *p != '\0'; count++) {
		size_t n = strcspn(p, "\n");
		char line[CONTROL_MAX_LINE], object[OBJECT_MAX];
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += p[n] == '\n' ? n + 1 : n;
		/* An array's objects one per line: a line-minded reader still finds each. */
		const char *lead = !array ? "" : count == 0 ? "\n" : ",\n";
		ok = line_object(command, line, object) && append(&doc, &len, lead) &&
		     append(&doc, &len, object) && (array || append(&doc, &len, "\n"));
	}
	if (ok && array) {
		ok = append(&doc, &len, count > 0 ? "\n]\n" : "]\n");
	}
	if (ok && doc != NULL) {
		fputs(doc, stdout);
	}
	free(doc);
	return ok;
}
