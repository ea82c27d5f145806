#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "toolstack.h"
#include "xensim_ctl.h"

/*
 * The parts of `xl create` and `xl destroy` that a display backend sees: the
 * XenStore keys libxl writes for vdispl= and vkb= devices (libxl_device.c,
 * libxl_vdispl.c, libxl_vkb.c), and its waits for the backend.
 */

#define MAX_DEVICES 16
#define MAX_KEYS 24

enum xenbus_state {
	XENBUS_INITIALISING = 1,
	XENBUS_INIT_WAIT = 2,
	XENBUS_CONNECTED = 4,
	XENBUS_CLOSING = 5,
	XENBUS_CLOSED = 6,
};

struct kv {
	char key[32];
	char value[128];
};

struct device {
	const char *kind; /* of the frontend: vdispl or vkbd */
	const char *backend_kind; /* vdispl, vinput or vkbd */
	/*
	 * Whether `xl create` waits for the backend to reach InitWait: libxl adds
	 * vdispl devices through libxl__device_add_async, which waits; vkb devices
	 * (skip_attach) through libxl__device_add, which only writes the keys, so
	 * a vkb without a running backend is not an error.
	 */
	bool waits;
	uint32_t domid, devid, backend;
	struct kv extra[MAX_KEYS]; /* the backend keys of the device type */
	struct kv back[MAX_KEYS], front[MAX_KEYS], ro_front[MAX_KEYS];
	size_t nextra, nback, nfront, nro_front;
	char frontend_path[128], backend_path[128], libxl_path[128];
};

static bool add_kv(struct kv *list, size_t *n, const char *key, const char *value) {
	if (*n >= MAX_KEYS || strlen(key) >= sizeof(list->key) ||
			strlen(value) >= sizeof(list->value)) {
		return false;
	}
	snprintf(list[*n].key, sizeof(list->key), "%s", key);
	snprintf(list[*n].value, sizeof(list->value), "%s", value);
	(*n)++;
	return true;
}

static bool parse_u32(const char *s, uint32_t *out) {
	char *end;
	errno = 0;
	unsigned long value = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || value > UINT32_MAX) {
		return false;
	}
	*out = (uint32_t)value;
	return true;
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* `connectors=id0:1920x1080;id1:800x600`, as xl parses it. */
static bool parse_connectors(struct device *dev, char *list) {
	uint32_t index = 0;
	for (char *save = NULL, *conn = strtok_r(list, ";", &save); conn;
			conn = strtok_r(NULL, ";", &save), index++) {
		char *colon = strchr(conn, ':');
		if (!colon || colon == conn) {
			return false;
		}
		*colon = '\0';
		char *x = strchr(colon + 1, 'x');
		uint32_t width, height;
		if (!x) {
			return false;
		}
		*x = '\0';
		if (!parse_u32(colon + 1, &width) || !parse_u32(x + 1, &height) || !width || !height) {
			return false;
		}
		char key[32], value[32];
		snprintf(key, sizeof(key), "%u/resolution", index);
		snprintf(value, sizeof(value), "%ux%u", width, height);
		if (!add_kv(dev->ro_front, &dev->nro_front, key, value)) {
			return false;
		}
		snprintf(key, sizeof(key), "%u/unique-id", index);
		if (!add_kv(dev->ro_front, &dev->nro_front, key, conn)) {
			return false;
		}
	}
	return index > 0;
}

static bool parse_vdispl(struct device *dev, const char *spec) {
	char *copy = strdup(spec);
	if (!copy) {
		return false;
	}
	bool ok = true;
	char *connectors = NULL;
	uint32_t be_alloc = 0;
	dev->kind = dev->backend_kind = "vdispl";
	dev->waits = true;
	for (char *save = NULL, *opt = strtok_r(copy, ",", &save); opt && ok;
			opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		if (!eq) {
			ok = false;
			break;
		}
		*eq = '\0';
		const char *value = eq + 1;
		if (strcmp(opt, "backend") == 0) {
			ok = parse_u32(value, &dev->backend);
		} else if (strcmp(opt, "be-alloc") == 0) {
			ok = parse_u32(value, &be_alloc) && be_alloc <= 1;
		} else if (strcmp(opt, "connectors") == 0) {
			connectors = eq + 1;
		} else {
			fprintf(stderr, "xensim create: unknown vdispl option %s\n", opt);
			ok = false;
		}
	}
	if (ok) {
		char value[16];
		snprintf(value, sizeof(value), "%u", be_alloc);
		ok = add_kv(dev->ro_front, &dev->nro_front, "be-alloc", value) && connectors &&
			parse_connectors(dev, connectors);
	}
	free(copy);
	return ok;
}

