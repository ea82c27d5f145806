/*
 * Unit tests of the guest's pure parts: parsing, options, page directories,
 * wire layout, EDID checks, latency statistics, misbehave mode names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "displif.h"
#include "edid.h"
#include "latency.h"
#include "modes.h"
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
		{"vguest", "--name", "x", "--format=NV12"},
		{"vguest", "--name", "x", "--frames=-1"},
		{"vguest", "--name", "x", "--bogus"},
		{"vguest", "--name", "x", "extra"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = bad[i][3] ? 4 : 3;
		CHECK(parse(&o, argc, bad[i]) == OPTIONS_ERROR, "bad argv %zu accepted", i);
	}

	CHECK(parse(&o, 3, a1) == OPTIONS_RUN && o.nformats == 0 && !o.be_alloc && !o.prime &&
			o.data_ofs == 256 && !o.edid && !o.reconnect && o.reconnect_after == 0 &&
			o.late_ms == 50 && o.misbehave == MISBEHAVE_NONE,
		"new defaults");
	const char *a3[] = {"vguest", "--name", "x", "--format", "YUYV", "--formats",
		"RG16,AR15,XR24", "--prime", "--data-ofs", "4095", "--edid", "--reconnect",
		"--reconnect-after", "30", "--late-ms", "16.7", "--misbehave", "pgdir-loop"};
	CHECK(parse(&o, 18, a3) == OPTIONS_RUN, "new options");
	CHECK(o.format == VGUEST_FORMAT_YUYV && o.nformats == 3 &&
			o.formats[0] == VGUEST_FORMAT_RGB565 &&
			o.formats[1] == VGUEST_FORMAT_ARGB1555 &&
			o.formats[2] == VGUEST_FORMAT_XRGB8888 && o.prime && o.data_ofs == 4095 &&
			o.edid && o.reconnect && o.reconnect_after == 30 && o.late_ms == 16.7 &&
			o.misbehave == MISBEHAVE_PGDIR_LOOP,
		"new values");
	CHECK(options_format(&o, 0) == VGUEST_FORMAT_RGB565 &&
			options_format(&o, 2) == VGUEST_FORMAT_XRGB8888 &&
			options_format(&o, 3) == VGUEST_FORMAT_YUYV,
		"per-connector formats");
	const char *a5[] = {"vguest", "--name", "x", "--perturb", "12,7"};
	CHECK(parse(&o, 5, a5) == OPTIONS_RUN && o.perturb && o.perturb_x == 12 &&
			o.perturb_y == 7,
		"perturb");
	CHECK(parse(&o, 3, a1) == OPTIONS_RUN && !o.perturb, "no perturbation by default");
	const char *bad_points[] = {"12", "12,", ",7", "a,b", "1,2,3", "-1,2", "70000,1"};
	for (size_t i = 0; i < sizeof(bad_points) / sizeof(bad_points[0]); i++) {
		const char *a6[] = {"vguest", "--name", "x", "--perturb", bad_points[i]};
		CHECK(parse(&o, 5, a6) == OPTIONS_ERROR, "--perturb %s accepted", bad_points[i]);
	}
	const char *a4[] = {"vguest", "--name", "x", "--be-alloc", "--format", "RG24"};
	CHECK(parse(&o, 6, a4) == OPTIONS_RUN && o.be_alloc && o.format == VGUEST_FORMAT_RGB888,
		"be-alloc");

	const char *bad2[][5] = {
		{"vguest", "--name", "x", "--be-alloc", "--prime"},
		{"vguest", "--name", "x", "--data-ofs", "256"},
		{"vguest", "--name", "x", "--prime", "--data-ofs=4096"},
		{"vguest", "--name", "x", "--formats", "XR24,,RG16"},
		{"vguest", "--name", "x", "--formats", "XR24,RG16,XR24,RG16,XR24"},
		{"vguest", "--name", "x", "--formats", ""},
		{"vguest", "--name", "x", "--reconnect-after", "0"},
		{"vguest", "--name", "x", "--late-ms", "0"},
		{"vguest", "--name", "x", "--misbehave", "sneaky"},
		{"vguest", "--name", "x", "--misbehave", "none"},
		{"vguest", "--name", "x", "--format", "yuyv"},
	};
	for (size_t i = 0; i < sizeof(bad2) / sizeof(bad2[0]); i++) {
		CHECK(parse(&o, 5, bad2[i]) == OPTIONS_ERROR, "bad argv2 %zu accepted", i);
	}
}

static void test_modes(void)
{
	int n = 0;
	for (int m = MISBEHAVE_NONE + 1; m < MISBEHAVE_COUNT; m++) {
		const char *name = misbehave_mode_name((enum misbehave_mode)m);
		CHECK(misbehave_mode_from_name(name) == (enum misbehave_mode)m, "mode %s", name);
		n++;
	}
	CHECK(n == 29, "%d modes", n);
	CHECK(misbehave_mode_is_xenstore(MISBEHAVE_XS_BAD_CHANNEL) &&
			!misbehave_mode_is_xenstore(MISBEHAVE_FLOOD),
		"xenstore modes");
	CHECK(misbehave_mode_ends_run(MISBEHAVE_RING_OVERFLOW) &&
			misbehave_mode_ends_run(MISBEHAVE_XS_RES_ZERO) &&
			!misbehave_mode_ends_run(MISBEHAVE_DUP_COOKIE),
		"modes that end the run");
}

/* A valid EDID 1.4 block for width x height named name, as a backend would make it. */
static void make_edid(uint8_t *e, uint32_t width, uint32_t height, const char *name)
{
	static const uint8_t header[8] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
	memset(e, 0, 128);
	memcpy(e, header, 8);
	e[18] = 1;
	e[19] = 4;
	uint8_t *d = e + 54;
	d[0] = 0x01; /* pixel clock, non-zero */
	d[1] = 0x1d;
	d[2] = (uint8_t)width;
	d[4] = (uint8_t)((width >> 8) << 4);
	d[5] = (uint8_t)height;
	d[7] = (uint8_t)((height >> 8) << 4);
	d = e + 72;
	d[3] = 0xfc;
	size_t n = strlen(name);
	for (size_t i = 0; i < 13; i++) {
		d[5 + i] = i < n ? (uint8_t)name[i] : i == n ? 0x0a : 0x20;
	}
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++) {
		sum = (uint8_t)(sum + e[i]);
	}
	e[127] = (uint8_t)(0x100 - sum);
}

