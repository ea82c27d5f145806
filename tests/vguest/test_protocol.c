/* Unit tests of the guest's pure parts: parsing, options, page directories, wire layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "displif.h"
#include "options.h"
#include "parse.h"
#include "pattern.h"
#include "pgdir.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void test_parse_uint(void)
{
	unsigned long v = 0;
	CHECK(parse_uint("0", 10, &v) && v == 0, "0");
	CHECK(parse_uint("4095", 4095, &v) && v == 4095, "max");
	CHECK(!parse_uint("4096", 4095, &v), "over max");
	CHECK(!parse_uint("5", 0, &v), "over max 0");
	CHECK(!parse_uint("", 10, &v), "empty");
	CHECK(!parse_uint(NULL, 10, &v), "NULL");
	CHECK(!parse_uint("-1", 10, &v), "sign");
	CHECK(!parse_uint(" 1", 10, &v), "space");
	CHECK(!parse_uint("1 ", 10, &v), "trailing space");
	CHECK(!parse_uint("0x10", 100, &v), "hex");
	CHECK(!parse_uint("99999999999999999999999", (unsigned long)-1, &v), "overflow");
}

static void test_parse_resolution(void)
{
	uint32_t w = 0, h = 0;
	CHECK(parse_resolution("640x480", 4095, 2047, &w, &h) && w == 640 && h == 480, "vga");
	CHECK(parse_resolution("4095x2047", 4095, 2047, &w, &h), "max");
	CHECK(!parse_resolution("4096x480", 4095, 2047, &w, &h), "too wide");
	CHECK(!parse_resolution("640x2048", 4095, 2047, &w, &h), "too tall");
	CHECK(!parse_resolution("0x480", 4095, 2047, &w, &h), "zero width");
	CHECK(!parse_resolution("640x0", 4095, 2047, &w, &h), "zero height");
	CHECK(!parse_resolution("640X480", 4095, 2047, &w, &h), "capital X");
	CHECK(!parse_resolution("640x480x3", 4095, 2047, &w, &h), "extra");
	CHECK(!parse_resolution("x480", 4095, 2047, &w, &h), "no width");
	CHECK(!parse_resolution("00000000000000000640x480", 4095, 2047, &w, &h), "long width");
	CHECK(!parse_resolution("", 4095, 2047, &w, &h), "empty");
}

static void test_pgdir(void)
{
	CHECK(DISPLIF_GREFS_PER_DIR_PAGE == 1023, "grefs per page %zu",
		(size_t)DISPLIF_GREFS_PER_DIR_PAGE);
	CHECK(pgdir_pages(1) == 1, "1 page");
	CHECK(pgdir_pages(1023) == 1, "1023 pages");
	CHECK(pgdir_pages(1024) == 2, "1024 pages");
	/* 1920x1080 XRGB8888: 2025 pages, 2 directory pages. */
	CHECK(pgdir_pages(2025) == 2, "1080p");

	uint32_t n = 2500;
	uint32_t *grefs = malloc(n * sizeof(*grefs));
	uint32_t ndir = pgdir_pages(n);
	uint32_t dir_grefs[3] = {9001, 9002, 9003};
	uint8_t *dir = malloc((size_t)ndir * DISPLIF_PAGE_SIZE);
	if (grefs == NULL || dir == NULL) {
		failures++;
		free(grefs);
		free(dir);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		grefs[i] = 100 + i;
	}
	memset(dir, 0xee, (size_t)ndir * DISPLIF_PAGE_SIZE);
	pgdir_fill(dir, dir_grefs, ndir, grefs, n);

	CHECK(ndir == 3, "3 directory pages");
	uint32_t seen = 0;
	for (uint32_t p = 0; p < ndir; p++) {
		uint32_t words[DISPLIF_PAGE_SIZE / 4];
		memcpy(words, dir + (size_t)p * DISPLIF_PAGE_SIZE, sizeof(words));
		CHECK(words[0] == (p + 1 < ndir ? dir_grefs[p + 1] : 0), "next of page %u", p);
		for (uint32_t i = 1; i < DISPLIF_PAGE_SIZE / 4; i++) {
			uint32_t want = seen < n ? grefs[seen] : 0;
			if (words[i] != want) {
				CHECK(0, "page %u entry %u is %u, want %u", p, i, words[i], want);
				break;
			}
			seen++;
		}
	}
	free(grefs);
	free(dir);
}

