/*
 * layouts/examples/cockpit.toml on two headless outputs (its HDMI connectors
 * renamed HEADLESS-1 and -2): the outputs take the file's modes and places;
 * each guest shows its pattern where the "driving" layout puts it, scaled
 * to fit, the map inset cropped to cover its rectangle and above the
 * infotainment screen; `layout parked` (with its event on `follow`) moves
 * the cluster and hides the map, whose flips still complete; Super+F1,
 * typed with wtype, switches back, and Super+Print takes a screenshot. A reload keeps the active layout, or
 * falls back to the default when the file no longer has it. The cluster VM,
 * restarted as another domain, is shown in its place again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

struct shot {
	uint32_t *pixels;
	int width, height;
};

static void take(struct harness *h, const char *output, struct shot *s)
{
	CHECK(harness_screenshot(h, output, &s->pixels, &s->width, &s->height),
		"screenshot of %s failed", output);
}

static void expect_box(const struct view_info *v, long x, long y, long w, long hgt)
{
	CHECK(v->x == x && v->y == y && v->width == w && v->height == hgt,
		"%s is at %ld,%ld %ldx%ld, expected %ld,%ld %ldx%ld", v->label, v->x, v->y, v->width,
		v->height, x, y, w, hgt);
}

int main(void)
{
	const char *dir = guests_scratch_dir();
	char example[1024], layout[512];
	CHECK(guests_source_file("layouts/examples/cockpit.toml", example, sizeof(example)),
		"cannot find layouts/examples/cockpit.toml");
	snprintf(layout, sizeof(layout), "%s/cockpit.toml", dir);
	const char *const headless[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"\"HDMI-A-2\"", "\"HEADLESS-2\""},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, headless), "cannot copy %s", example);

	struct harness h;
	const char *args[] = {"--outputs", "2", "--layout", layout, NULL};
	harness_start(&h, args);

	/* The outputs: the file's modes (custom modes on headless outputs) and positions. */
	char *outputs = harness_control(&h, "outputs");
	CHECK(outputs != NULL, "outputs failed");
	CHECK(strstr(outputs, "output name=HEADLESS-1 x=0 y=0 width=1920 height=720 config=cluster") !=
			NULL,
		"cluster output: %s", outputs);
	CHECK(strstr(outputs, "output name=HEADLESS-2 x=0 y=720 width=1920 height=1080 "
			      "config=centre") != NULL,
		"centre output: %s", outputs);
	free(outputs);

	int follow = guests_follow(&h);
	CHECK(follow >= 0, "cannot follow mosaic's events");
	char line[1024];

	harness_create_guest(&h, 1, "cluster", "c0:1280x480");
	harness_create_guest(&h, 2, "infotainment", "i0:1280x720");
	harness_create_guest(&h, 3, "navigation", "n0:800x600");
	const char *guest_args[] = {"--fps", "30", "--report-every", "15", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", guest_args);
	struct proc *info = harness_spawn_guest(&h, 2, "infotainment", guest_args);
	struct proc *nav = harness_spawn_guest(&h, 3, "navigation", guest_args);
	CHECK(guests_follow_wait(follow, "event guest-connected label=navigation:0.0", 10000, line,
		      sizeof(line)),
		"no guest-connected event for navigation");
	CHECK(guests_follow_wait(follow, "event frame output=HEADLESS-2 seq=", 5000, line,
		      sizeof(line)),
		"no frame events");

	/* driving: contain is exact for both (same aspect); the map covers its inset. */
	struct view_info vc, vi, vn;
	guests_wait_view(&h, "Cluster", "HEADLESS-1", 0, "cluster", NULL, &vc);
	expect_box(&vc, 0, 0, 1920, 720);
	CHECK(strcmp(vc.layout, "driving") == 0 && vc.z == 0, "cluster: layout %s z %ld",
		vc.layout, vc.z);
	guests_wait_view(&h, "Navigation", "HEADLESS-2", 0, "navigation", NULL, &vn);
	expect_box(&vn, 1280, 40, 600, 400);
	/* 800x600 covering 600x400: scale 0.75, 800x533.3 of it, cropped evenly top and bottom. */
	CHECK(vn.src_x == 0 && vn.src_w == 800 && vn.src_y > 33.3 && vn.src_y < 33.4 &&
			vn.src_h > 533.3 && vn.src_h < 533.4 && vn.z == 10,
		"navigation shows %g,%g %gx%g at z %ld", vn.src_x, vn.src_y, vn.src_w, vn.src_h,
		vn.z);
	/* Infotainment everywhere but under the inset: the inset is on top. */
	guests_wait_view(&h, "Infotainment", "HEADLESS-2", 0, "infotainment", &vn, &vi);
	expect_box(&vi, 0, 0, 1920, 1080);
	guests_flips_ok(cluster);
	guests_flips_ok(info);
	guests_flips_ok(nav);

	/* Dom0's status bar, placed by its app_id across the top of the centre display. */
	const char *bar_args[] = {"--app-id", "org.example.statusbar", NULL};
	struct proc *bar = guests_wayland_spawn(harness_program("TEST_APP"), bar_args);
	struct view_info vb;
	guests_wait_app_view(&h, "Status bar", "HEADLESS-2", "org.example.statusbar", 1920, 40, &vb);
	expect_box(&vb, 0, 0, 1920, 40);
	CHECK(vb.z == 20, "the status bar is at z %ld", vb.z);

	/* parked, by request: the cluster shrinks to a strip, the map is hidden. */
	char *reply = harness_control(&h, "layout parked");
	CHECK(reply != NULL, "layout parked failed");
	free(reply);
	CHECK(guests_follow_wait(follow, "event layout-changed name=parked", 5000, line,
		      sizeof(line)),
		"no layout-changed event");
	guests_wait_view(&h, "Cluster", "HEADLESS-1", 0, "cluster", NULL, &vc);
	expect_box(&vc, 480, 180, 960, 360);
	struct shot s;
	take(&h, "HEADLESS-1", &s);
	/* Outside the strip, the output's background: "#000000". */
	CHECK((s.pixels[100 * s.width + 100] & 0xffffff) == 0, "cluster background is %06x",
		s.pixels[100 * s.width + 100]);
	free(s.pixels);
	CHECK(guests_find_view(&h, "Navigation", NULL, &vn), "navigation is not listed");
	CHECK(strcmp(vn.visible, "no") == 0 && strcmp(vn.output, "-") == 0,
		"hidden navigation is visible=%s on %s", vn.visible, vn.output);
	guests_wait_view(&h, "Infotainment", "HEADLESS-2", 0, "infotainment", &vb, &vi);
	/* parked has the status bar too. */
	guests_wait_app_view(&h, "Status bar", "HEADLESS-2", "org.example.statusbar", 1920, 40, &vb);
	expect_box(&vb, 0, 0, 1920, 40);
	/* Shown nowhere, the map's flips complete on mosaic's own clock. */
	long before = guests_flips_ok(nav);
	CHECK(guests_flips_ok(nav) > before, "navigation stopped flipping");
	char *layouts = harness_control(&h, "layouts");
	CHECK(layouts != NULL && strstr(layouts, "layout name=parked surfaces=4 active=yes") != NULL,
		"layouts: %s", layouts ? layouts : "(failed)");
	free(layouts);

	char *listed = harness_control(&h, "guests");
	CHECK(listed != NULL &&
			strstr(listed, "guest name=cluster domid=1 dev=0 conn=0 unique-id=c0 "
				       "state=connected resolution=1280x480 views=1") != NULL &&
			strstr(listed, "guest name=navigation domid=3 dev=0 conn=0 unique-id=n0 "
				       "state=connected resolution=800x600 views=0") != NULL,
		"guests: %s", listed ? listed : "(failed)");
	free(listed);

	/* Super+Print, a binding's screenshot: a file in $XDG_RUNTIME_DIR. */
	const char *print[] = {"-M", "logo", "-k", "Print", "-m", "logo", NULL};
	CHECK(guests_wtype(print) == 0, "wtype failed");
	int64_t deadline = now_ms() + 5000;
	for (;;) {
		char pattern[600];
		snprintf(pattern, sizeof(pattern), "ls %s/mosaic-HEADLESS-*.png >/dev/null 2>&1", dir);
		if (system(pattern) == 0) {
			break;
		}
		CHECK(now_ms() < deadline, "Super+Print wrote no screenshot in %s", dir);
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}

	/* Super+F1, typed: back to driving. The binding is taken by mosaic. */
	const char *keys[] = {"-M", "logo", "-k", "F1", "-m", "logo", NULL};
	CHECK(guests_wtype(keys) == 0, "wtype failed");
	CHECK(guests_follow_wait(follow, "event layout-changed name=driving", 5000, line,
		      sizeof(line)),
		"Super+F1 did not switch to driving");
	guests_wait_view(&h, "Cluster", "HEADLESS-1", 0, "cluster", NULL, &vc);
	expect_box(&vc, 0, 0, 1920, 720);
	guests_wait_view(&h, "Navigation", "HEADLESS-2", 0, "navigation", NULL, &vn);
	guests_flips_ok(cluster);
	guests_flips_ok(info);
	guests_flips_ok(nav);

	/*
	 * A reload keeps the active layout when the new file still has it,
	 * else the new file's default becomes active.
	 */
	reply = harness_control(&h, "layout parked");
	CHECK(reply != NULL, "layout parked failed");
	free(reply);
	reply = harness_control(&h, "reload");
	CHECK(reply != NULL, "reload failed");
	free(reply);
	CHECK(guests_follow_wait(follow, "event reloaded", 5000, line, sizeof(line)) &&
			strstr(line, " layout=parked") != NULL,
		"reload did not keep parked: %s", line);
	const char *const renamed[][2] = {
		{"\"HDMI-A-1\"", "\"HEADLESS-1\""},
		{"\"HDMI-A-2\"", "\"HEADLESS-2\""},
		{"\"parked\"", "\"stopped\""},
		{"layout parked", "layout stopped"},
		{NULL, NULL},
	};
	CHECK(guests_copy_replacing(example, layout, renamed), "cannot write %s", layout);
	reply = harness_control(&h, "reload");
	CHECK(reply != NULL, "reload failed");
	free(reply);
	CHECK(guests_follow_wait(follow, "event reloaded", 5000, line, sizeof(line)) &&
			strstr(line, " layout=driving") != NULL,
		"reload without parked did not go to the default: %s", line);
	guests_wait_view(&h, "Cluster", "HEADLESS-1", 0, "cluster", NULL, &vc);
	expect_box(&vc, 0, 0, 1920, 720);

	/*
	 * The cluster VM restarts, as a Xen domain does: domain 1 goes (xensim
	 * destroys a domain whose guest has left) and the cluster comes back as
	 * domain 11. The file names its guests, not their domids: the cluster
	 * display shows it again, in its place.
	 */
	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	CHECK(guests_follow_wait(follow, "event guest-gone label=cluster:0.0", 10000, line,
		      sizeof(line)),
		"no guest-gone event for the cluster");
	harness_create_guest(&h, 11, "cluster", "c0:1280x480");
	cluster = harness_spawn_guest(&h, 11, "cluster", guest_args);
	guests_wait_view(&h, "Cluster", "HEADLESS-1", 0, "cluster", NULL, &vc);
	expect_box(&vc, 0, 0, 1920, 720);
	CHECK(vc.domid == 11, "the cluster's view shows domain %ld", vc.domid);
	guests_flips_ok(cluster);

	proc_stop(bar, SIGTERM, 5000);
	struct proc *guests[] = {cluster, info, nav};
	for (size_t i = 0; i < 3; i++) {
		CHECK(WEXITSTATUS(proc_stop(guests[i], SIGTERM, 10000)) == 0, "%s exit status",
			guests[i]->name);
	}
	harness_stop(&h);
	printf("layout-cockpit: ok\n");
	return 0;
}