static void fix_checksum(uint8_t *block)
{
	uint8_t sum = 0;
	for (int i = 0; i < 127; i++) {
		sum = (uint8_t)(sum + block[i]);
	}
	block[127] = (uint8_t)(0x100 - sum);
}

static void test_edid(void)
{
	uint8_t e[256];
	struct edid_info info;
	char why[160];
	make_edid(e, 1920, 1080, "cluster");
	CHECK(edid_check(e, 128, 1920, 1080, &info, why, sizeof(why)), "valid: %s", why);
	CHECK(info.width == 1920 && info.height == 1080 && strcmp(info.name, "cluster") == 0 &&
			info.version == 1 && info.revision == 4,
		"info %ux%u '%s'", info.width, info.height, info.name);
	CHECK(!edid_check(e, 128, 1280, 720, &info, why, sizeof(why)), "other resolution");
	CHECK(!edid_check(e, 127, 1920, 1080, &info, why, sizeof(why)), "short");
	CHECK(!edid_check(e, 0, 1920, 1080, &info, why, sizeof(why)), "empty");

	make_edid(e, 4095, 2047, "my guest");
	CHECK(edid_check(e, 128, 4095, 2047, &info, why, sizeof(why)), "4095x2047: %s", why);
	CHECK(strcmp(info.name, "my?guest") == 0, "spaces shown as ?: '%s'", info.name);

	make_edid(e, 640, 480, "x");
	e[20] ^= 1;
	CHECK(!edid_check(e, 128, 640, 480, &info, why, sizeof(why)), "bad checksum");
	make_edid(e, 640, 480, "x");
	e[1] = 0;
	fix_checksum(e);
	CHECK(!edid_check(e, 128, 640, 480, &info, why, sizeof(why)), "bad header");
	make_edid(e, 640, 480, "x");
	e[19] = 2;
	fix_checksum(e);
	CHECK(!edid_check(e, 128, 640, 480, &info, why, sizeof(why)), "version 1.2");
	make_edid(e, 640, 480, "x");
	e[75] = 0xfe;
	fix_checksum(e);
	CHECK(!edid_check(e, 128, 640, 480, &info, why, sizeof(why)), "no name");
	make_edid(e, 640, 480, "x");
	e[54] = e[55] = 0;
	fix_checksum(e);
	CHECK(!edid_check(e, 128, 640, 480, &info, why, sizeof(why)), "no detailed timing");

	/* An extension block must be announced, and checksummed. */
	make_edid(e, 640, 480, "x");
	memset(e + 128, 0, 128);
	e[128] = 0x02;
	fix_checksum(e + 128);
	CHECK(!edid_check(e, 256, 640, 480, &info, why, sizeof(why)), "unannounced extension");
	e[126] = 1;
	fix_checksum(e);
	CHECK(edid_check(e, 256, 640, 480, &info, why, sizeof(why)), "extension: %s", why);
	e[200] = 1;
	CHECK(!edid_check(e, 256, 640, 480, &info, why, sizeof(why)), "extension checksum");
}

