#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "test_util.h"

struct backend_opts {
	bool close; /* answer Closing with Closed */
};

static void backend_scan(struct xs_handle *xs, const struct backend_opts *opts, int *offline) {
	unsigned int nkinds = 0, nfes = 0, ndevs = 0;
	char **kinds = xs_directory(xs, XBT_NULL, "/local/domain/0/backend", &nkinds);
	for (unsigned int k = 0; kinds && k < nkinds; k++) {
		char path[256];
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s", kinds[k]);
		char **fes = xs_directory(xs, XBT_NULL, path, &nfes);
		for (unsigned int f = 0; fes && f < nfes; f++) {
			snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%s", kinds[k], fes[f]);
			char **devs = xs_directory(xs, XBT_NULL, path, &ndevs);
			for (unsigned int d = 0; devs && d < ndevs; d++) {
				char state_path[300], online_path[300];
				snprintf(state_path, sizeof(state_path), "%s/%s/state", path, devs[d]);
				snprintf(online_path, sizeof(online_path), "%s/%s/online", path, devs[d]);
				char *state = xs_read(xs, XBT_NULL, state_path, NULL);
				if (state && strcmp(state, "1") == 0) {
					xs_write(xs, XBT_NULL, state_path, "2", 1);
				} else if (state && strcmp(state, "5") == 0 && opts->close) {
					/* Counted: offline, its frontend already removed (as libxl does). */
					char fe_key[300];
					snprintf(fe_key, sizeof(fe_key), "%s/%s/frontend", path, devs[d]);
					char *online = xs_read(xs, XBT_NULL, online_path, NULL);
					char *fe = xs_read(xs, XBT_NULL, fe_key, NULL);
					char *fe_dir = fe ? xs_read(xs, XBT_NULL, fe, NULL) : NULL;
					*offline += online && strcmp(online, "0") == 0 && fe && !fe_dir;
					free(fe_dir);
					free(fe);
					free(online);
					xs_write(xs, XBT_NULL, state_path, "6", 1);
				}
				free(state);
			}
			free(devs);
		}
		free(fes);
	}
	free(kinds);
}

/* A dom0 backend that takes new devices to InitWait, and closing ones to Closed. */
static int backend_main(int fd, void *data) {
	const struct backend_opts *opts = data;
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK(xs_watch(xs, "/local/domain/0/backend", "be"));
	int offline = 0;
	for (;;) {
		struct pollfd pfds[2] = {{.fd = xs_fileno(xs), .events = POLLIN}, {.fd = fd, .events = POLLIN}};
		CHECK(poll(pfds, 2, -1) > 0);
		if (pfds[1].revents) {
			break;
		}
		char **event;
		while ((event = xs_check_watch(xs))) {
			free(event);
		}
		backend_scan(xs, opts, &offline);
	}
	xs_close(xs);
	return offline;
}

static int backend_stop(struct child *backend) {
	msg_send_u32(backend->fd, 0);
	return child_wait(backend);
}

static char *read_key(struct xs_handle *xs, const char *path) {
	static char value[256];
	char *got = xs_read(xs, XBT_NULL, path, NULL);
	if (!got) {
		fprintf(stderr, "missing key %s\n", path);
		return NULL;
	}
	snprintf(value, sizeof(value), "%s", got);
	free(got);
	return value;
}

static bool key_is(struct xs_handle *xs, const char *path, const char *want) {
	const char *value = read_key(xs, path);
	if (value && strcmp(value, want) != 0) {
		fprintf(stderr, "%s = \"%s\", expected \"%s\"\n", path, value, want);
	}
	return value && strcmp(value, want) == 0;
}

static bool perms_are(struct xs_handle *xs, const char *path, unsigned owner, unsigned reader) {
	unsigned int n = 0;
	struct xs_permissions *perms = xs_get_permissions(xs, XBT_NULL, path, &n);
	bool ok = perms && n == 2 && perms[0].id == owner && perms[0].perms == XS_PERM_NONE &&
		perms[1].id == reader && perms[1].perms == XS_PERM_READ;
	if (!ok) {
		fprintf(stderr, "permissions of %s are not n%u,r%u\n", path, owner, reader);
	}
	free(perms);
	return ok;
}

