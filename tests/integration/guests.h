#ifndef MOSAIC_TESTS_GUESTS_H
#define MOSAIC_TESTS_GUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

/* Where mosaic says a guest connector is, from `surfaces`. */
struct surface_info {
	char label[64];
	char state[16];
	long domid, dev, conn;
	long x, y, width, height;
	long res_width, res_height;
};

bool guests_find_surface(struct harness *h, long domid, long dev, long conn,
	struct surface_info *out);

/*
 * Compares the stable regions of the guest's pattern (bar centres, the band)
 * with the screenshot where the surface is shown. Returns the number of
 * samples off by more than tolerance in any channel; describes the first.
 */
int guests_check_pattern(const uint32_t *pixels, int width, int height,
	const struct surface_info *surface, const char *name, int tolerance);

/* The same for a guest drawing in DRM fourcc format, with the format's own tolerance. */
int guests_check_pattern_format(const uint32_t *pixels, int width, int height,
	const struct surface_info *surface, const char *name, uint32_t format);

/* The colour at the surface's centre. */
uint32_t guests_centre_colour(const uint32_t *pixels, int width, int height,
	const struct surface_info *surface);

bool colour_close(uint32_t a, uint32_t b, int tolerance);

/* --- Layout views (the test-layout-* tests) --- */

/* One line of `surfaces` with a layout's keys: where a view shows which guest connector. */
struct view_info {
	char label[140];
	char state[16];
	char output[32];
	char layout[68];
	char transform[16];
	char fit[16];
	char visible[8];
	char stale[8]; // yes: the stale-after marker is shown
	long domid, dev, conn; // -1 where mosaic says "-"
	long x, y, width, height; // output-local
	long res_width, res_height;
	long z;
	double src_x, src_y, src_w, src_h; // the part of the guest's framebuffer shown
};

/* A point of a 1x1 space through a wl_output transform (by name), as wlroots maps boxes. */
void guests_transform_point(const char *t, double u, double v, double *ou, double *ov);
/* The connector pixel (fractional) under output-local point px, py of view v, worked out independently. */
void guests_view_point(const struct view_info *v, double px, double py, double *gx, double *gy);
/* Fails unless the line ends with a point ("... X Y") within a pixel of (x, y). */
void guests_check_point(const char *line, double x, double y);
/* "key=value" of a data line, value bare or double-quoted (\" and \\ escaped). */
bool guests_line_value(const char *line, const char *key, char *value, size_t size);
/* The view of `surfaces` with this label (as written in the layout file) on output (NULL: any). */
bool guests_find_view(struct harness *h, const char *label, const char *output,
	struct view_info *out);
/* The same, the nth (from 0) such view, bottom to top: a guest may be shown several times. */
bool guests_find_view_nth(struct harness *h, const char *label, const char *output, int nth,
	struct view_info *out);
/* A control request's whole reply, status line included (malloc'd); NULL if mosaic is gone. */
char *guests_control_reply(struct harness *h, const char *request);
/*
 * Compares the stable regions of guest `name`'s pattern (res_width x
 * res_height) that the view shows with the screenshot of its output,
 * mapping each guest pixel through src, transform and the view's box.
 * Samples under `above`'s box (a view on top, or NULL) are skipped. Returns
 * the number of samples off by more than tolerance; *checked (if not NULL)
 * the number compared.
 */
int guests_check_view(const uint32_t *pixels, int width, int height, const struct view_info *v,
	const struct view_info *above, const char *name, int tolerance, int *checked);
/*
 * Counts the pixels of box (output-local) that are colour (within 2) and
 * those that are clearly lighter (text); the rest goes to *other.
 */
void guests_count_placeholder(const uint32_t *pixels, int width, int height, long x, long y,
	long w, long h, uint32_t colour, long *flat, long *light, long *other);
/* A file of the source tree, by its path from the top ("layouts/examples/split.toml"). */
bool guests_source_file(const char *relative, char *out, size_t size);
/* Copies src to dst replacing every occurrence of pairs[i][0] by pairs[i][1] (NULL-ended). */
bool guests_copy_replacing(const char *src, const char *dst, const char *const pairs[][2]);
/* A `follow` connection to mosaic's control socket; -1 on failure. */
int guests_follow(struct harness *h);
/* Waits for an event line containing needle (others are skipped); copies it. */
bool guests_follow_wait(int fd, const char *needle, int timeout_ms, char *line, size_t size);

/*
 * A directory for the test's files, removed at exit; also XDG_RUNTIME_DIR
 * from now on, so that mosaic's Wayland socket is there.
 */
const char *guests_scratch_dir(void);
/* Runs wtype ARGS against mosaic's Wayland socket; its exit status. */
int guests_wtype(const char *const args[]);
/* The same without waiting for it. */
struct proc *guests_wtype_spawn(const char *const args[]);
/* Starts program ARGS as a client of mosaic's Wayland socket (in the scratch directory). */
struct proc *guests_wayland_spawn(const char *program, const char *const args[]);

/*
 * Waits (10 s at most) until the nth view of label on output shows guest
 * name's pattern (guests_check_view, what is under `above` skipped), on an
 * output of any scale; fails the test with a capture otherwise.
 */
void guests_wait_view(struct harness *h, const char *label, const char *output, int nth,
	const char *name, const struct view_info *above, struct view_info *v);
/*
 * The same for an app of ours (mosaic-test-app draws the pattern named by
 * its app_id): first until its view shows a width x height picture (the
 * size it was configured to).
 */
void guests_wait_app_view(struct harness *h, const char *label, const char *output,
	const char *app_id, long width, long height, struct view_info *v);
/* The guest's next progress line (--report-every): its flips count, none timed out. */
long guests_flips_ok(struct proc *guest);
/* Flips per second the guest presents over its next reports (each ok). */
double guests_flip_rate(struct proc *guest, int reports);
/* How many of the domain's granted pages others (mosaic) have mapped, per xensim. */
long guests_mapped_by_others(struct harness *h, int domid);
/* Flips mosaic has accepted from the guest's (first) connector, per `guests`. */
long guests_flips_accepted(struct harness *h, const char *name);
/* mosaic's resident memory (VmRSS), kB. */
long guests_mosaic_rss_kb(struct harness *h);

#endif
