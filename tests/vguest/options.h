#ifndef VGUEST_OPTIONS_H
#define VGUEST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "modes.h"

#define OPTIONS_NAME_MAX 32
/* xen-drm-front's connector limit; --formats has at most this many entries. */
#define OPTIONS_FORMATS_MAX 4
#define OPTIONS_DATA_OFS_DEFAULT 256

struct vguest_options {
	const char *name;
	unsigned int dev;
	uint64_t frames; /* flips per connector, then hold the last frame; 0: forever */
	double fps;      /* at most this many flips per second; 0: as fast as events allow */
	uint32_t format; /* DRM fourcc of the framebuffers */
	uint32_t formats[OPTIONS_FORMATS_MAX]; /* --formats: per connector, overriding format */
	unsigned int nformats;
	bool be_alloc;     /* buffers allocated by the backend (XENDISPL_DBUF_FLG_REQ_ALLOC) */
	bool prime;        /* PRIME-import style buffers: geometry only at FB_ATTACH */
	uint32_t data_ofs; /* --prime: offset of the pixels in the first page */
	bool edid;         /* GET_EDID on every connector before creating buffers */
	bool reconnect;    /* reconnect when the backend comes back to InitWait */
	uint64_t reconnect_after; /* go back to Initialising after every N flips; 0: never */
	double late_ms;           /* a flip event later than this is counted late */
	enum misbehave_mode misbehave;
	bool vkb;              /* --vkb N: run the kbdif frontend of device/vkbd/N */
	unsigned int vkb_dev;
	bool no_display;       /* no vdispl frontend: --vkb alone */
	bool vkb_raw;          /* request raw pointer coordinates where offered */
	bool vkb_relative;     /* request no absolute pointer even where offered */
	uint32_t vkb_delay_ms; /* consume one event per this many ms; 0: all at once */
	enum kbd_misbehave_mode kbd_misbehave;
	uint64_t exit_after;   /* _exit after this many flips (all connectors); 0: never */
	uint64_t report_every; /* a progress line every N flips per connector; 0: never */
	bool perturb;          /* every frame has pixel (perturb_x, perturb_y) inverted */
	uint32_t perturb_x, perturb_y;
	bool still;        /* draw each buffer once, then flip without drawing (benchmarks) */
	bool single_buffer; /* draw into the shown framebuffer and flip to it again */
	bool report_setup; /* a line per buffer: how long DBUF_CREATE and FB_ATTACH took */
	bool stall_events; /* never read the event rings; a flip is done when answered */
	bool verbose;
};

enum options_result {
	OPTIONS_RUN,
	OPTIONS_HELP,  /* usage printed to stdout */
	OPTIONS_ERROR, /* message printed to stderr */
};

enum options_result options_parse(int argc, char **argv, struct vguest_options *opts);

/* The fourcc connector i uses: its --formats entry, else --format. */
uint32_t options_format(const struct vguest_options *opts, int connector);

#endif
