#ifndef MOSAIC_LAYOUTS_LAYOUT_H
#define MOSAIC_LAYOUTS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The layout file: which outputs exist, which guests, and named layouts that
 * place guests' connectors on outputs. See mosaic-layout(5).
 *
 * A config is immutable once made, and either whole or absent: parsing
 * returns NULL on the first problem, with the problem's place in the file.
 * Every element remembers where it was written, so the compositor can point
 * at it when something goes wrong at run time (layout_error_at).
 */

/* Sane bounds: anything outside is a mistake, and keeps arithmetic in range. */
#define LAYOUT_MAX_COORD 32768  /* |x|, |y| of positions and rectangles */
#define LAYOUT_MAX_SIZE 16384   /* width and height of rectangles and modes */
#define LAYOUT_MAX_CONNECTORS 4 /* connectors per vdispl device */
#define LAYOUT_MAX_SCALE 4.0
#define LAYOUT_MAX_Z 1000000
#define LAYOUT_MAX_NAME 64 /* bytes in a name */
#define LAYOUT_MAX_LABEL 128
#define LAYOUT_MAX_OUTPUTS 64
#define LAYOUT_MAX_GUESTS 256
#define LAYOUT_MAX_LAYOUTS 256
#define LAYOUT_MAX_SURFACES 256 /* per layout, guests' and apps' */
#define LAYOUT_MAX_BINDINGS 256
#define LAYOUT_MAX_INPUTS 256
#define LAYOUT_MAX_DOMID 32751 /* DOMID_FIRST_RESERVED - 1 */
#define LAYOUT_MIN_STALE_MS 20     /* stale-after: a frame or so at the least */
#define LAYOUT_MAX_STALE_MS 600000 /* and ten minutes at the most */

/* A place in a layout file. file points into the config and lives as long as it. */
struct layout_pos {
	const char *file;
	int line;   /* 1-based; 0 when not about a place in the file */
	int column; /* 1-based, in characters */
};

struct layout_error {
	char file[1024];
	int line;
	int column;
	char message[512];
};

/* Same values as enum wl_output_transform. */
enum layout_transform {
	LAYOUT_TRANSFORM_NORMAL = 0,
	LAYOUT_TRANSFORM_90 = 1,
	LAYOUT_TRANSFORM_180 = 2,
	LAYOUT_TRANSFORM_270 = 3,
	LAYOUT_TRANSFORM_FLIPPED = 4,
	LAYOUT_TRANSFORM_FLIPPED_90 = 5,
	LAYOUT_TRANSFORM_FLIPPED_180 = 6,
	LAYOUT_TRANSFORM_FLIPPED_270 = 7,
};

enum layout_fit {
	LAYOUT_FIT_STRETCH, /* fill the rectangle, aspect ratio lost */
	LAYOUT_FIT_CONTAIN, /* as large as fits, aspect kept, centred (letterbox) */
	LAYOUT_FIT_COVER,   /* fill the rectangle, aspect kept, source cropped centred */
	LAYOUT_FIT_NONE,    /* 1:1 pixels, centred, cropped if larger */
};

/* Same values as enum wlr_keyboard_modifier. */
enum layout_modifier {
	LAYOUT_MOD_SHIFT = 1 << 0,
	LAYOUT_MOD_CTRL = 1 << 2,
	LAYOUT_MOD_ALT = 1 << 3, /* Mod1 */
	LAYOUT_MOD_MOD2 = 1 << 4,
	LAYOUT_MOD_MOD3 = 1 << 5,
	LAYOUT_MOD_SUPER = 1 << 6, /* Mod4, Logo */
	LAYOUT_MOD_MOD5 = 1 << 7,
};

enum layout_command {
	LAYOUT_COMMAND_LAYOUT,     /* layout NAME */
	LAYOUT_COMMAND_FOCUS,      /* focus next | prev | none | N | GUEST */
	LAYOUT_COMMAND_RELOAD,     /* reload */
	LAYOUT_COMMAND_SCREENSHOT, /* screenshot [ARGS...] */
};

struct layout_rect {
	int32_t x, y, width, height;
};

