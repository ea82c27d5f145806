#ifndef MOSAIC_COMPOSITOR_CONTROL_ARGS_H
#define MOSAIC_COMPOSITOR_CONTROL_ARGS_H

#include <stdbool.h>

/*
 * A request's words: options are "key=value" words with a key the request
 * knows; the other words are positional (a guest's name may hold a '=').
 * argv[0] is the command.
 */
struct control_reply;

/* The value of option key, NULL if not given. */
const char *args_option(int argc, char **argv, const char *key);
/* The nth positional word, NULL if there is none; *count: how many there are. */
const char *args_positional(int argc, char **argv, const char *const keys[], int n, int *count);
/* timeout=MS, 10 s if not given; false after replying with an error. */
bool args_timeout(struct control_reply *reply, int argc, char **argv, int *ms);

#endif
