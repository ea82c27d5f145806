#ifndef MOSAIC_PROTOCOL_CONTROL_H
#define MOSAIC_PROTOCOL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The control protocol between mosaic and mosaicctl, over a Unix socket.
 *
 * A request is one line of words separated by spaces (a word may be quoted
 * with double quotes; \" and \\ escape inside quotes). A reply is any number
 * of data lines followed by one status line: "ok" or "error <message>". A
 * data line "png <n>" is followed by n bytes of PNG data, then a newline.
 *
 * A data line is a type word, sometimes a name word, then key=value pairs:
 *
 *   surface label="Rear camera" domid=7 dev=0 conn=0 state=connected ...
 *
 * A value is written bare when it is non-empty printable ASCII without
 * spaces, quotes or backslashes, else in double quotes with \" and \\
 * escaped; control characters never appear (they become '?'). Keys are
 * only ever added at the end of a line: readers must ignore keys they do
 * not know. Absent numbers and names are written "-".
 *
 * Every line about a guest names it the same way: guest= the domain's name,
 * domid=, and on lines about a connector dev= conn= (vdispl device and
 * connector: GUEST below is "guest:dev.conn"). label= is for people: the
 * layout file's label in surfaces, else "name:dev.conn".
 *
 * Requests and their data lines (x, y, width, height are output-local
 * layout coordinates; "-" where there is nothing):
 *
 *   ping                 nothing
 *   outputs              output name= x= y= width= height= config= scale= transform= refresh=
 *                        (config: the layout file's [[output]] name)
 *   frame-times          frame-times output= frames= skipped= late= interval_p50_ms=
 *                        interval_p99_ms= interval_max_ms= compose_p50_ms= compose_p99_ms=
 *                        compose_max_ms=: per output, since the last frame-times
 *   guests               guest name= domid= dev= conn= unique-id= state= resolution= views=
 *                        flips= copied= guest=
 *                        (every connector mosaic has seen, connected or absent, then
 *                        the layout file's guests that never appeared, with dev=- conn=-)
 *   surfaces             surface label= domid= dev= conn= state= output= x= y= width=
 *                        height= resolution= layout= z= transform= fit= src= visible=
 *                        stale= (yes: its stale-after marker is shown) guest=
 *                        One per view of the active layout (bottom to top), then one per
 *                        connected connector that no view shows (output=-). x..height:
 *                        where the guest's picture is (0 when nothing of it is);
 *                        src=X,Y,W,H the part of the guest's framebuffer shown there,
 *                        before transform. state: connected or absent.
 *   layouts              layout name= surfaces= active=yes|no
 *   layout NAME          switches to layout NAME
 *   output create [WxH]  output name=: a new headless output (--size by default)
 *   output unplug NAME   takes a headless output away
 *   reload               reads the layout file again; a broken file is an error
 *                        "file:line:column: message" and changes nothing
 *   screenshot [OUTPUT] [rect=X,Y,W,H | surface=GUEST]
 *                        screenshot output= seq= x= y= width= height=, then png <n> and the
 *                        PNG: the output (the first by default) in its own pixels (a
 *                        rotated output's picture is turned as the display gets it), or
 *                        the rectangle X,Y WxH of them (an error unless it is inside
 *                        the output), or the rectangle where the first view of GUEST
 *                        (on OUTPUT if given) shows the guest's picture, as the output
 *                        shows it (views above it included; cut to the output). seq: the
 *                        output's last committed frame, for wait-frame after=.
 *   wait-flip GUEST N [timeout=MS]
 *                        flip label= domid= dev= conn= flips= guest=: when GUEST (below) has
 *                        presented its Nth page flip since it connected (flips= how
 *                        many it has); waits for the guest to connect. An error if
 *                        it goes away or MS (default 10000) pass first.
 *   wait-frame [OUTPUT] [after=SEQ] [timeout=MS]
 *                        frame output= seq=: when the output (the first by default)
 *                        presents a frame later than SEQ (default: the last one so
 *                        far); only frames that change something are committed. An
 *                        error if MS (default 10000) pass first.
 *   focus [ARG]          moves keyboard focus (ARG: next, prev, none, a position on screen
 *                        from 1, top to bottom then left to right, or a guest's name), then
 *                        focus label= domid= dev= conn= input=vkbd|vinput|none guest=, or
 *                        focus none
 *   inputs               input domid= kind= dev= state=connected|waiting keyboard=0|1
 *                        pointer=none|relative|absolute|raw range=WxH touch=0|1 contacts=
 *                        touch-size=WxH unique-id= guest= (dev=: the input device's)
 *   input ...            input as from a device of mosaic's own (no key bindings):
 *                        key CODE down|up (Linux code, to the focused guest) | pointer X Y
 *                        (layout coordinates) | button left|right|middle|CODE down|up |
 *                        wheel STEPS | touch down|motion ID X Y | touch up|cancel ID |
 *                        touch frame
 *   follow               event lines until the client disconnects; no status line:
 *                          event guest-connected label= domid= dev= conn= unique-id= resolution=
 *                            guest=
 *                          event guest-gone (the same keys)
 *                          event guest-forgotten (the same keys): its place is given up
 *                          event layout-changed name=
 *                          event reloaded file= layout=
 *                          event reload-failed error=
 *                          event frame output= seq=
 *                          event focus (the focus reply's keys), or event focus none
 *                        A follower that does not keep up with the events is dropped.
 *
 * GUEST names a guest's connector: the domain's name or its domid (all
 * digits), then ":CONN" or ":DEV.CONN" (device and connector, 0.0 by
 * default): "cluster", "cluster:1", "7:0.1".
 */
#define CONTROL_MAX_LINE 4096
#define CONTROL_MAX_ARGS 32
#define CONTROL_MAX_FIELDS 64

/* Splits line in place; returns the number of words, or -1 if malformed. */
int control_split(char *line, char **argv, int max);

/*
 * Writes value as a data line's value (bare or quoted, see above) into buf;
 * returns buf. Cut short, still well-formed, when buf is too small.
 */
const char *control_quote(const char *value, char *buf, size_t size);

/* One word of a data line: key NULL for a bare word. Pointers into the line. */
struct control_field {
	const char *key;
	const char *value;
};

/* Splits a data line in place; returns the number of fields, or -1 if malformed. */
int control_parse_fields(char *line, struct control_field *fields, int max);

/* A guest's connector, as requests name it (GUEST above). */
struct control_guest {
	char name[64]; // "" when by domid
	long domid;    // -1 when by name
	unsigned dev, conn;
};

bool control_parse_guest(const char *text, struct control_guest *guest);
bool control_guest_matches(const struct control_guest *guest, const char *name, unsigned domid,
	unsigned dev, unsigned conn);

/* A rectangle of an output, in its pixels (the screenshot request's rect=). */
struct control_rect {
	int x, y, width, height;
};

/* "X,Y,WxH" (or "X,Y,W,H"): a rectangle with a positive size and x, y >= 0. */
bool control_parse_rect(const char *text, struct control_rect *rect);

/* The socket path: $MOSAIC_CONTROL, else $XDG_RUNTIME_DIR/mosaic.sock, else /tmp. */
bool control_default_path(char *buf, size_t size);

#endif