static const char *const vkb_numbers[] = {
	/* In the order libxl__set_xenstore_vkb writes them. */
	"feature-disable-keyboard", "feature-disable-pointer", "feature-abs-pointer",
	"feature-raw-pointer", "feature-multi-touch", "multi-touch-width", "multi-touch-height",
	"multi-touch-num-contacts", "width", "height",
};
#define VKB_NUMBERS (sizeof(vkb_numbers) / sizeof(vkb_numbers[0]))

static bool parse_vkb(struct device *dev, const char *spec) {
	char *copy = strdup(spec);
	if (!copy) {
		return false;
	}
	bool ok = true;
	uint32_t numbers[VKB_NUMBERS] = {0};
	const char *unique_id = NULL;
	dev->kind = "vkbd";
	dev->backend_kind = "vkbd"; /* libxl's default backend-type is qemu */
	for (char *save = NULL, *opt = strtok_r(copy, ",", &save); opt && ok;
			opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		if (!eq) {
			ok = false;
			break;
		}
		*eq = '\0';
		const char *value = eq + 1;
		size_t i = 0;
		while (i < VKB_NUMBERS && strcmp(opt, vkb_numbers[i]) != 0) {
			i++;
		}
		if (i < VKB_NUMBERS) {
			ok = parse_u32(value, &numbers[i]);
		} else if (strcmp(opt, "backend") == 0) {
			ok = parse_u32(value, &dev->backend);
		} else if (strcmp(opt, "backend-type") == 0) {
			ok = strcmp(value, "linux") == 0 || strcmp(value, "qemu") == 0;
			dev->backend_kind = strcmp(value, "linux") == 0 ? "vinput" : "vkbd";
		} else if (strcmp(opt, "unique-id") == 0) {
			unique_id = value;
		} else {
			fprintf(stderr, "xensim create: unknown vkb option %s\n", opt);
			ok = false;
		}
	}
	if (ok && unique_id) {
		ok = add_kv(dev->extra, &dev->nextra, "unique-id", unique_id);
	}
	bool multi_touch = numbers[4] != 0;
	for (size_t i = 0; ok && i < VKB_NUMBERS; i++) {
		/* libxl writes a key only when set; the multi-touch sizes with the feature. */
		bool mt_size = i >= 5 && i <= 7;
		if (mt_size ? !multi_touch : numbers[i] == 0) {
			continue;
		}
		char value[16];
		snprintf(value, sizeof(value), "%u", numbers[i]);
		ok = add_kv(dev->extra, &dev->nextra, vkb_numbers[i], value);
	}
	free(copy);
	return ok;
}

static bool write_perms(struct xs_handle *xs, xs_transaction_t t, const char *path,
		uint32_t owner, uint32_t reader) {
	struct xs_permissions perms[2] = {
		{.id = owner, .perms = XS_PERM_NONE},
		{.id = reader, .perms = XS_PERM_READ},
	};
	return xs_set_permissions(xs, t, path, perms, owner == reader ? 1 : 2);
}

static bool write_keys(struct xs_handle *xs, xs_transaction_t t, const char *dir,
		const struct kv *list, size_t n, const uint32_t *perms) {
	for (size_t i = 0; i < n; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", dir, list[i].key);
		if (!xs_write(xs, t, path, list[i].value, (unsigned)strlen(list[i].value)) ||
				(perms && !write_perms(xs, t, path, perms[0], perms[1]))) {
			return false;
		}
	}
	return true;
}

static bool write_key(struct xs_handle *xs, xs_transaction_t t, const char *dir, const char *key,
		const char *value) {
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_write(xs, t, path, value, (unsigned)strlen(value));
}

