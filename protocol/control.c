#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "protocol/control.h"

static bool is_separator(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Decodes the word at p (bare, or quoted with \" and \\) in place and
 * terminates it. Returns where the next word may start, NULL if the word is
 * malformed; *end tells whether the line ended with it.
 */
static char *read_word(char *p, bool *end)
{
	char *out = p;
	if (*p == '"') {
		p++;
		while (*p != '"') {
			if (*p == '\0') {
				return NULL;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				p++;
			}
			*out++ = *p++;
		}
		p++;
		if (!is_separator(*p)) {
			return NULL;
		}
	} else {
		while (!is_separator(*p)) {
			*out++ = *p++;
		}
	}
	*end = *p == '\0';
	char *next = *end ? p : p + 1;
	*out = '\0';
	return next;
}

int control_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0' || *p == '\n' || *p == '\r') {
			return argc;
		}
		if (argc == max) {
			return -1;
		}
		argv[argc++] = p;
		bool end;
		if ((p = read_word(p, &end)) == NULL) {
			return -1;
		}
		if (end) {
			return argc;
		}
	}
}

bool control_default_path(char *buf, size_t size)
{
	const char *env = getenv("MOSAIC_CONTROL");
	int n;
	if (env != NULL && env[0] != '\0') {
		n = snprintf(buf, size, "%s", env);
	} else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0') {
		n = snprintf(buf, size, "%s/mosaic.sock", env);
	} else {
		n = snprintf(buf, size, "/tmp/mosaic-%u.sock", (unsigned)getuid());
	}
	return n > 0 && (size_t)n < size;
}

const char *control_quote(const char *value, char *buf, size_t size)
{
	if (size == 0) {
		return buf;
	}
	bool bare = value[0] != '\0';
	for (const char *c = value; *c != '\0' && bare; c++) {
		unsigned char u = (unsigned char)*c;
		bare = u > 0x20 && u < 0x7f && u != '"' && u != '\\';
	}
	size_t n = 0;
	if (bare) {
		snprintf(buf, size, "%s", value);
		return buf;
	}
	if (size < 3) {
		buf[0] = '\0';
		return buf;
	}
	buf[n++] = '"';
	for (const char *c = value; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;
		bool escape = u == '"' || u == '\\';
		/* Room for this character, its escape and the closing quote. */
		if (n + (escape ? 2 : 1) + 2 > size) {
			break;
		}
		if (escape) {
			buf[n++] = '\\';
		}
		buf[n++] = (u < 0x20 || u == 0x7f) ? '?' : *c;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

int control_parse_fields(char *line, struct control_field *fields, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0' || *p == '\n' || *p == '\r') {
			return n;
		}
		if (n == max) {
			return -1;
		}
		struct control_field *f = &fields[n++];
		f->key = NULL;
		char *start = p;
		while (!is_separator(*p) && *p != '=' && *p != '"') {
			p++;
		}
		if (*p == '=') {
			*p++ = '\0';
			f->key = start;
		} else {
			p = start;
		}
		f->value = p;
		bool end;
		if ((p = read_word(p, &end)) == NULL) {
			return -1;
		}
		if (end) {
			return n;
		}
	}
}

/* A decimal number of at most max, all digits, from p up to end. */
static bool parse_uint(const char *p, const char *end, unsigned long max, unsigned long *out)
{
	if (p == end || end - p > 10) {
		return false;
	}
	unsigned long v = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9') {
			return false;
		}
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max) {
		return false;
	}
	*out = v;
	return true;
}

bool control_parse_guest(const char *text, struct control_guest *guest)
{
	memset(guest, 0, sizeof(*guest));
	guest->domid = -1;
	/* Domain names may hold colons (they are not ours): the connector follows the last one. */
	const char *colon = strrchr(text, ':');
	const char *end = colon != NULL ? colon : text + strlen(text);
	size_t len = (size_t)(end - text);
	if (len == 0 || len >= sizeof(guest->name)) {
		return false;
	}
	unsigned long v;
	if (parse_uint(text, end, 0x7fff, &v)) {
		guest->domid = (long)v;
	} else {
		memcpy(guest->name, text, len);
	}
	if (colon == NULL) {
		return true;
	}
	const char *conn = colon + 1;
	const char *dot = strchr(conn, '.');
	if (dot != NULL) {
		if (!parse_uint(conn, dot, 0xffff, &v)) {
			return false;
		}
		guest->dev = (unsigned)v;
		conn = dot + 1;
	}
	if (!parse_uint(conn, conn + strlen(conn), 3, &v)) {
		return false;
	}
	guest->conn = (unsigned)v;
	return true;
}

bool control_parse_rect(const char *text, struct control_rect *rect)
{
	unsigned long v[4];
	const char *p = text;
	for (int i = 0; i < 4; i++) {
		/* The size's two numbers may be parted by 'x' as well as ','. */
		const char *end = p + strcspn(p, i == 2 ? "x," : ",");
		bool last = i == 3;
		if (last != (*end == '\0') || !parse_uint(p, end, 65535, &v[i]) ||
			(i >= 2 && v[i] == 0)) {
			return false;
		}
		p = last ? end : end + 1;
	}
	*rect = (struct control_rect){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
	return true;
}

bool control_guest_matches(const struct control_guest *guest, const char *name, unsigned domid,
	unsigned dev, unsigned conn)
{
	bool who = guest->domid >= 0 ? (unsigned long)guest->domid == domid :
				       name != NULL && strcmp(guest->name, name) == 0;
	return who && guest->dev == dev && guest->conn == conn;
}
