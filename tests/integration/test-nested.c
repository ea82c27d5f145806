/*
 * mosaic nested in an X server (Xvfb) whose window is not the size of
 * --size: the window is made 1024x768, then resized to --size, then resized
 * from outside (xdotool, as a window manager would). A frame being composed
 * when the window's size changed used to be committed into a swapchain that
 * was gone (SIGSEGV), and a resized output kept the arrangement of its old
 * size. Each time: the guest's flips go on without a timeout, its pattern is
 * where mosaic says, and mosaic exits cleanly. Then in weston (headless,
 * kiosk shell), which makes the window its output's size and sends it no
 * frame callbacks: the host's size is kept (a bigger buffer was a protocol
 * error that cut mosaic off), and the guest's flips complete on the
 * connector's own clock. Skipped (77) without Xvfb and xdotool; the weston
 * part is left out without weston.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"

static bool wait_path(const char *path, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct stat st;
	while (stat(path, &st) != 0) {
		if (now_ms() > deadline) {
			return false;
		}
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	return true;
}

/* The output's size as mosaic reports it. */
static void output_size(struct harness *h, long *width, long *height)
{
	char *out = harness_control(h, "outputs");
	CHECK(out != NULL && line_get_int(out, "width", width) && line_get_int(out, "height", height),
		"outputs: %s", out != NULL ? out : "-");
	free(out);
}

/* The guest flips on without a timeout and its pattern is where mosaic shows it. */
static void check_guest(struct harness *h, struct proc *guest, const char *when)
{
	guests_flips_ok(guest);
	guests_flips_ok(guest);
	struct surface_info si;
	CHECK(guests_find_surface(h, 1, 0, 0, &si), "no surface %s", when);
	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(h, NULL, &pixels, &w, &hgt), "screenshot failed %s", when);
	int bad = guests_check_pattern(pixels, w, hgt, &si, "nested", 2);
	if (bad != 0) {
		harness_save_png("test-nested-actual.png", pixels, w, hgt);
		fail("%s: %d samples off (capture in test-nested-actual.png)", when, bad);
	}
	free(pixels);
}

static struct proc *run_guest(struct harness *h)
{
	harness_create_guest(h, 1, "nested", "n0:640x480");
	const char *args[] = {"--report-every", "20", NULL};
	return harness_spawn_guest(h, 1, "nested", args);
}

static void in_x11(void)
{
	int n;
	char lock[64], sock[64], display[16];
	for (n = 71; n < 200; n++) {
		snprintf(lock, sizeof(lock), "/tmp/.X%d-lock", n);
		snprintf(sock, sizeof(sock), "/tmp/.X11-unix/X%d", n);
		if (access(lock, F_OK) != 0 && access(sock, F_OK) != 0) {
			break;
		}
	}
	snprintf(display, sizeof(display), ":%d", n);
	char *xvfb_argv[] = {"/usr/bin/Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp",
		NULL};
	struct proc *xvfb = proc_spawn("Xvfb", xvfb_argv, NULL);
	CHECK(wait_path(sock, 10000), "Xvfb %s did not start", display);
	setenv("DISPLAY", display, 1);
	unsetenv("WAYLAND_DISPLAY");

	struct harness h;
	const char *args[] = {"--size", "1920x1080", NULL};
	harness_start_nested(&h, args);
	struct proc *guest = run_guest(&h);
	long w, hgt;
	output_size(&h, &w, &hgt);
	CHECK(w == 1920 && hgt == 1080, "X11 output %ldx%ld, not --size", w, hgt);
	check_guest(&h, guest, "in X11");

	/* Resized from outside, as a window manager would. */
	/* The window has no name: the last top-level one (the first listed is the root). */
	char *xdotool_argv[] = {"/bin/sh", "-c",
		"xdotool windowsize \"$(xdotool search --maxdepth 1 --name '' | tail -n 1)\" 800 600",
		NULL};
	struct proc *xdotool = proc_spawn("xdotool", xdotool_argv, NULL);
	int status = proc_wait_exit(xdotool, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"xdotool windowsize failed (%#x)", status);
	int64_t deadline = now_ms() + 10000;
	do {
		output_size(&h, &w, &hgt);
		CHECK(now_ms() < deadline, "the X11 output stayed %ldx%ld", w, hgt);
	} while (w != 800 || hgt != 600);
	check_guest(&h, guest, "after the X11 window was resized");

	CHECK(WEXITSTATUS(proc_stop(guest, SIGTERM, 10000)) == 0, "guest exit status");
	harness_stop(&h);
	proc_stop(xvfb, SIGTERM, 5000);
	unsetenv("DISPLAY");
}

/*
 * In weston's headless backend with the kiosk shell: the window is made the
 * size of weston's output (1280x800) by the shell, whatever --size says,
 * as a tiling compositor does.
 */
static void in_wayland(void)
{
	char runtime[] = "/tmp/mosaic-nested-XXXXXX";
	CHECK(mkdtemp(runtime) != NULL, "no runtime directory");
	char socket[128];
	snprintf(socket, sizeof(socket), "%s/wl-nested", runtime);
	char *weston_argv[] = {"/usr/bin/weston", "--backend=headless-backend.so",
		"--socket=wl-nested", "--width=1280", "--height=800", "--shell=kiosk-shell.so",
		"--idle-time=0", NULL};
	char xdg[160];
	snprintf(xdg, sizeof(xdg), "XDG_RUNTIME_DIR=%s", runtime);
	char *weston_env[] = {xdg, NULL};
	struct proc *weston = proc_spawn("weston", weston_argv, weston_env);
	CHECK(wait_path(socket, 10000), "weston did not start");
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	setenv("WAYLAND_DISPLAY", "wl-nested", 1);
	unsetenv("DISPLAY");

	struct harness h;
	const char *args[] = {"--size", "1920x1080", NULL};
	harness_start_nested(&h, args);
	struct proc *guest = run_guest(&h);
	long w, hgt;
	int64_t deadline = now_ms() + 10000;
	do {
		output_size(&h, &w, &hgt);
		CHECK(now_ms() < deadline, "the Wayland output stayed %ldx%ld", w, hgt);
	} while (w != 1280 || hgt != 800);
	check_guest(&h, guest, "in weston's kiosk shell");

	CHECK(WEXITSTATUS(proc_stop(guest, SIGTERM, 10000)) == 0, "guest exit status");
	harness_stop(&h);
	proc_stop(weston, SIGTERM, 5000);
	unsetenv("WAYLAND_DISPLAY");
	rmdir(runtime);
}

static bool have(const char *program)
{
	char path[256];
	snprintf(path, sizeof(path), "/usr/bin/%s", program);
	return access(path, X_OK) == 0;
}

int main(void)
{
	if (!have("Xvfb") || !have("xdotool")) {
		printf("nested-x11: skipped (needs Xvfb and xdotool)\n");
		return 77;
	}
	in_x11();
	if (have("weston")) {
		in_wayland();
	} else {
		printf("nested-x11: no weston, nested Wayland not tried\n");
	}
	printf("nested-x11: ok\n");
	return 0;
}