static bool mknod(struct xs_handle *xs, xs_transaction_t t, const char *path, uint32_t owner,
		uint32_t reader) {
	xs_rm(xs, t, path); /* libxl ignores whether there was anything */
	return xs_mkdir(xs, t, path) && write_perms(xs, t, path, owner, reader);
}

/* Runs fn in a transaction, again while it conflicts, as libxl does. */
static bool transaction(struct xs_handle *xs, bool (*fn)(struct xs_handle *, xs_transaction_t,
		const void *), const void *data) {
	for (;;) {
		xs_transaction_t t = xs_transaction_start(xs);
		if (t == XBT_NULL) {
			return false;
		}
		if (!fn(xs, t, data)) {
			int err = errno;
			xs_transaction_end(xs, t, true);
			errno = err;
			return false;
		}
		if (xs_transaction_end(xs, t, false)) {
			return true;
		}
		if (errno != EAGAIN) {
			return false;
		}
	}
}

/* libxl__device_generic_add. */
static bool add_device(struct xs_handle *xs, xs_transaction_t t, const void *data) {
	const struct device *dev = data;
	uint32_t domid = dev->domid;
	uint32_t frontend_perms[2] = {domid, dev->backend};
	uint32_t ro_perms[2] = {dev->backend, domid};
	return mknod(xs, t, dev->frontend_path, domid, dev->backend) &&
		write_key(xs, t, dev->frontend_path, "backend", dev->backend_path) &&
		write_keys(xs, t, dev->frontend_path, dev->front, dev->nfront, frontend_perms) &&
		write_keys(xs, t, dev->frontend_path, dev->ro_front, dev->nro_front, ro_perms) &&
		mknod(xs, t, dev->backend_path, dev->backend, domid) &&
		write_key(xs, t, dev->backend_path, "frontend", dev->frontend_path) &&
		write_keys(xs, t, dev->backend_path, dev->back, dev->nback, NULL) &&
		/* libxl keeps its own copy, which the guest can't touch. */
		mknod(xs, t, dev->libxl_path, 0, 0) &&
		write_key(xs, t, dev->libxl_path, "frontend", dev->frontend_path) &&
		write_key(xs, t, dev->libxl_path, "backend", dev->backend_path) &&
		write_keys(xs, t, dev->libxl_path, dev->back, dev->nback, NULL);
}

struct domain_info {
	uint32_t domid;
	const char *name;
};

/* The part of libxl__domain_make and libxl__domain_build that names the domain. */
static bool add_domain(struct xs_handle *xs, xs_transaction_t t, const void *data) {
	const struct domain_info *info = data;
	char dom_path[64], path[96], domid[16];
	snprintf(dom_path, sizeof(dom_path), "/local/domain/%u", info->domid);
	snprintf(domid, sizeof(domid), "%u", info->domid);
	if (!mknod(xs, t, dom_path, 0, info->domid) ||
			!write_key(xs, t, dom_path, "name", info->name) ||
			!write_key(xs, t, dom_path, "domid", domid)) {
		return false;
	}
	static const char *const ro_dirs[] = {"device", "control"};
	static const char *const rw_dirs[] = {"data", "drivers", "feature", "attr", "error"};
	for (size_t i = 0; i < sizeof(ro_dirs) / sizeof(ro_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dom_path, ro_dirs[i]);
		if (!mknod(xs, t, path, 0, info->domid)) {
			return false;
		}
	}
	for (size_t i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dom_path, rw_dirs[i]);
		if (!mknod(xs, t, path, info->domid, info->domid)) {
			return false;
		}
	}
	snprintf(path, sizeof(path), "/libxl/%u", info->domid);
	return mknod(xs, t, path, 0, 0);
}

static int read_state(struct xs_handle *xs, const char *backend_path) {
	char path[160];
	snprintf(path, sizeof(path), "%s/state", backend_path);
	char *value = xs_read(xs, XBT_NULL, path, NULL);
	int state = value ? atoi(value) : -1;
	free(value);
	return state;
}

/*
 * Waits until the backend state of every device in the mask satisfies done();
 * returns the mask of those that did not in time.
 */