static bool dir_is(struct xs_handle *xs, const char *path, const char *want) {
	unsigned int n = 0;
	char **dir = xs_directory(xs, XBT_NULL, path, &n);
	char got[512] = "";
	for (unsigned int i = 0; dir && i < n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, dir[i]);
	}
	free(dir);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "%s lists \"%s\", expected \"%s\"\n", path, got, want);
	}
	return strcmp(got, want) == 0;
}

static void expect_event(struct xs_handle *xs, const char *path) {
	for (;;) {
		CHECK(readable(xs_fileno(xs), 5000));
		char **event = xs_check_watch(xs);
		CHECK(event);
		bool match = strcmp(event[XS_WATCH_PATH], path) == 0;
		free(event);
		if (match) {
			return;
		}
	}
}

/* The guest's view: its frontend keys are its own, the rest read-only. */
static int guest_main(int fd, void *data) {
	(void)data;
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK(key_is(xs, "device/vdispl/0/0/resolution", "1024x768"));
	CHECK(key_is(xs, "/local/domain/0/backend/vdispl/5/0/state", "2"));
	CHECK(key_is(xs, "name", "vm5"));
	CHECK(xs_write(xs, XBT_NULL, "device/vdispl/0/state", "3", 1));
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "device/vdispl/0/be-alloc", "1", 1), EACCES);
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "device/vdispl/0/0/unique-id", "x", 1), EACCES);
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "/local/domain/0/backend/vdispl/5/0/state", "4", 1),
		EACCES);
	CHECK_ERRNO(!xs_write(xs, XBT_NULL, "name", "evil", 4), EACCES);
	msg_send_u32(fd, 1);
	/* After `xensim destroy`, the domain's connections are gone. */
	CHECK_EQ(msg_recv_u32(fd), 2);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "name", NULL), ECONNRESET);
	xs_close(xs);
	return 0;
}

