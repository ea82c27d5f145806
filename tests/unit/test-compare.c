/*
 * Screenshot comparison: per-channel tolerance, masks, the differing pixels'
 * count and bounding box, the diff picture, and the tolerance parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mosaicctl/compare.h"

enum { W = 16, H = 9 };

int main(void)
{
	uint32_t ref[W * H], cap[W * H];
	for (int i = 0; i < W * H; i++) {
		ref[i] = (uint32_t)(i * 0x010203) & 0xffffff;
		/* The X byte is not a colour: it never counts. */
		cap[i] = ref[i] | 0xab000000u;
	}
	struct compare_options opt = {0};
	struct compare_result r;
	compare_pictures(ref, cap, W, H, &opt, &r);
	CHECK(r.compared == W * H && r.differing == 0 && r.box.width == 0);

	/* Off by 3 in green at (4,2) and by 1 in blue at (10,6). */
	cap[2 * W + 4] = ref[2 * W + 4] + 0x000300;
	cap[6 * W + 10] = ref[6 * W + 10] + 0x000001;
	compare_pictures(ref, cap, W, H, &opt, &r);
	CHECK(r.differing == 2 && r.box.x == 4 && r.box.y == 2 && r.box.width == 7 &&
		r.box.height == 5);
	CHECK(r.first_x == 4 && r.first_y == 2 && r.first_capture == (ref[2 * W + 4] + 0x300));
	CHECK(r.max_delta[0] == 0 && r.max_delta[1] == 3 && r.max_delta[2] == 1);
	/* Per channel: green may be off by 3, blue by 0. */
	int tol[3];
	CHECK(compare_parse_tolerance("0,3,0", tol));
	memcpy(opt.tolerance, tol, sizeof(tol));
	compare_pictures(ref, cap, W, H, &opt, &r);
	CHECK(r.differing == 1 && r.box.x == 10 && r.box.y == 6 && r.box.width == 1 &&
		r.box.height == 1);
	CHECK(compare_parse_tolerance("2", tol) && tol[0] == 2 && tol[1] == 2 && tol[2] == 2);
	memcpy(opt.tolerance, tol, sizeof(tol));
	compare_pictures(ref, cap, W, H, &opt, &r);
	CHECK(r.differing == 1 && r.box.x == 4);
	/* Masked away: neither compared nor counted. */
	struct compare_rect masks[1] = {{3, 1, 2, 2}};
	opt.masks = masks;
	opt.masks_len = 1;
	compare_pictures(ref, cap, W, H, &opt, &r);
	CHECK(r.differing == 0 && r.compared == W * H - 4);

	/* Red where it differs, grey (dimmed) where it matches, bluish under masks. */
	opt.masks_len = 0;
	opt.tolerance[0] = opt.tolerance[1] = opt.tolerance[2] = 0;
	uint32_t *diff = compare_diff_picture(ref, cap, W, H, &opt);
	CHECK(diff != NULL);
	if (diff != NULL) {
		CHECK(diff[2 * W + 4] == 0xff0000 && diff[6 * W + 10] == 0xff0000);
		uint32_t p = diff[8 * W + 15];
		CHECK((p >> 16) == ((p >> 8) & 0xff) && (p >> 16) == (p & 0xff) && p != 0xff0000);
		free(diff);
	}
	opt.masks_len = 1;
	diff = compare_diff_picture(ref, cap, W, H, &opt);
	CHECK(diff != NULL);
	if (diff != NULL) {
		uint32_t p = diff[2 * W + 4];
		CHECK((p & 0xff) > (p >> 16) + 64);
		free(diff);
	}

	CHECK(!compare_parse_tolerance("256", tol));
	CHECK(!compare_parse_tolerance("1,2", tol));
	CHECK(!compare_parse_tolerance("1,2,3,", tol));
	CHECK(!compare_parse_tolerance("", tol));

	return check_result("test-compare");
}