static unsigned wait_backends(struct xs_handle *xs, const struct device *devs, size_t ndevs,
		unsigned mask, bool (*done)(int state), double timeout) {
	unsigned pending = mask;
	bool watching = true;
	char path[160];
	for (size_t i = 0; watching && i < ndevs; i++) {
		snprintf(path, sizeof(path), "%s/state", devs[i].backend_path);
		if (!xs_watch(xs, path, "xensim-wait")) {
			fprintf(stderr, "xensim: cannot watch %s: %s\n", path, strerror(errno));
			watching = false;
		}
	}
	double deadline = now() + timeout;
	while (watching) {
		pending = 0;
		for (size_t i = 0; i < ndevs; i++) {
			if ((mask & (1u << i)) && !done(read_state(xs, devs[i].backend_path))) {
				pending |= 1u << i;
			}
		}
		double left = deadline - now();
		if (!pending || left <= 0) {
			break;
		}
		struct pollfd pfd = {.fd = xs_fileno(xs), .events = POLLIN};
		if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0) {
			char **event;
			while ((event = xs_check_watch(xs))) {
				free(event);
			}
		}
	}
	for (size_t i = 0; i < ndevs; i++) {
		snprintf(path, sizeof(path), "%s/state", devs[i].backend_path);
		xs_unwatch(xs, path, "xensim-wait");
	}
	return pending;
}

/*
 * libxl waits for exactly InitWait; the simulated guest is not paused while
 * devices are added, so a backend that already went further is fine too.
 */
static bool reached_init_wait(int state) {
	return state >= XENBUS_INIT_WAIT && state <= XENBUS_CONNECTED;
}

static bool closed_or_gone(int state) {
	return state < 0 || state == XENBUS_CLOSED;
}

static void set_paths(struct device *dev, uint32_t domid) {
	dev->domid = domid;
	snprintf(dev->frontend_path, sizeof(dev->frontend_path), "/local/domain/%u/device/%s/%u",
		domid, dev->kind, dev->devid);
	snprintf(dev->backend_path, sizeof(dev->backend_path), "/local/domain/%u/backend/%s/%u/%u",
		dev->backend, dev->backend_kind, domid, dev->devid);
	snprintf(dev->libxl_path, sizeof(dev->libxl_path), "/libxl/%u/device/%s/%u", domid,
		dev->kind, dev->devid);
}

/* Finds the domain's devices where libxl keeps them. */
static size_t list_devices(struct xs_handle *xs, uint32_t domid, struct device *devs) {
	size_t ndevs = 0;
	char path[128];
	snprintf(path, sizeof(path), "/libxl/%u/device", domid);
	unsigned int nkinds = 0;
	char **kinds = xs_directory(xs, XBT_NULL, path, &nkinds);
	for (unsigned int k = 0; kinds && k < nkinds; k++) {
		char kind_path[192];
		snprintf(kind_path, sizeof(kind_path), "%s/%s", path, kinds[k]);
		unsigned int nids = 0;
		char **ids = xs_directory(xs, XBT_NULL, kind_path, &nids);
		for (unsigned int i = 0; ids && i < nids && ndevs < MAX_DEVICES; i++) {
			struct device *dev = &devs[ndevs];
			*dev = (struct device){0};
			char key[256];
			snprintf(dev->libxl_path, sizeof(dev->libxl_path), "%s/%s", kind_path, ids[i]);
			snprintf(key, sizeof(key), "%s/frontend", dev->libxl_path);
			char *frontend = xs_read(xs, XBT_NULL, key, NULL);
			snprintf(key, sizeof(key), "%s/backend", dev->libxl_path);
			char *backend = xs_read(xs, XBT_NULL, key, NULL);
			if (frontend && backend) {
				snprintf(dev->frontend_path, sizeof(dev->frontend_path), "%s", frontend);
				snprintf(dev->backend_path, sizeof(dev->backend_path), "%s", backend);
				ndevs++;
			}
			free(frontend);
			free(backend);
		}
		free(ids);
	}
	free(kinds);
	return ndevs;
}

/*
 * libxl__initiate_device_generic_remove as a domain's destruction runs it
 * (forced): the frontend directory goes first, in the same transaction that
 * takes the backend offline and asks it to close (Closing, unless it is
 * Closed already). So a backend closing a device finds its frontend gone.
 */
