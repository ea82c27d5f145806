/*
 * A screenshot's rectangle lies inside its output, or it is an error.
 * Screenshots are encoded off the event loop and answered when ready:
 * requests sent behind one are answered after it, in order; clients that
 * hang up with a screenshot in flight leave mosaic serving the others; a
 * client that asks for many and reads none (megabytes unread) holds up
 * nobody; a follower of events that reads none is dropped once it leaves
 * more unread than mosaic keeps; a key binding's screenshot is saved to a file; mosaic stops
 * cleanly (no leak, under the sanitizers) with a screenshot still being
 * encoded.
 */
#include <glob.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

/* Checks a PNG's size, with libpng's own reader; data NULL: read path. */
static bool png_size(const uint8_t *data, size_t len, const char *path, int *w, int *h)
{
	png_image image = {.version = PNG_IMAGE_VERSION};
	bool ok = data != NULL ? png_image_begin_read_from_memory(&image, data, len)
			       : png_image_begin_read_from_file(&image, path);
	if (!ok) {
		return false;
	}
	*w = (int)image.width;
	*h = (int)image.height;
	image.format = PNG_FORMAT_RGB;
	uint8_t *rgb = malloc(PNG_IMAGE_SIZE(image));
	ok = rgb != NULL && png_image_finish_read(&image, NULL, rgb, 0, NULL);
	free(rgb);
	png_image_free(&image);
	return ok;
}

static const char layout_text[] = "[[output]]\n"
				  "name = 'main'\n"
				  "match = { connector = 'HEADLESS-1' }\n"
				  "[[guest]]\n"
				  "name = 'cluster'\n"
				  "[[layout]]\n"
				  "name = 'one'\n"
				  "[[layout.surface]]\n"
				  "guest = 'cluster'\n"
				  "output = 'main'\n"
				  "rect = [0, 0, 320, 240]\n"
				  "[bindings]\n"
				  "'F12' = 'screenshot'\n";

/* Reads a screenshot reply: its PNG decoded, and the status line after it. */
static void read_screenshot(struct ctl *c, int want_w, int want_h)
{
	char line[512];
	CHECK(fgets(line, sizeof(line), c->in) != NULL, "no reply to screenshot");
	CHECK(strncmp(line, "screenshot output=HEADLESS-1 ", 29) == 0, "not a screenshot: %s",
		line);
	long width = 0, height = 0;
	CHECK(line_get_int(line, "width", &width) && line_get_int(line, "height", &height) &&
			width == want_w && height == want_h,
		"screenshot of %ldx%ld, not %dx%d", width, height, want_w, want_h);
	size_t len = 0;
	CHECK(fgets(line, sizeof(line), c->in) != NULL && sscanf(line, "png %zu", &len) == 1 &&
			len > 0 && len < (64u << 20),
		"no PNG length: %s", line);
	uint8_t *png = malloc(len);
	CHECK(png != NULL && fread(png, 1, len, c->in) == len, "short PNG");
	int w = 0, h = 0;
	CHECK(png_size(png, len, NULL, &w, &h), "the PNG does not decode");
	CHECK(w == want_w && h == want_h, "the PNG is %dx%d, not %dx%d", w, h, want_w, want_h);
	free(png);
	CHECK(fgets(line, sizeof(line), c->in) != NULL && strcmp(line, "\n") == 0,
		"no line end after the PNG");
	CHECK(fgets(line, sizeof(line), c->in) != NULL && strcmp(line, "ok\n") == 0,
		"screenshot not ok: %s", line);
}

/* Connects, asks for a screenshot and hangs up without reading it. */
static void screenshot_and_hang_up(struct harness *h)
{
	struct ctl c;
	ctl_open(h, &c);
	ctl_send(&c, "screenshot");
	ctl_close(&c);
}

