#ifndef VGUEST_OPTIONS_H
#define VGUEST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define OPTIONS_NAME_MAX 32

struct vguest_options {
	const char *name;
	unsigned int dev;
	uint64_t frames;       /* flips per connector, then hold the last frame; 0: forever */
	double fps;            /* at most this many flips per second; 0: as fast as events allow */
	uint32_t format;       /* DRM fourcc of the framebuffers */
	uint64_t exit_after;   /* _exit after this many flips (all connectors); 0: never */
	uint64_t report_every; /* a progress line every N flips per connector; 0: never */
	bool verbose;
};

enum options_result {
	OPTIONS_RUN,
	OPTIONS_HELP,  /* usage printed to stdout */
	OPTIONS_ERROR, /* message printed to stderr */
};

enum options_result options_parse(int argc, char **argv, struct vguest_options *opts);

#endif
