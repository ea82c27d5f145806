/*
 * Every pixel format Linux's frontend advertises, every kind of buffer
 * (guest-allocated, backend-allocated, PRIME-style imported with a data
 * offset), odd widths whose rows are not 4-byte aligned, four connectors
 * on a device, single-buffered guests, and GET_EDID: each connector flips
 * on time, shows its pattern in the right colours, and reads a valid EDID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "guests.h"
#include "harness.h"
#include "pattern.h"

struct guest {
	int domid;
	const char *name;
	const char *vdispl;
	const char *formats;
	const char *mode; // buffer kind option, or NULL
	int connectors;
};

static const struct guest guests[] = {
	{1, "cluster", "backend=0,be-alloc=1,connectors=a:320x240;b:320x240;c:320x240;d:320x240",
		"XR24,AR24,RG16,RG24", "--be-alloc", 4},
	{2, "infotainment", "backend=0,be-alloc=0,connectors=a:320x240;b:320x240;c:320x240;d:320x240",
		"XR12,AR12,XR15,AR15", "--prime", 4},
	{3, "rear-seat", "backend=0,be-alloc=0,connectors=a:320x240;b:320x240", "YUYV,XR24", NULL, 2},
	/* Odd widths: Linux's pitches are not aligned (321 x 2 bytes), pixman's must be. */
	{4, "odd", "backend=0,be-alloc=0,connectors=a:321x241;b:321x241;c:321x241;d:321x241",
		"RG16,RG24,XR15,YUYV", NULL, 4},
	/*
	 * One framebuffer per connector, drawn while shown and flipped to again:
	 * a converted one gets fresh memory rather than being written while a
	 * frame may read it.
	 */
	{5, "single", "backend=0,be-alloc=0,connectors=a:320x240;b:320x240", "RG24,XR24",
		"--single-buffer", 2},
};
#define NGUESTS (sizeof(guests) / sizeof(guests[0]))

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);

	struct proc *procs[NGUESTS];
	for (size_t i = 0; i < NGUESTS; i++) {
		const struct guest *g = &guests[i];
		char id[16];
		snprintf(id, sizeof(id), "%d", g->domid);
		const char *create[] = {"create", "--domid", id, "--name", g->name, "--vdispl",
			g->vdispl, NULL};
		CHECK(harness_xensim(&h, create) == 0, "cannot create %s", g->name);
		const char *gargs[] = {"--frames", "120", "--edid", "--formats", g->formats,
			g->mode, NULL};
		procs[i] = harness_spawn_guest(&h, g->domid, g->name, gargs);
	}
	for (size_t i = 0; i < NGUESTS; i++) {
		char line[512];
		int edids = 0;
		for (;;) {
			CHECK(proc_wait_line(procs[i], ": ", 60000, line, sizeof(line)),
				"%s stopped before 120 flips", guests[i].name);
			if (strstr(line, " edid ") != NULL) {
				long w, hgt;
				CHECK(line_get_int(line, "width", &w) &&
						line_get_int(line, "height", &hgt) &&
						(w == 320 || w == 321) && (hgt == 240 || hgt == 241),
					"%s: %s", guests[i].name, line);
				edids++;
			}
			if (strstr(line, " done ") != NULL) {
				break;
			}
		}
		CHECK(strstr(line, "done flips=120 timeouts=0 errors=0") != NULL, "%s: %s",
			guests[i].name, line);
		CHECK(edids == guests[i].connectors, "%s: %d EDIDs for %d connectors",
			guests[i].name, edids, guests[i].connectors);
	}

	uint32_t *pixels;
	int w, hgt;
	CHECK(harness_screenshot(&h, NULL, &pixels, &w, &hgt), "screenshot failed");
	int bad = 0;
	for (size_t i = 0; i < NGUESTS; i++) {
		char formats[64];
		snprintf(formats, sizeof(formats), "%s", guests[i].formats);
		char *save = NULL;
		int conn = 0;
		for (char *f = strtok_r(formats, ",", &save); f != NULL;
			f = strtok_r(NULL, ",", &save), conn++) {
			struct surface_info s;
			CHECK(guests_find_surface(&h, guests[i].domid, 0, conn, &s),
				"%s connector %d not listed", guests[i].name, conn);
			uint32_t format = vguest_pattern_format_from_name(f);
			CHECK(format != 0, "unknown format %s", f);
			int n = guests_check_pattern_format(pixels, w, hgt, &s, guests[i].name,
				format);
			if (n != 0) {
				fprintf(stderr, "%s (%s): %d samples off\n", s.label, f, n);
				bad++;
			}
		}
	}
	if (bad != 0) {
		harness_save_png("test-guests-formats-actual.png", pixels, w, hgt);
		fail("%d connectors show wrong colours "
		     "(capture written to test-guests-formats-actual.png)",
			bad);
	}
	free(pixels);

	for (size_t i = 0; i < NGUESTS; i++) {
		CHECK(WEXITSTATUS(proc_stop(procs[i], SIGTERM, 10000)) == 0, "%s exit status",
			guests[i].name);
	}
	harness_stop(&h);
	printf("guests-formats: ok\n");
	return 0;
}
