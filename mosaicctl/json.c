#include <stdio.h>
#include <string.h>

#include "mosaicctl/json.h"

void json_init(struct json_out *o, char *buf, size_t size)
{
	*o = (struct json_out){buf, size, 0, size == 0};
	if (size > 0) {
		buf[0] = '\0';
	}
}

static void put(struct json_out *o, const char *text, size_t len)
{
	if (o->full || o->len + len + 1 > o->size) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, text, len);
	o->len += len;
	o->buf[o->len] = '\0';
}

void json_raw(struct json_out *o, const char *text)
{
	put(o, text, strlen(text));
}

void json_string(struct json_out *o, const char *s)
{
	put(o, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char u = (unsigned char)*s;
		char esc[8];
		if (u == '"' || u == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u;
			put(o, esc, 2);
		} else if (u < 0x20 || u == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", u);
			put(o, esc, 6);
		} else {
			put(o, s, 1);
		}
	}
	put(o, "\"", 1);
}

void json_key(struct json_out *o, const char *key, bool first)
{
	if (!first) {
		put(o, ",", 1);
	}
	json_string(o, key);
	put(o, ":", 1);
}

static const char *digits(const char *s)
{
	while (*s >= '0' && *s <= '9') {
		s++;
	}
	return s;
}

/* The integer part; NULL if there is none. */
static const char *integer_part(const char *s)
{
	if (*s == '-') {
		s++;
	}
	if (*s == '0') {
		return s + 1;
	}
	if (*s >= '1' && *s <= '9') {
		return digits(s);
	}
	return NULL;
}

bool json_is_integer(const char *s)
{
	s = integer_part(s);
	return s != NULL && *s == '\0';
}

bool json_is_number(const char *s)
{
	if ((s = integer_part(s)) == NULL) {
		return false;
	}
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9')) {
			return false;
		}
		s = digits(s);
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-') {
			s++;
		}
		if (!(*s >= '0' && *s <= '9')) {
			return false;
		}
		s = digits(s);
	}
	return *s == '\0';
}