static void test_latency(void)
{
	static struct latency a, b;
	latency_reset(&a);
	latency_reset(&b);
	char buf[128];
	const struct latency *both[2] = {&a, &b};
	latency_format(both, 2, buf, sizeof(buf));
	CHECK(strcmp(buf, "lat_max_ms=0.0 lat_p99_ms=0.0 lat_p50_ms=0.0 late=0") == 0, "empty: %s", buf);

	const int64_t late = 50 * NSEC_PER_MSEC;
	for (int i = 0; i < 99; i++) {
		latency_record(&a, 16 * NSEC_PER_MSEC + i * 1000, late);
	}
	latency_record(&b, 70 * NSEC_PER_MSEC, late);
	latency_missed(&b);
	latency_format(both, 2, buf, sizeof(buf));
	CHECK(strcmp(buf, "lat_max_ms=70.0 lat_p99_ms=16.1 lat_p50_ms=16.1 late=2") == 0, "mixed: %s", buf);
	const struct latency *one = &b;
	latency_format(&one, 1, buf, sizeof(buf));
	CHECK(strcmp(buf, "lat_max_ms=70.0 lat_p99_ms=70.0 lat_p50_ms=70.0 late=2") == 0, "one: %s", buf);

	/* Beyond the histogram: the maximum is exact, the p99 is the maximum. */
	latency_reset(&a);
	latency_record(&a, 9 * NSEC_PER_SEC, late);
	const struct latency *big = &a;
	latency_format(&big, 1, buf, sizeof(buf));
	CHECK(strcmp(buf, "lat_max_ms=9000.0 lat_p99_ms=9000.0 lat_p50_ms=9000.0 late=1") == 0, "overflow: %s", buf);
	CHECK(sizeof(struct latency) < 256 * 1024, "bounded memory");
}

static void test_pgdir_read(void)
{
	uint32_t ndir = 2, n = 1500;
	uint8_t *dir = calloc(ndir, DISPLIF_PAGE_SIZE);
	uint32_t *grefs = calloc(n, sizeof(*grefs));
	uint32_t *got = calloc(n, sizeof(*got));
	uint32_t dir_grefs[2] = {70, 71};
	if (dir == NULL || grefs == NULL || got == NULL) {
		failures++;
		goto out;
	}
	/* Our side: the chain, no references (backend allocation). */
	pgdir_fill(dir, dir_grefs, ndir, grefs, n);
	uint32_t filled, extra;
	CHECK(pgdir_read(dir, dir_grefs, ndir, got, n, &filled, &extra) && filled == 0 &&
			extra == 0,
		"empty directory");
	/* The backend's side: every reference. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t page = i / DISPLIF_GREFS_PER_DIR_PAGE;
		*pgdir_ref_slot(dir, page, i % DISPLIF_GREFS_PER_DIR_PAGE) = 1000 + i;
	}
	CHECK(pgdir_read(dir, dir_grefs, ndir, got, n, &filled, &extra) && filled == n &&
			extra == 0 && got[0] == 1000 && got[n - 1] == 1000 + n - 1,
		"filled directory");
	*pgdir_ref_slot(dir, 1, 600) = 5;
	CHECK(pgdir_read(dir, dir_grefs, ndir, got, n, &filled, &extra) && extra == 1,
		"reference past buffer_sz");
	*pgdir_ref_slot(dir, 0, 3) = 0;
	CHECK(pgdir_read(dir, dir_grefs, ndir, got, n, &filled, &extra) && filled == n - 1,
		"zero reference");
	*pgdir_next_slot(dir, 0) = 99;
	CHECK(!pgdir_read(dir, dir_grefs, ndir, got, n, &filled, &extra), "chain changed");
out:
	free(dir);
	free(grefs);
	free(got);
}

int main(void)
{
	test_parse_uint();
	test_parse_resolution();
	test_pgdir();
	test_wire_layout();
	test_options();
	test_modes();
	test_edid();
	test_latency();
	test_pgdir_read();
	if (failures > 0) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("all protocol checks passed\n");
	return 0;
}
