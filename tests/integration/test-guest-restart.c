/*
 * Places of guests that come and go, in the built-in grid: a guest that
 * restarts under a new domid (as every Xen domain does) takes its old place
 * instead of a new one beside its placeholder; a guest that is gone and
 * does not come back gives its place up after --forget-after, so that the
 * live guests' views grow back instead of shrinking with every guest that
 * ever came.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "guests.h"
#include "harness.h"

/* How many `guests` lines name the domain, by name. */
static int count_guests(struct harness *h, const char *name)
{
	char *out = harness_control(h, "guests");
	CHECK(out != NULL, "guests failed");
	int n = 0;
	char needle[80];
	snprintf(needle, sizeof(needle), "name=%s ", name);
	for (const char *p = out; (p = strstr(p, needle)) != NULL; p++) {
		n++;
	}
	free(out);
	return n;
}

/* A guest that presents a few flips, then exits: xensim destroys its domain. */
static void come_and_go(struct harness *h, int domid, const char *name)
{
	harness_create_guest(h, domid, name, "c0:640x480");
	const char *args[] = {"--exit-after", "10", NULL};
	struct proc *guest = harness_spawn_guest(h, domid, name, args);
	CHECK(proc_wait_exit(guest, 30000) != -1, "%s did not exit", name);
}

static void wait_state(struct harness *h, long domid, const char *state, struct surface_info *si)
{
	int64_t deadline = now_ms() + 10000;
	for (;;) {
		if (guests_find_surface(h, domid, 0, 0, si) && strcmp(si->state, state) == 0) {
			return;
		}
		CHECK(now_ms() < deadline, "domain %ld is not %s", domid, state);
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
}

int main(void)
{
	struct harness h;
	const char *args[] = {"--size", "1280x720", "--forget-after", "1", NULL};
	harness_start(&h, args);
	int follow = guests_follow(&h);

	harness_create_guest(&h, 1, "cluster", "c0:640x480");
	const char *steady[] = {"--report-every", "30", NULL};
	struct proc *cluster = harness_spawn_guest(&h, 1, "cluster", steady);
	struct surface_info alone, si;
	wait_state(&h, 1, "connected", &alone);

	/* navigation's domain 2 dies; it comes back as domain 3, in the same place. */
	harness_create_guest(&h, 2, "navigation", "c0:640x480");
	const char *nav_args[] = {"--exit-after", "10", NULL};
	struct proc *nav = harness_spawn_guest(&h, 2, "navigation", nav_args);
	struct surface_info first;
	wait_state(&h, 2, "connected", &first);
	CHECK(proc_wait_exit(nav, 30000) != -1, "navigation did not exit");
	wait_state(&h, 2, "absent", &si);
	harness_create_guest(&h, 3, "navigation", "c0:640x480");
	struct proc *nav2 = harness_spawn_guest(&h, 3, "navigation", steady);
	struct surface_info again;
	wait_state(&h, 3, "connected", &again);
	CHECK(!guests_find_surface(&h, 2, 0, 0, &si), "domain 2 still has a place of its own");
	CHECK(count_guests(&h, "navigation") == 1, "navigation is listed %d times",
		count_guests(&h, "navigation"));
	CHECK(again.x == first.x && again.y == first.y && again.width == first.width &&
			again.height == first.height,
		"navigation came back at %ld,%ld %ldx%ld, not at its place %ld,%ld %ldx%ld", again.x,
		again.y, again.width, again.height, first.x, first.y, first.width, first.height);

	/* Many guests come and go, each once: their places are freed after a second. */
	struct surface_info both;
	CHECK(guests_find_surface(&h, 1, 0, 0, &both), "cluster is not listed");
	char name[32];
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "visitor%d", i);
		come_and_go(&h, 10 + i, name);
	}
	CHECK(guests_follow_wait(follow, "event guest-forgotten label=visitor5:0.0", 10000, NULL, 0),
		"visitor5's place was not freed");
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "visitor%d", i);
		CHECK(count_guests(&h, name) == 0, "%s is still listed", name);
	}
	/* Two live guests again: cluster's view is as large as it was beside navigation alone. */
	CHECK(guests_find_surface(&h, 1, 0, 0, &si), "cluster is not listed");
	CHECK(si.width == both.width && si.height == both.height,
		"cluster is shown %ldx%ld, was %ldx%ld beside navigation", si.width, si.height,
		both.width, both.height);
	CHECK(si.width <= alone.width, "cluster grew past its size alone");

	CHECK(WEXITSTATUS(proc_stop(nav2, SIGTERM, 10000)) == 0, "navigation exit status");
	CHECK(WEXITSTATUS(proc_stop(cluster, SIGTERM, 10000)) == 0, "cluster exit status");
	harness_stop(&h);
	printf("guest-restart: ok\n");
	return 0;
}
