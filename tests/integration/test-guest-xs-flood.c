/*
 * A guest writing junk keys into its own frontend directory as fast as it
 * can (the directory is the guest's) costs mosaic nothing: it watches only
 * the keys it must read. Nor does one flapping its XenBus state (20,000
 * times and more, for 3 s): its changes are handled together, a few
 * milliseconds apart at most, and past 1,000 changes in 10 s its device is
 * closed with an error key. A guest beside them keeps flipping without a
 * timeout, and mosaic's memory does not grow with the floods.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <xenstore.h>

#include "guests.h"
#include "harness.h"

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", NULL};
	harness_start(&h, args);
	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	harness_create_guest(&h, 2, "junk", "j0:640x480");
	const char *steady[] = {"--report-every", "30", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", steady);
	struct proc *junk = harness_spawn_guest(&h, 2, "junk", steady);
	guests_flips_ok(cluster);
	guests_flips_ok(junk);
	long rss_before = guests_mosaic_rss_kb(&h);

	/* As domain 2: keys of its own under its vdispl directory, for 3 s. */
	setenv("XENSIM_DOMID", "2", 1);
	struct xs_handle *xs = xs_open(0);
	unsetenv("XENSIM_DOMID");
	CHECK(xs != NULL, "cannot connect to XenStore as domain 2");
	long before = guests_flips_accepted(&h, "cluster");
	int64_t t0 = now_ms();
	long writes = 0;
	char key[96], value[32];
	while (now_ms() - t0 < 3000) {
		snprintf(key, sizeof(key), "/local/domain/2/device/vdispl/0/junk%ld", writes % 4096);
		snprintf(value, sizeof(value), "%ld", writes);
		CHECK(xs_write(xs, XBT_NULL, key, value, (unsigned int)strlen(value)),
			"junk write %ld refused", writes);
		writes++;
	}
	double seconds = (double)(now_ms() - t0) / 1000.0;
	double rate = (double)(guests_flips_accepted(&h, "cluster") - before) / seconds;
	xs_close(xs);
	long rss_after = guests_mosaic_rss_kb(&h);
	fprintf(stderr,
		"%ld junk writes in %.1f s; cluster %.1f flips/s meanwhile; mosaic %ld -> %ld kB\n",
		writes, seconds, rate, rss_before, rss_after);
	guests_flips_ok(cluster);
	guests_flips_ok(junk);
	CHECK(rate >= 50, "cluster fell to %.1f flips/s during the junk writes", rate);
	/* Flat in a release build; ASan's allocator keeps some (the flood took 212 MiB before). */
	CHECK(rss_after - rss_before < 48 * 1024, "mosaic grew by %ld kB during the junk writes",
		rss_after - rss_before);

	/* Domain 3 has a vdispl device but no frontend of its own: the test flaps its state. */
	harness_create_guest(&h, 3, "flapper", "f0:640x480");
	setenv("XENSIM_DOMID", "3", 1);
	xs = xs_open(0);
	unsetenv("XENSIM_DOMID");
	CHECK(xs != NULL, "cannot connect to XenStore as domain 3");
	before = guests_flips_accepted(&h, "cluster");
	t0 = now_ms();
	static const char *const states[] = {"1", "3", "4", "5", "6"};
	long changes = 0;
	for (long i = 0; i < 20000 || now_ms() - t0 < 3000; i++, changes++) {
		const char *state = states[i % 5];
		CHECK(xs_write(xs, XBT_NULL, "/local/domain/3/device/vdispl/0/state", state, 1),
			"state write %ld refused", i);
	}
	seconds = (double)(now_ms() - t0) / 1000.0;
	rate = (double)(guests_flips_accepted(&h, "cluster") - before) / seconds;
	/*
	 * The flapper lost its own device: closed, with the reason, and no longer
	 * served (read before the flapper's connection goes: its domain goes with it).
	 */
	struct xs_handle *dom0 = xs_open(0);
	CHECK(dom0 != NULL, "cannot connect to XenStore as dom0");
	unsigned int len;
	char *be_state = xs_read(dom0, XBT_NULL, "/local/domain/0/backend/vdispl/3/0/state", &len);
	char *error = xs_read(dom0, XBT_NULL, "/local/domain/0/backend/vdispl/3/0/error", &len);
	fprintf(stderr, "flapper's backend: state %s, error \"%s\"\n", be_state ? be_state : "-",
		error ? error : "");
	CHECK(be_state != NULL && strcmp(be_state, "6") == 0,
		"the flapper's device is not Closed (state %s)", be_state ? be_state : "none");
	CHECK(error != NULL && strstr(error, "too often") != NULL,
		"no error key says why the flapper's device was closed");
	free(be_state);
	free(error);
	CHECK(xs_write(xs, XBT_NULL, "/local/domain/3/device/vdispl/0/state", "1", 1),
		"state write refused");
	nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
	be_state = xs_read(dom0, XBT_NULL, "/local/domain/0/backend/vdispl/3/0/state", &len);
	CHECK(be_state != NULL && strcmp(be_state, "6") == 0,
		"the closed device answered its frontend again (state %s)", be_state ? be_state : "none");
	free(be_state);
	xs_close(dom0);
	xs_close(xs);
	long rss_flapped = guests_mosaic_rss_kb(&h);
	fprintf(stderr, "%ld state changes in %.1f s; cluster %.1f flips/s meanwhile; mosaic %ld kB\n",
		changes, seconds, rate, rss_flapped);
	guests_flips_ok(cluster);
	CHECK(rate >= 50, "cluster fell to %.1f flips/s during the state flapping", rate);
	CHECK(rss_flapped - rss_after < 48 * 1024, "mosaic grew by %ld kB during the flapping",
		rss_flapped - rss_after);


	CHECK(WEXITSTATUS(proc_stop(junk, SIGTERM, 10000)) == 0, "junk exit status");
	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	printf("guest-xs-flood: ok\n");
	return 0;
}
