/*
 * prime-fb: shows buffers on the PV display (xendrm-du) that another DRM
 * driver (vgem) allocated and the display imported as dma-bufs: the PRIME
 * path of Linux's xen-drm-front, which sends DBUF_CREATE with no geometry and
 * the pixels' offset, and the geometry at FB_ATTACH.
 *
 * Usage: prime-fb --probe | [--dumb] [--flip SECONDS] CONNECTOR_INDEX...
 * --probe lists the DRM devices' drivers and exits. --dumb takes the display's
 * own dumb buffers instead of vgem's, never mapping them: with be-alloc=1 they
 * are pages the backend allocated, which a PV guest's kernel maps from it but
 * cannot map into a process (Linux 6.1: "BUG: Bad rss-counter state", and
 * modetest dies).
 * Sets every connector given (0 for Virtual-1, ...) to its first mode with a
 * framebuffer of that size, prints "prime-fb: shown", then, with --flip,
 * page-flips between two such buffers per connector for SECONDS and prints
 * the flips and the flip events that did not come within 3.5 s, then shows
 * the first buffer again. Exits when a line (or EOF) arrives on stdin.
 *
 * The buffers are as vgem allocates them: zeroed, black. Their pixels cannot
 * be drawn in a PV guest: vgem maps its buffers write-combined, page by page
 * on fault, and the first access to such a mapping never returns under Xen
 * PV (seen with Linux 6.1); the display's own mapping refuses imported
 * buffers.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#define MAX_CONNECTORS 4

struct prime_buf {
	uint32_t handle; /* in the display's device */
	uint32_t fb;
};

struct output {
	uint32_t connector, crtc;
	drmModeModeInfo mode;
	struct prime_buf bufs[2];
	int front;
	bool pending;
	unsigned flips, timeouts;
	double sent;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first /dev/dri/card* whose driver is name. */
static int open_driver(const char *name)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		drmVersionPtr version = drmGetVersion(fd);
		bool match = version != NULL && strcmp(version->name, name) == 0;
		drmFreeVersion(version);
		if (match) {
			return fd;
		}
		close(fd);
	}
	fprintf(stderr, "prime-fb: no DRM device of driver %s\n", name);
	return -1;
}

