/*
 * Another VM's window: QEMU, a Wayland client with its GTK display on
 * mosaic's socket, runs a small VM (Debian's kernel, a busybox init that
 * writes on its VGA console and reports on its serial port what is typed
 * on its keyboard). A layout places the window by the app_id QEMU gives;
 * it is shown there, and keys typed to it (focus, then `input key`) reach
 * the VM: its serial port says so.
 *
 * Needs QEMU_KERNEL and QEMU_INITRD (tests/e2e-xen/run-qemu-client.sh
 * makes them); skipped (77) without them or without QEMU's GTK display.
 */
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "inputs.h"

#define QEMU "/usr/bin/qemu-system-x86_64"
#define QEMU_APP_ID "qemu"

static const char layout_text[] =
	"[[output]]\n"
	"name = 'main'\n"
	"match = { connector = 'HEADLESS-1' }\n"
	"mode = '1024x768'\n"
	"[[layout]]\n"
	"name = 'vm'\n"
	"[[layout.app]]\n"
	"app-id = '" QEMU_APP_ID "'\n"
	"label = 'Other VM'\n"
	"output = 'main'\n"
	"fit = 'contain'\n";

int main(void)
{
	const char *kernel = getenv("QEMU_KERNEL"), *initrd = getenv("QEMU_INITRD");
	if (kernel == NULL || initrd == NULL || access(QEMU, X_OK) != 0) {
		printf("apps-qemu: skipped: QEMU_KERNEL, QEMU_INITRD or %s missing\n", QEMU);
		return 77;
	}
	guests_scratch_dir();
	const char *layout = inputs_write_layout("qemu.toml", layout_text);
	struct harness h;
	const char *args[] = {"--layout", layout, NULL};
	harness_start(&h, args);

	const char *qemu_args[] = {"-display", "gtk,gl=off", "-vga", "std", "-m", "256",
		"-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet",
		"-serial", "stdio", "-monitor", "none", "-no-reboot", NULL};
	struct proc *qemu = guests_wayland_spawn(QEMU, qemu_args);
	char line[512];
	CHECK(proc_wait_line(qemu, "vm: ready", 120000, line, sizeof(line)),
		"the VM never said it was ready");

	/* Placed where the layout puts app_id "qemu": its console's text shows there. */
	int64_t deadline = now_ms() + 30000;
	for (;;) {
		struct view_info v;
		uint32_t *pixels;
		int w, hgt;
		CHECK(harness_screenshot(&h, "HEADLESS-1", &pixels, &w, &hgt), "screenshot failed");
		long black = 0, light = 0;
		bool found = guests_find_view(&h, "Other VM", "HEADLESS-1", &v) &&
			strcmp(v.state, "connected") == 0 && v.width > 0;
		for (long y = v.y; found && y < v.y + v.height; y++) {
			for (long x = v.x; x < v.x + v.width; x++) {
				uint32_t p = pixels[y * w + x] & 0xffffff;
				black += p == 0;
				light += ((p >> 16) & 0xff) > 0x90 && ((p >> 8) & 0xff) > 0x90 &&
					(p & 0xff) > 0x90;
			}
		}
		/* A VGA text console: mostly black, with the init's lines in grey. */
		long area = found ? v.width * v.height : 1;
		if (found && black > area / 2 && light > 500) {
			free(pixels);
			break;
		}
		if (now_ms() > deadline) {
			harness_save_png("test-apps-qemu-actual.png", pixels, w, hgt);
			fail("no VM console where the layout places QEMU (%s; %ld black, %ld light "
			     "pixels; capture in test-apps-qemu-actual.png)",
				found ? "shown" : "no view", black, light);
		}
		free(pixels);
		nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
	}

	/* Typed while the focus is elsewhere: the VM gets nothing. */
	static const int hello[] = {KEY_H, KEY_E, KEY_L, KEY_L, KEY_O, KEY_ENTER};
	free(harness_control(&h, "focus none"));
	inputs_request(&h, "input key %d down", KEY_X);
	inputs_request(&h, "input key %d up", KEY_X);
	/* Focused, its keys reach the VM through QEMU's window. */
	char *reply = harness_control(&h, "focus " QEMU_APP_ID);
	CHECK(reply != NULL && strstr(reply, "app=" QEMU_APP_ID) != NULL, "focus: %s",
		reply != NULL ? reply : "no reply");
	free(reply);
	/* GTK takes the keyboard on its enter: a moment. */
	nanosleep(&(struct timespec){0, 500 * 1000 * 1000}, NULL);
	for (size_t i = 0; i < sizeof(hello) / sizeof(hello[0]); i++) {
		inputs_request(&h, "input key %d down", hello[i]);
		inputs_request(&h, "input key %d up", hello[i]);
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	CHECK(proc_wait_line(qemu, "vm: typed", 30000, line, sizeof(line)),
		"the VM never got the typed line");
	CHECK(strstr(line, "vm: typed 'hello'") != NULL, "the VM got: %s", line);

	proc_stop(qemu, SIGTERM, 10000);
	harness_stop(&h);
	printf("apps-qemu: QEMU's window placed by its app_id, typed keys reach its VM: ok\n");
	return 0;
}