static void test_create_destroy(void) {
	struct backend_opts opts = {.close = true};
	struct child backend = child_start(0, backend_main, &opts);
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK(xs_watch(xs, "@introduceDomain", "intro"));
	CHECK(xs_watch(xs, "@releaseDomain", "release"));
	expect_event(xs, "@introduceDomain");
	expect_event(xs, "@releaseDomain");

	CHECK_EQ(sim_run(NULL, "create", "--domid", "5", "--name", "vm5",
		"--vdispl", "backend=0,be-alloc=0,connectors=c0:1024x768;c1:800x600",
		"--vkb", "backend-type=linux,feature-abs-pointer=1,width=1024,height=768",
		"--vkb", "feature-multi-touch=1,multi-touch-width=100,multi-touch-height=50,"
		"multi-touch-num-contacts=2,unique-id=T:c0", NULL), 0);
	expect_event(xs, "@introduceDomain");

	CHECK(key_is(xs, "/local/domain/5/name", "vm5"));
	CHECK(key_is(xs, "/local/domain/5/domid", "5"));
	CHECK(perms_are(xs, "/local/domain/5", 0, 5));

	const char *fe = "/local/domain/5/device/vdispl/0";
	CHECK(dir_is(xs, fe, "backend backend-id state be-alloc 0 1"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/backend",
		"/local/domain/0/backend/vdispl/5/0"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/backend-id", "0"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/state", "1"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/be-alloc", "0"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/0/resolution", "1024x768"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/0/unique-id", "c0"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/1/resolution", "800x600"));
	CHECK(key_is(xs, "/local/domain/5/device/vdispl/0/1/unique-id", "c1"));
	CHECK(perms_are(xs, fe, 5, 0));
	CHECK(perms_are(xs, "/local/domain/5/device/vdispl/0/state", 5, 0));
	CHECK(perms_are(xs, "/local/domain/5/device/vdispl/0/be-alloc", 0, 5));
	CHECK(perms_are(xs, "/local/domain/5/device/vdispl/0/0/resolution", 0, 5));

	const char *be = "/local/domain/0/backend/vdispl/5/0";
	CHECK(dir_is(xs, be, "frontend frontend-id online state"));
	CHECK(key_is(xs, "/local/domain/0/backend/vdispl/5/0/frontend", fe));
	CHECK(key_is(xs, "/local/domain/0/backend/vdispl/5/0/frontend-id", "5"));
	CHECK(key_is(xs, "/local/domain/0/backend/vdispl/5/0/online", "1"));
	CHECK(key_is(xs, "/local/domain/0/backend/vdispl/5/0/state", "2"));
	CHECK(perms_are(xs, be, 0, 5));

	CHECK(dir_is(xs, "/local/domain/0/backend/vinput/5/0",
		"frontend frontend-id online state feature-abs-pointer width height"));
	CHECK(key_is(xs, "/local/domain/0/backend/vinput/5/0/frontend",
		"/local/domain/5/device/vkbd/0"));
	CHECK(key_is(xs, "/local/domain/0/backend/vinput/5/0/width", "1024"));
	CHECK(key_is(xs, "/local/domain/5/device/vkbd/0/backend",
		"/local/domain/0/backend/vinput/5/0"));
	CHECK(dir_is(xs, "/local/domain/5/device/vkbd/0", "backend backend-id state"));
	CHECK(dir_is(xs, "/local/domain/0/backend/vkbd/5/1",
		"frontend frontend-id online state unique-id feature-multi-touch multi-touch-width "
		"multi-touch-height multi-touch-num-contacts"));
	CHECK(key_is(xs, "/local/domain/0/backend/vkbd/5/1/unique-id", "T:c0"));
	CHECK(key_is(xs, "/local/domain/0/backend/vkbd/5/1/multi-touch-num-contacts", "2"));
	CHECK(key_is(xs, "/local/domain/5/device/vkbd/1/backend",
		"/local/domain/0/backend/vkbd/5/1"));

	struct child guest = child_start(5, guest_main, NULL);
	CHECK_EQ(msg_recv_u32(guest.fd), 1);
	CHECK_EQ(sim_run(NULL, "destroy", "--domid", "5", NULL), 0);
	expect_event(xs, "@releaseDomain");
	msg_send_u32(guest.fd, 2);
	CHECK_EQ(child_wait(&guest), 0);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/5", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vdispl/5", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vinput/5", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vkbd/5", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/libxl/5", NULL), ENOENT);
	CHECK(strstr(sim_stats(5), "alive=0 grants=0 mapped_by_others=0 maps_held=0 evtchns=0"));
	/*
	 * All three devices were taken offline, then Closing, with their frontend
	 * directories gone, before removal.
	 */
	CHECK_EQ(backend_stop(&backend), 3);
	xs_close(xs);
}

static void test_no_backend(void) {
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK(sim_run(NULL, "create", "--domid", "6", "--name", "lonely", "--vdispl",
		"connectors=c:640x480", "--timeout", "0.3", NULL) != 0);
	CHECK(strstr(sim_stats(6), "alive=0"));
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/6", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vdispl/6", NULL), ENOENT);

	/* A backend that never closes: destroy warns and goes on. */
	struct backend_opts opts = {.close = false};
	struct child backend = child_start(0, backend_main, &opts);
	CHECK_EQ(sim_run(NULL, "create", "--domid", "6", "--name", "stubborn", "--vdispl",
		"connectors=c:640x480", NULL), 0);
	CHECK_EQ(sim_run(NULL, "destroy", "--domid", "6", "--timeout", "0.3", NULL), 0);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vdispl/6", NULL), ENOENT);
	CHECK(strstr(sim_stats(6), "alive=0"));
	CHECK_EQ(backend_stop(&backend), 0);

	/*
	 * libxl does not wait for a vkb's backend: without one, the domain is
	 * created (and its destruction waits for nobody's Closed, then goes on).
	 */
	CHECK_EQ(sim_run(NULL, "create", "--domid", "6", "--name", "keyboard", "--vkb",
		"backend-type=linux", "--timeout", "0.3", NULL), 0);
	CHECK(key_is(xs, "/local/domain/0/backend/vinput/6/0/state", "1"));
	CHECK(key_is(xs, "/local/domain/6/device/vkbd/0/state", "1"));
	CHECK_EQ(sim_run(NULL, "destroy", "--domid", "6", "--timeout", "0.3", NULL), 0);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vinput/6", NULL), ENOENT);
	CHECK(strstr(sim_stats(6), "alive=0"));

	CHECK(sim_run(NULL, "create", "--domid", "6", "--name", "x", "--vdispl", "bogus=1", NULL) != 0);
	CHECK(sim_run(NULL, "create", "--domid", "6", "--name", "x", "--vkb", "width=a", NULL) != 0);
	CHECK(sim_run(NULL, "create", "--domid", "0", "--name", "x", NULL) != 0);
	CHECK(sim_run(NULL, "destroy", "--domid", "6", NULL) != 0);
	xs_close(xs);
}

