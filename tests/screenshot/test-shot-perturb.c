/*
 * That the comparison sees one wrong guest pixel. A 128x72 guest shown one
 * to one at 16,12 of a 160x96 output, at its third frame. It leaves (a
 * placeholder) and comes back: `expect`, which captured the placeholder
 * first, keeps comparing on new frames until the third frame matches again. The guest
 * comes back with --perturb 20,30 (one pixel inverted): `expect` fails with
 * exactly one differing pixel at 36,42, writes the capture and a diff with
 * that pixel red, and passes again with that pixel masked. A missing
 * reference is written from the capture, and is a failure.
 */
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests.h"
#include "harness.h"
#include "shot.h"

static uint32_t pixel_of(const char *path, int x, int y)
{
	png_image image = {.version = PNG_IMAGE_VERSION};
	CHECK(png_image_begin_read_from_file(&image, path), "cannot read %s", path);
	image.format = PNG_FORMAT_BGRA;
	uint32_t *data = malloc(PNG_IMAGE_SIZE(image));
	CHECK(data != NULL && png_image_finish_read(&image, NULL, data, 0, NULL),
		"cannot decode %s", path);
	CHECK(x < (int)image.width && y < (int)image.height, "%s is too small", path);
	uint32_t p = data[y * image.width + x] & 0xffffff;
	free(data);
	return p;
}

static long value(const char *line, const char *key)
{
	long v = -1;
	CHECK(line_get_int(line, key, &v), "no %s in '%s'", key, line);
	return v;
}

int main(int argc, char **argv)
{
	shot_init(argc, argv);
	struct harness h;
	const char *args[] = {"--size", "160x96", NULL};
	harness_start(&h, args);
	/*
	 * mosaic's events say when the guest has come and gone. Followed before
	 * the domain exists: mosaic has taken the request by the time the
	 * toolstack sees the backend in InitWait.
	 */
	int follow = guests_follow(&h);
	CHECK(follow >= 0, "cannot follow mosaic's events");
	harness_create_guest(&h, 1, "alpha", "a0:128x72");
	const char *clean_args[] = {"--frames", "3", NULL};
	struct proc *alpha = harness_spawn_guest(&h, 1, "alpha", clean_args);
	CHECK(guests_follow_wait(follow, "event guest-connected label=alpha:0.0", 10000, NULL, 0),
		"alpha did not come");
	shot_wait_flip("alpha", 3);
	shot_expect("perturb", NULL);
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	CHECK(guests_follow_wait(follow, "event guest-gone label=alpha:0.0", 10000, NULL, 0),
		"alpha did not go");

	/* Compared until it matches: the first capture is of the guest's placeholder. */
	char reference[1200], line[2048];
	snprintf(reference, sizeof(reference), "%s/perturb.png", shot_reference_dir());
	char *expect_argv[] = {(char *)harness_program("MOSAICCTL"), "expect", reference,
		"--tolerance", SHOT_TOLERANCE, "--timeout", "30", "--diff-dir",
		(char *)shot_diff_dir(), "--verbose", NULL};
	struct proc *expect = proc_spawn("mosaicctl", expect_argv, NULL);
	CHECK(proc_wait_line(expect, "capture n=1 ", 20000, line, sizeof(line)),
		"expect did not capture the placeholder");
	/* The simulated domain went with its last process: as a guest rebooting. */
	harness_create_guest(&h, 1, "alpha", "a0:128x72");
	alpha = harness_spawn_guest(&h, 1, "alpha", clean_args);
	CHECK(proc_wait_line(expect, "expect result=", 40000, line, sizeof(line)),
		"expect said nothing");
	int status = proc_wait_exit(expect, 10000);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the clean guest does not match: %s", line);
	CHECK(value(line, "captures") >= 2, "expect did not compare again: %s", line);
	CHECK(guests_follow_wait(follow, "event guest-connected label=alpha:0.0", 10000, NULL, 0),
		"alpha did not come back");
	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	CHECK(guests_follow_wait(follow, "event guest-gone label=alpha:0.0", 10000, NULL, 0),
		"alpha did not go");

	/* The same guest with one pixel inverted. */
	const char *bad_args[] = {"--frames", "3", "--perturb", "20,30", NULL};
	harness_create_guest(&h, 1, "alpha", "a0:128x72");
	alpha = harness_spawn_guest(&h, 1, "alpha", bad_args);
	shot_wait_flip("alpha", 3);
	const char *once[] = {"--timeout", "0", NULL};
	status = shot_compare("perturb", once, line, sizeof(line));
	CHECK(status == 1, "expect exited %d for a perturbed pixel: %s", status, line);
	CHECK(strstr(line, "expect result=differ ") == line, "not a difference: %s", line);
	CHECK(value(line, "differing") == 1 && value(line, "x") == 36 && value(line, "y") == 42 &&
			value(line, "width") == 1 && value(line, "height") == 1,
		"expected one pixel at 36,42: %s", line);
	char capture[1200], diff[1200];
	snprintf(capture, sizeof(capture), "%s/perturb-actual.png", shot_diff_dir());
	snprintf(diff, sizeof(diff), "%s/perturb-diff.png", shot_diff_dir());
	CHECK(strstr(line, capture) != NULL && strstr(line, diff) != NULL,
		"the capture and diff paths are not in '%s'", line);
	/* Yellow inverted: blue. */
	CHECK(pixel_of(capture, 36, 42) == 0x0000ff, "the capture's pixel is %06x",
		pixel_of(capture, 36, 42));
	CHECK(pixel_of(diff, 36, 42) == 0xff0000, "the diff does not show the pixel red");
	uint32_t dim = pixel_of(diff, 37, 42);
	CHECK(dim != 0xff0000 && (dim >> 16) == (dim & 0xff), "a matching pixel is %06x", dim);

	/* Masked, the pixel does not count. */
	const char *masked[] = {"--timeout", "0", "--mask", "36,42,1x1", NULL};
	status = shot_compare("perturb", masked, line, sizeof(line));
	CHECK(status == 0, "masked, it still differs: %s", line);
	CHECK(value(line, "compared") == 160 * 96 - 1, "masked pixels compared: %s", line);

	/* No reference: the capture becomes one, and that is a failure. */
	char missing[1200];
	snprintf(missing, sizeof(missing), "%s/perturb-new.png", shot_diff_dir());
	unlink(missing);
	const char *bootstrap[] = {"expect", missing, "--timeout", "0", NULL};
	CHECK(shot_mosaicctl(bootstrap, line, sizeof(line)) == 1 &&
			strstr(line, "expect result=missing") == line,
		"a missing reference: %s", line);
	CHECK(pixel_of(missing, 36, 42) == 0x0000ff, "the new reference is not the capture");
	CHECK(shot_mosaicctl(bootstrap, line, sizeof(line)) == 0, "the new reference: %s", line);
	unlink(missing);

	CHECK(WEXITSTATUS(proc_stop(alpha, SIGTERM, 10000)) == 0, "alpha exit status");
	harness_stop(&h);
	printf("shot-perturb: ok\n");
	return 0;
}
