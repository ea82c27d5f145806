#include <stdlib.h>
#include <string.h>

#include "compositor/control/args.h"
#include "compositor/control/reply.h"

static bool is_option(const char *word, const char *const keys[])
{
	for (size_t k = 0; keys[k] != NULL; k++) {
		size_t len = strlen(keys[k]);
		if (strncmp(word, keys[k], len) == 0 && word[len] == '=') {
			return true;
		}
	}
	return false;
}

const char *args_option(int argc, char **argv, const char *key)
{
	const char *const keys[] = {key, NULL};
	for (int i = 1; i < argc; i++) {
		if (is_option(argv[i], keys)) {
			return argv[i] + strlen(key) + 1;
		}
	}
	return NULL;
}

const char *args_positional(int argc, char **argv, const char *const keys[], int n, int *count)
{
	const char *word = NULL;
	*count = 0;
	for (int i = 1; i < argc; i++) {
		if (!is_option(argv[i], keys) && (*count)++ == n) {
			word = argv[i];
		}
	}
	return word;
}

bool args_timeout(struct control_reply *reply, int argc, char **argv, int *ms)
{
	const char *value = args_option(argc, argv, "timeout");
	*ms = 10000;
	if (value == NULL) {
		return true;
	}
	char *end;
	long v = strtol(value, &end, 10);
	if (end == value || *end != '\0' || v < 1 || v > 3600000) {
		reply_printf(reply, "error timeout wants milliseconds, 1 to 3600000\n");
		return false;
	}
	*ms = (int)v;
	return true;
}