static int crasher(int fd, void *data) {
	(void)data;
	struct xs_handle *xs = xs_open(0);
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	CHECK(xs && xgs && xce);
	uint32_t ref;
	CHECK(xengntshr_share_pages(xgs, 0, 1, &ref, 1));
	CHECK(xenevtchn_bind_unbound_port(xce, 0) > 0);
	CHECK(xs_write(xs, XBT_NULL, "device/vdispl/0/state", "3", 1));
	msg_send_u32(fd, 1);
	msg_recv_u32(fd); /* killed before this returns */
	return 0;
}

static void test_crash(void) {
	struct backend_opts opts = {.close = true};
	struct child backend = child_start(0, backend_main, &opts);
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	CHECK_EQ(sim_run(NULL, "create", "--domid", "8", "--name", "crashy", "--vdispl",
		"connectors=c:640x480", NULL), 0);
	struct child guest = child_start(8, crasher, NULL);
	CHECK_EQ(msg_recv_u32(guest.fd), 1);
	CHECK(strstr(sim_stats(8), "alive=1 grants=1 mapped_by_others=0 maps_held=0 evtchns=1"));
	CHECK(xs_watch(xs, "/local/domain/0/backend/vdispl/8/0", "be"));
	expect_event(xs, "/local/domain/0/backend/vdispl/8/0");
	CHECK(xs_watch(xs, "@releaseDomain", "release"));
	expect_event(xs, "@releaseDomain");

	child_kill(&guest);
	/* No waiting for the backend: the device is removed at once. */
	expect_event(xs, "/local/domain/0/backend/vdispl/8/0");
	expect_event(xs, "@releaseDomain");
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/0/backend/vdispl/8", NULL), ENOENT);
	CHECK_ERRNO(!xs_read(xs, XBT_NULL, "/local/domain/8", NULL), ENOENT);
	CHECK(strstr(sim_stats(8), "alive=0 grants=0 mapped_by_others=0 maps_held=0 evtchns=0"));
	CHECK_EQ(backend_stop(&backend), 0);
	xs_close(xs);
}

static void test_refused(void) {
	char *saved = strdup(getenv("XENSIM_SOCKET"));
	CHECK(saved);
	CHECK(unsetenv("XENSIM_SOCKET") == 0);
	CHECK_ERRNO(!xs_open(0), ENOENT);
	CHECK(setenv("XENSIM_SOCKET", "/nonexistent/xensim.sock", 1) == 0);
	CHECK_ERRNO(!xengnttab_open(NULL, 0), ENOENT);

	/* A socket nobody listens on. */
	char path[] = "/tmp/xensim-refused-XXXXXX";
	CHECK(mkdtemp(path));
	char sock_path[64];
	snprintf(sock_path, sizeof(sock_path), "%s/sock", path);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(setenv("XENSIM_SOCKET", sock_path, 1) == 0);
	CHECK_ERRNO(!xenevtchn_open(NULL, 0), ECONNREFUSED);
	close(fd);
	unlink(sock_path);
	rmdir(path);

	CHECK(setenv("XENSIM_SOCKET", saved, 1) == 0);
	free(saved);
	CHECK(setenv("XENSIM_DOMID", "9", 1) == 0);
	CHECK_ERRNO(!xs_open(0), ESRCH);
	CHECK(setenv("XENSIM_DOMID", "nine", 1) == 0);
	CHECK_ERRNO(!xs_open(0), EINVAL);
	CHECK(unsetenv("XENSIM_DOMID") == 0);
	struct xs_handle *xs = xs_open(0);
	CHECK(xs);
	xs_close(xs);
}

int main(int argc, char **argv) {
	sim_start(argc, argv);
	test_create_destroy();
	test_no_backend();
	test_crash();
	test_refused();
	sim_stop();
	return 0;
}