int main(void)
{
	struct harness h;
	const char *layout = inputs_write_layout("screenshot.toml", layout_text);
	const char *args[] = {"--size", "640x480", "--layout", layout, NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "cluster", "c0:320x240");
	const char *guest_args[] = {"--report-every", "0", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	CHECK(proc_wait_line(cluster, "connected", 10000, NULL, 0), "cluster did not connect");

	/* Three requests in one write: the answers come in their order. */
	struct ctl c;
	ctl_open(&h, &c);
	ctl_send(&c, "screenshot\nscreenshot rect=10,20,30,40\noutputs");
	read_screenshot(&c, 640, 480);
	read_screenshot(&c, 30, 40);
	char line[512];
	CHECK(fgets(line, sizeof(line), c.in) != NULL &&
			strncmp(line, "output name=HEADLESS-1 ", 23) == 0,
		"outputs did not follow the screenshots: %s", line);
	ctl_reply(&c, false, NULL, 0);

	/* A rectangle is taken whole or refused, never cut to the output's size. */
	static const char *const outside[] = {"0,0,5000,5000", "0,0,5000x5000", "600,400,100,100",
		"0,0,641,480", "640,0,1,1", "0,479,640,2"};
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		ctl_send(&c, "screenshot rect=%s", outside[i]);
		char status[512];
		CHECK(!ctl_reply(&c, true, status, sizeof(status)) &&
				strstr(status, "is not inside output HEADLESS-1 (640x480)") != NULL,
			"screenshot rect=%s: %s", outside[i], status);
	}
	ctl_send(&c, "screenshot rect=0,0,640,480\nscreenshot rect=639,479,1x1");
	read_screenshot(&c, 640, 480);
	read_screenshot(&c, 1, 1);

	/* Clients gone before their picture is ready: nothing is sent, others are served. */
	for (int i = 0; i < 20; i++) {
		screenshot_and_hang_up(&h);
	}
	ctl_send(&c, "screenshot");
	read_screenshot(&c, 640, 480);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt) && w == 640 && hgt == 480,
		"a screenshot after 20 hang-ups failed");
	free(pixels);

	/*
	 * A client that asks for 40 screenshots and reads none: far more than a
	 * socket holds. The others are answered meanwhile, the guest flips on.
	 */
	struct ctl stuck;
	ctl_open(&h, &stuck);
	for (int i = 0; i < 40; i++) {
		ctl_send(&stuck, "screenshot");
	}
	for (int i = 0; i < 5; i++) {
		ctl_send(&c, "screenshot");
		read_screenshot(&c, 640, 480);
	}
	char *listed = harness_control(&h, "guests");
	CHECK(listed != NULL, "guests failed beside a client that does not read");
	free(listed);
	long flips_before = 0;
	ctl_send(&c, "guests");
	CHECK(fgets(line, sizeof(line), c.in) != NULL && line_get_int(line, "flips", &flips_before),
		"no flips in: %s", line);
	ctl_reply(&c, false, NULL, 0);
	ctl_ok(&c, "wait-flip cluster %ld timeout=5000", flips_before + 30);
	ctl_close(&stuck);

	/*
	 * A follower that reads nothing while focus changes thousands of times
	 * (an event each, about 1.3 MB in all): dropped, mosaic goes on.
	 */
	struct ctl follower;
	ctl_open(&h, &follower);
	ctl_send(&follower, "follow");
	ctl_ok(&c, "ping");
	for (int i = 0; i < 20000; i++) {
		ctl_send(&c, "focus cluster");
		ctl_send(&c, "focus none");
		ctl_reply(&c, false, NULL, 0);
		ctl_reply(&c, false, NULL, 0);
	}
	/* Frame events go on coming: a follower kept would read for ever. */
	struct timeval tv = {5, 0};
	setsockopt(follower.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	long events = 0;
	int64_t until = now_ms() + 10000;
	while (now_ms() < until && fgets(line, sizeof(line), follower.in) != NULL) {
		events++;
	}
	CHECK(feof(follower.in), "the follower was not dropped (%ld events read in 10 s)", events);
	fprintf(stderr, "the follower read %ld events before it was dropped\n", events);
	CHECK(events > 0 && events < 40000, "%ld events for 40000 focus changes", events);
	ctl_close(&follower);
	ctl_ok(&c, "ping");

	/* A binding's screenshot (no client to answer) is written to a file. */
	const char *f12[] = {"-k", "F12", NULL};
	CHECK(guests_wtype(f12) == 0, "wtype -k F12 failed");
	/* In $XDG_RUNTIME_DIR, which is the scratch directory; whole once it decodes. */
	char pattern[600];
	snprintf(pattern, sizeof(pattern), "%s/mosaic-HEADLESS-1-*.png", guests_scratch_dir());
	int64_t deadline = now_ms() + 10000;
	bool saved = false;
	while (!saved && now_ms() < deadline) {
		glob_t g;
		saved = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1 &&
			png_size(NULL, 0, g.gl_pathv[0], &w, &hgt) && w == 640 && hgt == 480;
		if (saved) {
			unlink(g.gl_pathv[0]);
		}
		globfree(&g);
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}
	CHECK(saved, "F12 saved no 640x480 PNG as %s", pattern);

	/* The guest flipped on meanwhile. */
	ctl_ok(&c, "wait-flip cluster 30 timeout=10000");
	ctl_close(&c);

	/* Stopping with a screenshot being encoded: mosaic waits for it and exits cleanly. */
	struct ctl last;
	ctl_open(&h, &last);
	ctl_send(&last, "screenshot");
	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	ctl_close(&last);
	printf("control-screenshot: ok\n");
	return 0;
}