static void test_wire_layout(void)
{
	/* Offsets from the protocol reference: requests, responses and events are 64 bytes. */
	CHECK(sizeof(struct xendispl_req) == 64, "req size");
	CHECK(sizeof(struct xendispl_resp) == 64, "resp size");
	CHECK(sizeof(struct xendispl_evt) == 64, "evt size");
	CHECK(offsetof(struct xendispl_req, operation) == 2, "operation");
	CHECK(offsetof(struct xendispl_req, op.dbuf_create.gref_directory) == 36, "gref_directory");
	CHECK(offsetof(struct xendispl_req, op.fb_attach.pixel_format) == 32, "pixel_format");
	CHECK(offsetof(struct xendispl_req, op.set_config.bpp) == 32, "set_config bpp");
	CHECK(offsetof(struct xendispl_resp, status) == 4, "status");
	CHECK(offsetof(struct xendispl_evt, op.pg_flip.fb_cookie) == 8, "event cookie");
	CHECK(XENDISPL_IN_RING_LEN == 63, "event ring length");

	/* The request ring holds 32 slots. */
	union {
		xen_displif_sring_t sring;
		uint8_t page[DISPLIF_PAGE_SIZE];
	} u;
	xen_displif_front_ring_t ring;
	SHARED_RING_INIT(&u.sring);
	FRONT_RING_INIT(&ring, &u.sring, DISPLIF_PAGE_SIZE);
	CHECK(RING_SIZE(&ring) == 32, "ring size %u", RING_SIZE(&ring));

	CHECK(strcmp(displif_op_name(XENDISPL_OP_PG_FLIP), "PG_FLIP") == 0, "op name");
	CHECK(strcmp(displif_op_name(0x42), "unknown") == 0, "unknown op name");
}

static enum options_result parse(struct vguest_options *opts, int argc, const char **argv)
{
	return options_parse(argc, (char **)argv, opts);
}

static void test_options(void)
{
	struct vguest_options o;
	const char *a1[] = {"vguest", "--name", "cluster"};
	CHECK(parse(&o, 3, a1) == OPTIONS_RUN, "minimal");
	CHECK(strcmp(o.name, "cluster") == 0 && o.dev == 0 && o.frames == 0 && o.fps == 0 &&
			o.format == VGUEST_FORMAT_XRGB8888 && o.exit_after == 0 &&
			o.report_every == 60 && !o.verbose,
		"defaults");

	const char *a2[] = {"vguest", "--name", "rear-seat", "--dev", "1", "--frames", "100",
		"--fps", "30.5", "--format", "AR24", "--exit-after", "7", "--report-every", "10",
		"--verbose"};
	CHECK(parse(&o, 16, a2) == OPTIONS_RUN, "all options");
	CHECK(o.dev == 1 && o.frames == 100 && o.fps == 30.5 &&
			o.format == VGUEST_FORMAT_ARGB8888 && o.exit_after == 7 &&
			o.report_every == 10 && o.verbose,
		"values");

	const char *bad[][4] = {
		{"vguest", "--frames", "1", NULL},
		{"vguest", "--name", "has space", NULL},
		{"vguest", "--name", "", NULL},
		{"vguest", "--name", "x", "--format"},
		{"vguest", "--name", "x", "--fps=0"},
		{"vguest", "--name", "x", "--fps=abc"},
		{"vguest", "--name", "x", "--format=RG16"},
		{"vguest", "--name", "x", "--frames=-1"},
		{"vguest", "--name", "x", "--bogus"},
		{"vguest", "--name", "x", "extra"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = bad[i][3] ? 4 : 3;
		CHECK(parse(&o, argc, bad[i]) == OPTIONS_ERROR, "bad argv %zu accepted", i);
	}
}

int main(void)
{
	test_parse_uint();
	test_parse_resolution();
	test_pgdir();
	test_wire_layout();
	test_options();
	if (failures > 0) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("all protocol checks passed\n");
	return 0;
}