struct layout_fbox {
	double x, y, width, height;
};

struct layout_colour {
	uint8_t r, g, b, a;
};

struct layout_mode {
	int32_t width, height;
	int32_t refresh_mhz; /* 0: any rate */
};

/* Which real output an [[output]] is; NULL fields match anything, at least one is set. */
struct layout_match {
	char *connector; /* "HDMI-A-1", "HEADLESS-1", "WL-1", ... */
	char *make;
	char *model;
	char *serial;
};

struct layout_output {
	struct layout_pos pos; /* the [[output]] header */
	char *name;
	struct layout_match match;
	bool has_mode;
	struct layout_mode mode;
	char *mode_text; /* as written, for messages; NULL without a mode */
	bool has_position;
	int32_t x, y;
	double scale; /* default 1 */
	enum layout_transform transform;
	struct layout_colour background; /* default opaque black */
	char *background_image;          /* resolved against the file's directory; NULL if none */
	/* Where each setting is written; the header's place when it is not. */
	struct {
		struct layout_pos name, match, mode, position, scale, transform, background,
			background_image;
	} at;
};

struct layout_guest {
	struct layout_pos pos;
	char *name;    /* Xen domain name, or NULL to match by domid only */
	int32_t domid; /* -1: any (match by name) */
	char *label;   /* never NULL: the name, or "domain N" */
	struct layout_colour colour;
	struct {
		struct layout_pos name, domid, label, colour;
	} at;
};

/*
 * A view of a layout: a guest's connector ([[layout.surface]]) or a dom0
 * app's window ([[layout.app]]), with the same view properties.
 */
struct layout_surface {
	struct layout_pos pos; /* the [[layout.surface]] or [[layout.app]] header */
	int number;            /* 1-based, in file order among its kind in its layout, for messages */
	const struct layout_guest *guest; /* NULL for an app */
	/* An app: the app_id it gave itself, and the title it must have too (NULL: any). */
	char *app_id;
	char *title;
	char *app_label;   /* owned: label of an app */
	/* What marks the view (placeholder, focus frame): the guest's, or the app entry's. */
	const char *label;
	struct layout_colour colour;
	int32_t device;    /* vdispl devid */
	int32_t connector; /* index, or -1 when unique_id names the connector */
	char *unique_id;
	const struct layout_output *output;
	bool has_rect;           /* false: the whole output */
	struct layout_rect rect; /* output pixels */
	enum layout_fit fit;     /* default contain */
	bool has_crop;
	struct layout_rect crop; /* guest pixels */
	enum layout_transform transform;
	int32_t z;
	double opacity;
	bool visible;
	bool placeholder;
	int32_t stale_after_ms; /* 0: never marked stale */
	struct {
		struct layout_pos guest, device, connector, output, rect, fit, crop, transform, z,
			opacity, visible, placeholder, stale_after, app_id, title, label, colour;
	} at;
};

/* One [[layout]]: a named arrangement of surfaces. */
struct layout_layout {
	struct layout_pos pos;
	char *name;
	struct layout_surface *surfaces; /* guests' and apps', bottom to top: by z, ties in file order */
	size_t surfaces_len;
	struct {
		struct layout_pos name;
	} at;
};

struct layout_binding {
	struct layout_pos pos; /* the key combination */
	char *combination;     /* as written */
	uint32_t modifiers;    /* enum layout_modifier */
	char *key;             /* an xkbcommon keysym name, checked by the compositor */
	char *command;         /* as written: a control request */
	enum layout_command verb;
	const struct layout_layout *layout; /* LAYOUT_COMMAND_LAYOUT's target */
	const struct layout_guest *guest;   /* LAYOUT_COMMAND_FOCUS's target, if a guest (else an app's, by name) */
	struct {
		struct layout_pos command;
	} at;
};

/* [[input]]: which PV input device of a guest serves which of its display connectors. */
struct layout_input {
	struct layout_pos pos;
	const struct layout_guest *guest;
	int32_t device;         /* vkbd/vinput devid, default 0 */
	int32_t display_device; /* vdispl devid, default 0 */
	int32_t connector;      /* connector index, default 0 */
	struct {
		struct layout_pos guest, device, display_device, connector;
	} at;
};

