#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layouts/layout.h"
#include "layouts/toml.h"

void layout_error_at(struct layout_error *err, const struct layout_pos *pos, const char *fmt, ...)
{
	snprintf(err->file, sizeof(err->file), "%s", pos && pos->file ? pos->file : "");
	err->line = pos ? pos->line : 0;
	err->column = pos ? pos->column : 0;
	va_list args;
	va_start(args, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, args);
	va_end(args);
	/* A message is one line, whatever a quoted string in the file held. */
	for (char *c = err->message; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*c = '?';
		}
	}
}

int layout_error_format(const struct layout_error *err, char *buf, size_t size)
{
	if (err->line > 0) {
		return snprintf(
			buf, size, "%s:%d:%d: %s", err->file, err->line, err->column, err->message);
	}
	return snprintf(buf, size, "%s: %s", err->file, err->message);
}

void layout_error_print(const struct layout_error *err, FILE *f)
{
	char buf[sizeof(err->file) + sizeof(err->message) + 32];
	layout_error_format(err, buf, sizeof(buf));
	fprintf(f, "%s\n", buf);
}

static void free_output(struct layout_output *o)
{
	free(o->name);
	free(o->match.connector);
	free(o->match.make);
	free(o->match.model);
	free(o->match.serial);
	free(o->mode_text);
	free(o->background_image);
}

static void free_layout(struct layout_layout *l)
{
	for (size_t k = 0; k < l->surfaces_len; k++) {
		free(l->surfaces[k].unique_id);
		free(l->surfaces[k].app_id);
		free(l->surfaces[k].title);
		free(l->surfaces[k].app_label);
	}
	free(l->surfaces);
	free(l->name);
}

static void free_binding(struct layout_binding *b)
{
	free(b->combination);
	free(b->key);
	free(b->command);
}

void layout_config_destroy(struct layout_config *config)
{
	if (config == NULL) {
		return;
	}
	for (size_t k = 0; k < config->outputs_len; k++) {
		free_output(&config->outputs[k]);
	}
	free(config->outputs);
	for (size_t k = 0; k < config->guests_len; k++) {
		free(config->guests[k].name);
		free(config->guests[k].label);
	}
	free(config->guests);
	for (size_t k = 0; k < config->layouts_len; k++) {
		free_layout(&config->layouts[k]);
	}
	free(config->layouts);
	for (size_t k = 0; k < config->bindings_len; k++) {
		free_binding(&config->bindings[k]);
	}
	for (size_t k = 0; k < config->touch_len; k++) {
		free(config->touch[k].device);
	}
	free(config->touch);
	free(config->inputs);
	free(config->bindings);
	free(config->file);
	free(config->dir);
	free(config);
}

struct layout_config *layout_config_load(const char *path, struct layout_error *err)
{
	struct layout_pos pos = {path, 0, 0};
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		layout_error_at(err, &pos, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		layout_error_at(err, &pos, "cannot read: %s", strerror(errno));
		goto error;
	}
	if (!S_ISREG(st.st_mode)) {
		layout_error_at(err, &pos, "not a regular file");
		goto error;
	}
	if (st.st_size > TOML_MAX_INPUT) {
		layout_error_at(err, &pos, "file is too large (%lld bytes; at most %d)",
			(long long)st.st_size, TOML_MAX_INPUT);
		goto error;
	}
	/* One byte more than allowed tells a file that grew since fstat. */
	buf = malloc(TOML_MAX_INPUT + 1);
	if (buf == NULL) {
		layout_error_at(err, &pos, "out of memory");
		goto error;
	}
	size_t len = 0;
	while (len < TOML_MAX_INPUT + 1) {
		ssize_t n = read(fd, buf + len, TOML_MAX_INPUT + 1 - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			layout_error_at(err, &pos, "cannot read: %s", strerror(errno));
			goto error;
		}
		if (n == 0) {
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	fd = -1;
	struct layout_config *config = layout_config_parse(buf, len, path, err);
	free(buf);
	return config;

error:
	free(buf);
	if (fd >= 0) {
		close(fd);
	}
	return NULL;
}

const struct layout_layout *layout_config_find_layout(
	const struct layout_config *config, const char *name)
{
	for (size_t k = 0; k < config->layouts_len; k++) {
		if (strcmp(config->layouts[k].name, name) == 0) {
			return &config->layouts[k];
		}
	}
	return NULL;
}

const struct layout_output *layout_config_find_output(
	const struct layout_config *config, const char *name)
{
	for (size_t k = 0; k < config->outputs_len; k++) {
		if (strcmp(config->outputs[k].name, name) == 0) {
			return &config->outputs[k];
		}
	}
	return NULL;
}

const struct layout_guest *layout_config_find_guest(
	const struct layout_config *config, const char *name)
{
	for (size_t k = 0; k < config->guests_len; k++) {
		if (config->guests[k].name != NULL && strcmp(config->guests[k].name, name) == 0) {
			return &config->guests[k];
		}
	}
	return NULL;
}

bool layout_guest_matches(const struct layout_guest *g, const char *name, uint32_t domid)
{
	return (g->name == NULL || strcmp(g->name, name) == 0) &&
	       (g->domid < 0 || (uint32_t)g->domid == domid);
}