static bool close_device(struct xs_handle *xs, xs_transaction_t t, const void *data) {
	const struct device *dev = data;
	xs_rm(xs, t, dev->frontend_path);
	char path[160];
	snprintf(path, sizeof(path), "%s/state", dev->backend_path);
	char *state = xs_read(xs, t, path, NULL);
	if (!state) {
		/* The backend is gone: only the frontend is cleaned up. */
		return true;
	}
	bool closed = atoi(state) == XENBUS_CLOSED;
	free(state);
	return write_key(xs, t, dev->backend_path, "online", "0") &&
		(closed || write_key(xs, t, dev->backend_path, "state", "5"));
}

static bool remove_device(struct xs_handle *xs, xs_transaction_t t, const void *data) {
	const struct device *dev = data;
	xs_rm(xs, t, dev->backend_path);
	xs_rm(xs, t, dev->frontend_path);
	xs_rm(xs, t, dev->libxl_path);
	return true;
}

static int destroy(struct xs_handle *xs, struct xensim_ctl *ctl, uint32_t domid, double timeout,
		bool graceful) {
	struct device devs[MAX_DEVICES];
	size_t ndevs = list_devices(xs, domid, devs);
	if (graceful && ndevs > 0) {
		for (size_t i = 0; i < ndevs; i++) {
			if (!transaction(xs, close_device, &devs[i])) {
				fprintf(stderr, "xensim destroy: %s: %s\n", devs[i].backend_path,
					strerror(errno));
			}
		}
		unsigned late = wait_backends(
			xs, devs, ndevs, (1u << ndevs) - 1, closed_or_gone, timeout);
		for (size_t i = 0; i < ndevs; i++) {
			if (late & (1u << i)) {
				fprintf(stderr, "xensim destroy: domain %u: timed out waiting for %s to "
					"close; removing it anyway\n", domid, devs[i].backend_path);
			}
		}
	}
	for (size_t i = 0; i < ndevs; i++) {
		transaction(xs, remove_device, &devs[i]);
	}
	if (xensim_ctl_destroy(ctl, domid) < 0) {
		fprintf(stderr, "xensim destroy: domain %u: %s\n", domid,
			errno == ESRCH ? "no such domain" : strerror(errno));
		return 1;
	}
	return 0;
}

struct options {
	uint32_t domid;
	bool has_domid;
	const char *name;
	double timeout;
	struct device devs[MAX_DEVICES];
	size_t ndevs;
	uint32_t nvdispl, nvkb;
};

static bool parse_options(int argc, char **argv, struct options *opt, bool devices) {
	opt->timeout = 10.0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		if (!value) {
			fprintf(stderr, "xensim %s: %s needs a value\n", argv[0], arg);
			return false;
		}
		i++;
		char *end;
		if (strcmp(arg, "--domid") == 0) {
			if (!parse_u32(value, &opt->domid) || opt->domid == 0 || opt->domid >= 0x7ff0) {
				fprintf(stderr, "xensim %s: bad domain id %s\n", argv[0], value);
				return false;
			}
			opt->has_domid = true;
		} else if (strcmp(arg, "--timeout") == 0) {
			opt->timeout = strtod(value, &end);
			if (*end || opt->timeout < 0) {
				fprintf(stderr, "xensim %s: bad timeout %s\n", argv[0], value);
				return false;
			}
		} else if (devices && strcmp(arg, "--name") == 0) {
			opt->name = value;
		} else if (devices && (strcmp(arg, "--vdispl") == 0 || strcmp(arg, "--vkb") == 0)) {
			bool vdispl = strcmp(arg, "--vdispl") == 0;
			if (opt->ndevs == MAX_DEVICES) {
				fprintf(stderr, "xensim create: too many devices\n");
				return false;
			}
			struct device *dev = &opt->devs[opt->ndevs];
			*dev = (struct device){0};
			dev->devid = vdispl ? opt->nvdispl++ : opt->nvkb++;
			if (!(vdispl ? parse_vdispl(dev, value) : parse_vkb(dev, value))) {
				fprintf(stderr, "xensim create: bad %s spec: %s\n", vdispl ? "vdispl" : "vkb",
					value);
				return false;
			}
			opt->ndevs++;
		} else {
			fprintf(stderr, "xensim %s: unknown option %s\n", argv[0], arg);
			return false;
		}
	}
	if (!opt->has_domid || (devices && !opt->name)) {
		fprintf(stderr, "xensim %s: --domid%s is required\n", argv[0],
			devices ? " and --name are" : "");
		return false;
	}
	return true;
}