/* [[touch]]: a touch screen (by device name) and the output it is glued to. */
struct layout_touch {
	struct layout_pos pos;
	char *device; /* a part of the device's name; NULL: every touch screen */
	const struct layout_output *output;
	struct {
		struct layout_pos device, output;
	} at;
};

struct layout_config {
	char *file;                                 /* as given; layout_pos.file points here */
	char *dir;                                  /* the file's directory, for relative paths */
	const struct layout_layout *default_layout; /* never NULL */
	struct layout_output *outputs;
	size_t outputs_len;
	struct layout_guest *guests;
	size_t guests_len;
	struct layout_layout *layouts; /* in file order */
	size_t layouts_len;
	struct layout_binding *bindings; /* in file order */
	size_t bindings_len;
	struct layout_input *inputs; /* in file order */
	size_t inputs_len;
	struct layout_touch *touch; /* in file order; the first that matches a device counts */
	size_t touch_len;
	bool focus_follows_click;
	bool default_bindings; /* Super+1..9, Super+(Shift+)Tab, Super+Escape; default true */
	bool allow_screencopy; /* dom0's Wayland clients may capture outputs; default false */
	struct {
		struct layout_pos default_layout, follows_click, default_bindings, allow_screencopy;
	} at;
};

/* Reads and parses a file. NULL with err set on any problem. */
struct layout_config *layout_config_load(const char *path, struct layout_error *err);
/*
 * Parses len bytes of buf (not necessarily NUL-terminated). filename names
 * the buffer in messages (NULL: "<input>") and anchors relative paths.
 */
struct layout_config *layout_config_parse(
	const char *buf, size_t len, const char *filename, struct layout_error *err);
void layout_config_destroy(struct layout_config *config);

const struct layout_layout *layout_config_find_layout(
	const struct layout_config *config, const char *name);
const struct layout_output *layout_config_find_output(
	const struct layout_config *config, const char *name);
const struct layout_guest *layout_config_find_guest(
	const struct layout_config *config, const char *name);
/* Whether [[guest]] g is the domain of that name and domid (a name or domid it leaves out matches any). */
bool layout_guest_matches(const struct layout_guest *g, const char *name, uint32_t domid);

/* Fills err with pos and a printf-style message. */
void layout_error_at(struct layout_error *err, const struct layout_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "file:line:column: message" (or "file: message"); returns what snprintf returns. */
int layout_error_format(const struct layout_error *err, char *buf, size_t size);
/* The formatted error and a newline. */
void layout_error_print(const struct layout_error *err, FILE *f);

/*
 * Where a source of src_w x src_h pixels (already cropped, before transform)
 * lands in dest, and which part of it is shown. transform has the meaning of
 * a wl_output_transform applied to the source. out_dest is in dest's
 * coordinates; out_src is relative to the source's top-left corner (add the
 * crop's x, y). Returns false, with both zeroed, when nothing can be shown.
 */
bool layout_fit_rect(enum layout_fit fit, const struct layout_rect *dest, int32_t src_w,
	int32_t src_h, enum layout_transform transform, struct layout_rect *out_dest,
	struct layout_fbox *out_src);

/* Value syntaxes, shared with the compositor and mosaicctl. */
bool layout_colour_parse(const char *text, struct layout_colour *out);
/* A stable, readable colour for a name (the guest's default colour). */
struct layout_colour layout_colour_from_name(const char *name);
/* "WxH" or "WxH@Hz"; Hz may have a fraction. */
bool layout_mode_parse(const char *text, struct layout_mode *out);
bool layout_transform_parse(const char *text, enum layout_transform *out);
const char *layout_transform_name(enum layout_transform transform);
bool layout_fit_parse(const char *text, enum layout_fit *out);
/* "200ms", "1.5s": milliseconds, LAYOUT_MIN_STALE_MS to LAYOUT_MAX_STALE_MS. */
bool layout_duration_parse(const char *text, int32_t *ms);
const char *layout_fit_name(enum layout_fit fit);

#endif