/* The display's own dumb buffer as a framebuffer. */
static bool make_dumb(int disp, uint32_t width, uint32_t height, struct prime_buf *out)
{
	struct drm_mode_create_dumb create = {.width = width, .height = height, .bpp = 32};
	if (drmIoctl(disp, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0) {
		perror("prime-fb: CREATE_DUMB");
		return false;
	}
	out->handle = create.handle;
	uint32_t handles[4] = {out->handle}, pitches[4] = {create.pitch}, offsets[4] = {0};
	if (drmModeAddFB2(disp, width, height, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
		    &out->fb, 0) != 0) {
		perror("prime-fb: AddFB2");
		return false;
	}
	printf("prime-fb: %ux%u dumb buffer, pitch %u, size %llu, fb %u\n", width, height,
		create.pitch, (unsigned long long)create.size, out->fb);
	return true;
}

/* A vgem dumb buffer, imported into the display as a framebuffer. */
static bool make_buffer(int vgem, int disp, uint32_t width, uint32_t height, struct prime_buf *out)
{
	if (vgem < 0) {
		return make_dumb(disp, width, height, out);
	}
	struct drm_mode_create_dumb create = {.width = width, .height = height, .bpp = 32};
	if (drmIoctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0) {
		perror("prime-fb: vgem CREATE_DUMB");
		return false;
	}
	bool ok = false;
	int fd = -1;
	if (drmPrimeHandleToFD(vgem, create.handle, DRM_CLOEXEC, &fd) != 0) {
		perror("prime-fb: export from vgem");
		goto out;
	}
	if (drmPrimeFDToHandle(disp, fd, &out->handle) != 0) {
		perror("prime-fb: import into the display");
		goto out;
	}
	uint32_t handles[4] = {out->handle}, pitches[4] = {create.pitch}, offsets[4] = {0};
	if (drmModeAddFB2(disp, width, height, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
		    &out->fb, 0) != 0) {
		perror("prime-fb: AddFB2");
		goto out;
	}
	printf("prime-fb: %ux%u buffer, pitch %u, size %llu, imported as fb %u\n", width, height,
		create.pitch, (unsigned long long)create.size, out->fb);
	ok = true;
out:
	/* The display holds its own references to the pages. */
	if (fd >= 0) {
		close(fd);
	}
	struct drm_mode_destroy_dumb destroy = {.handle = create.handle};
	drmIoctl(vgem, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	return ok;
}

static void handle_flip(int fd, unsigned int sequence, unsigned int sec, unsigned int usec,
	void *data)
{
	(void)fd;
	(void)sequence;
	(void)sec;
	(void)usec;
	struct output *out = data;
	out->pending = false;
	out->flips++;
}

static bool flip(int disp, struct output *out)
{
	out->front ^= 1;
	if (drmModePageFlip(disp, out->crtc, out->bufs[out->front].fb, DRM_MODE_PAGE_FLIP_EVENT,
		    out) != 0) {
		perror("prime-fb: page flip");
		return false;
	}
	out->pending = true;
	out->sent = now();
	return true;
}

static void flip_for(int disp, struct output *outs, int n, double seconds)
{
	drmEventContext ev = {.version = 2, .page_flip_handler = handle_flip};
	double t0 = now(), end = t0 + seconds;
	for (int i = 0; i < n; i++) {
		flip(disp, &outs[i]);
	}
	while (now() < end) {
		struct pollfd pfd = {.fd = disp, .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0) {
			drmHandleEvent(disp, &ev);
		}
		double t = now();
		for (int i = 0; i < n; i++) {
			struct output *out = &outs[i];
			if (out->pending && t - out->sent > 3.5) {
				/* The frontend's own timeout has released it by now. */
				out->timeouts++;
				out->pending = false;
			}
			if (!out->pending && t < end) {
				flip(disp, out);
			}
		}
	}
	/* The last flips, then the first buffer again. */
	double drain = now() + 4.0;
	for (int i = 0; i < n; i++) {
		while (outs[i].pending && now() < drain) {
			struct pollfd pfd = {.fd = disp, .events = POLLIN};
			if (poll(&pfd, 1, 100) > 0) {
				drmHandleEvent(disp, &ev);
			}
		}
	}
	double dt = now() - t0;
	for (int i = 0; i < n; i++) {
		struct output *out = &outs[i];
		printf("prime-fb: flips conn=%d n=%u rate=%.2f timeouts=%u\n", i, out->flips,
			out->flips / dt, out->timeouts);
		drmModeSetCrtc(disp, out->crtc, out->bufs[0].fb, 0, 0, &out->connector, 1, &out->mode);
	}
}

static int probe(void)
{
	for (int i = 0; i < 16; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			continue;
		}
		drmVersionPtr version = drmGetVersion(fd);
		uint64_t prime = 0;
		drmGetCap(fd, DRM_CAP_PRIME, &prime);
		printf("prime-fb: %s: driver %s, prime%s%s\n", path,
			version != NULL ? version->name : "?",
			prime & DRM_PRIME_CAP_IMPORT ? " import" : "",
			prime & DRM_PRIME_CAP_EXPORT ? " export" : "");
		drmFreeVersion(version);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
		return probe();
	}
	double flip_seconds = 0;
	bool dumb = false;
	int argi = 1;
	if (argi < argc && strcmp(argv[argi], "--dumb") == 0) {
		dumb = true;
		argi++;
	}
	if (argi + 1 < argc && strcmp(argv[argi], "--flip") == 0) {
		flip_seconds = atof(argv[argi + 1]);
		argi += 2;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: prime-fb --probe | [--dumb] [--flip SECONDS] "
				"CONNECTOR_INDEX...\n");
		return 2;
	}
	printf("prime-fb: starting\n");
	int vgem = dumb ? -1 : open_driver("vgem");
	int disp = open_driver("xendrm-du");
	if ((!dumb && vgem < 0) || disp < 0) {
		return 1;
	}
	drmModeRes *res = drmModeGetResources(disp);
	if (res == NULL) {
		perror("prime-fb: GetResources");
		return 1;
	}
	struct output outs[MAX_CONNECTORS];
	int n = 0;
	for (; argi < argc && n < MAX_CONNECTORS; argi++, n++) {
		int index = atoi(argv[argi]);
		if (index < 0 || index >= res->count_connectors || index >= res->count_crtcs) {
			fprintf(stderr, "prime-fb: no connector %d\n", index);
			return 1;
		}
		drmModeConnector *conn = drmModeGetConnector(disp, res->connectors[index]);
		if (conn == NULL || conn->count_modes < 1) {
			fprintf(stderr, "prime-fb: connector %d has no mode\n", index);
			return 1;
		}
		struct output *out = &outs[n];
		memset(out, 0, sizeof(*out));
		out->connector = conn->connector_id;
		/* xen-drm-front: one display pipe (CRTC) per connector, in the same order. */
		out->crtc = res->crtcs[index];
		out->mode = conn->modes[0];
		drmModeFreeConnector(conn);
		for (int v = 0; v < (flip_seconds > 0 ? 2 : 1); v++) {
			if (!make_buffer(vgem, disp, out->mode.hdisplay, out->mode.vdisplay,
				    &out->bufs[v])) {
				return 1;
			}
		}
		if (drmModeSetCrtc(disp, out->crtc, out->bufs[0].fb, 0, 0, &out->connector, 1,
			    &out->mode) != 0) {
			perror("prime-fb: SetCrtc");
			return 1;
		}
		printf("prime-fb: connector %d %ux%u set\n", index, out->mode.hdisplay,
			out->mode.vdisplay);
	}
	drmModeFreeResources(res);
	printf("prime-fb: shown\n");
	if (flip_seconds > 0) {
		flip_for(disp, outs, n, flip_seconds);
		printf("prime-fb: flipped\n");
	}
	char line[16];
	if (fgets(line, sizeof(line), stdin) == NULL && ferror(stdin)) {
		perror("prime-fb: stdin");
	}
	return 0;
}