int toolstack_create(int argc, char **argv) {
	struct options *opt = calloc(1, sizeof(*opt));
	if (!opt) {
		return 1;
	}
	int ret = 1;
	struct xs_handle *xs = NULL;
	struct xensim_ctl *ctl = NULL;
	if (!parse_options(argc, argv, opt, true)) {
		goto out;
	}
	uint32_t domid = opt->domid;
	xs = xs_open(0);
	ctl = xensim_ctl_open();
	if (!xs || !ctl) {
		goto out;
	}
	if (xensim_ctl_create(ctl, domid, opt->name) < 0) {
		fprintf(stderr, "xensim create: domain %u: %s\n", domid,
			errno == EEXIST ? "exists already (or others still map its memory)" :
			strerror(errno));
		goto out;
	}
	struct domain_info info = {.domid = domid, .name = opt->name};
	if (!transaction(xs, add_domain, &info) || xensim_ctl_introduce(ctl, domid) < 0) {
		fprintf(stderr, "xensim create: domain %u: %s\n", domid, strerror(errno));
		goto error_destroy;
	}
	for (size_t i = 0; i < opt->ndevs; i++) {
		struct device *dev = &opt->devs[i];
		char fe_id[16], be_id[16];
		snprintf(fe_id, sizeof(fe_id), "%u", domid);
		snprintf(be_id, sizeof(be_id), "%u", dev->backend);
		/* The common keys first, as libxl__device_add_async appends them. */
		bool ok = add_kv(dev->back, &dev->nback, "frontend-id", fe_id) &&
			add_kv(dev->back, &dev->nback, "online", "1") &&
			add_kv(dev->back, &dev->nback, "state", "1") &&
			add_kv(dev->front, &dev->nfront, "backend-id", be_id) &&
			add_kv(dev->front, &dev->nfront, "state", "1");
		for (size_t k = 0; ok && k < dev->nextra; k++) {
			ok = add_kv(dev->back, &dev->nback, dev->extra[k].key, dev->extra[k].value);
		}
		set_paths(dev, domid);
		if (!ok || !transaction(xs, add_device, dev)) {
			fprintf(stderr, "xensim create: domain %u: cannot write %s: %s\n", domid,
				dev->frontend_path, strerror(errno));
			goto error_destroy;
		}
	}
	unsigned waiting = 0;
	for (size_t i = 0; i < opt->ndevs; i++) {
		waiting |= opt->devs[i].waits ? 1u << i : 0;
	}
	unsigned late =
		wait_backends(xs, opt->devs, opt->ndevs, waiting, reached_init_wait, opt->timeout);
	if (late) {
		for (size_t i = 0; i < opt->ndevs; i++) {
			if (late & (1u << i)) {
				fprintf(stderr, "xensim create: domain %u: unable to add device with path %s "
					"(the backend did not reach InitWait in %g s)\n", domid,
					opt->devs[i].backend_path, opt->timeout);
			}
		}
		goto error_destroy;
	}
	ret = 0;
	goto out;
error_destroy:
	destroy(xs, ctl, domid, 0, false);
out:
	xensim_ctl_close(ctl);
	xs_close(xs);
	free(opt);
	return ret;
}

int toolstack_destroy(int argc, char **argv) {
	struct options *opt = calloc(1, sizeof(*opt));
	if (!opt) {
		return 1;
	}
	int ret = 1;
	struct xs_handle *xs = NULL;
	struct xensim_ctl *ctl = NULL;
	if (parse_options(argc, argv, opt, false)) {
		xs = xs_open(0);
		ctl = xensim_ctl_open();
		if (xs && ctl) {
			ret = destroy(xs, ctl, opt->domid, opt->timeout, true);
		}
	}
	xensim_ctl_close(ctl);
	xs_close(xs);
	free(opt);
	return ret;
}
