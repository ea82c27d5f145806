#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"

/* Bounds the memory file of one gntshr handle (4 GiB). */
#define ARENA_MAX_PAGES (1u << 20)

/* An entry of a domain's grant table. */
struct grant {
	struct arena *arena; /* NULL: free */
	uint32_t page;
	uint32_t grantee;
	bool writable;
};

/*
 * The memory of one gntshr handle: a memfd the client maps, in which the
 * broker places each share. A page is reused only once it is neither granted
 * nor mapped by anyone, and it is zeroed then, as gntalloc's pages are fresh.
 */
struct arena {
	struct domain *dom;
	struct conn *owner; /* NULL once the handle closed */
	int fd, ro_fd; /* ro_fd: for read-only mappings, so they can't be made writable */
	uint32_t npages;
	uint32_t *refs; /* per page: its grant ref, or 0 */
	uint32_t *maps; /* per page: live mappings */
	uint64_t mapped; /* sum of maps[] */
};

struct mapping {
	struct simlist link; /* conn.maps */
	uint32_t id, count;
	struct mapped_page {
		struct arena *arena;
		uint32_t page;
	} pages[];
};

int grant_attach_arena(struct conn *conn, struct domain *dom, int fd) {
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || ftruncate(fd, 0) < 0) {
		close(fd);
		return EINVAL;
	}
	struct arena *arena = calloc(1, sizeof(*arena));
	if (!arena) {
		close(fd);
		return ENOMEM;
	}
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	arena->ro_fd = open(proc, O_RDONLY | O_CLOEXEC);
	arena->fd = fd;
	arena->dom = dom;
	arena->owner = conn;
	dom->narenas++;
	conn->arena = arena;
	return 0;
}

static void arena_free(struct arena *arena) {
	if (arena->fd >= 0) {
		close(arena->fd);
	}
	if (arena->ro_fd >= 0) {
		close(arena->ro_fd);
	}
	struct domain *dom = arena->dom;
	free(arena->refs);
	free(arena->maps);
	free(arena);
	domain_unref(dom);
}

/* Gives a page that nobody uses any more back, zeroed. */
static void arena_release_page(struct arena *arena, uint32_t page) {
	if (arena->fd >= 0 && fallocate(arena->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			(off_t)page * SIMWIRE_PAGE, SIMWIRE_PAGE) < 0) {
		fprintf(stderr, "xensim: cannot release a shared page: %s\n", strerror(errno));
	}
}

/* Finds count contiguous free pages (first fit), growing the file if needed. */
static bool arena_alloc(struct arena *arena, uint32_t count, uint32_t *first) {
	uint32_t run = 0;
	for (uint32_t page = 0; page < arena->npages; page++) {
		run = arena->refs[page] || arena->maps[page] ? 0 : run + 1;
		if (run == count) {
			*first = page + 1 - count;
			return true;
		}
	}
	uint32_t start = arena->npages - run;
	if (count > ARENA_MAX_PAGES - start) {
		return false;
	}
	uint32_t npages = start + count;
	uint32_t *refs = realloc(arena->refs, npages * sizeof(*refs));
	if (refs) {
		arena->refs = refs;
	}
	uint32_t *maps = realloc(arena->maps, npages * sizeof(*maps));
	if (maps) {
		arena->maps = maps;
	}
	if (!refs || !maps || ftruncate(arena->fd, (off_t)npages * SIMWIRE_PAGE) < 0) {
		return false;
	}
	for (uint32_t page = arena->npages; page < npages; page++) {
		arena->refs[page] = arena->maps[page] = 0;
	}
	arena->npages = npages;
	*first = start;
	return true;
}

/* The next free ref after the last one handed out, so revoked refs aren't reused at once. */
static uint32_t ref_alloc(struct domain *dom) {
	for (uint32_t i = 0; i < SIM_GRANT_REFS; i++) {
		uint32_t ref = dom->next_ref;
		dom->next_ref = ref + 1 < SIM_GRANT_REFS ? ref + 1 : SIM_GRANT_FIRST;
		if (ref >= SIM_GRANT_FIRST && !dom->grants[ref].arena) {
			return ref;
		}
	}
	return 0;
}

static void end_grant(struct arena *arena, uint32_t page) {
	struct domain *dom = arena->dom;
	dom->grants[arena->refs[page]] = (struct grant){0};
	dom->ngrants--;
	arena->refs[page] = 0;
}

static void share(struct conn *conn, struct simwire_msg *msg) {
	uint32_t grantee = simwire_get_u32(msg);
	uint32_t count = simwire_get_u32(msg);
	uint32_t writable = simwire_get_u32(msg);
	if (!simwire_done(msg)) {
		conn->broken = true;
		return;
	}
	struct arena *arena = conn->arena;
	struct domain *dom = conn->dom;
	uint32_t first;
	int err = 0;
	if (count == 0 || count > SIM_GRANT_REFS - SIM_GRANT_FIRST || grantee > UINT16_MAX) {
		err = EINVAL;
	} else if (dom->ngrants + count > SIM_GRANT_REFS - SIM_GRANT_FIRST) {
		err = ENOSPC; /* the grant table is full */
	} else if (dom->domid == 0 && dom->ngrants + count > conn->broker->gntalloc_limit) {
		err = ENOSPC; /* over dom0's gntalloc limit, as gntalloc says */
	} else if (!dom->grants && !(dom->grants = calloc(SIM_GRANT_REFS, sizeof(*dom->grants)))) {
		err = ENOMEM;
	} else if (!arena_alloc(arena, count, &first)) {
		err = ENOMEM;
	}
	if (err) {
		conn_reply(conn, SIMWIRE_GNT_SHARE, err);
		return;
	}
	struct simwire_buf buf;
	simwire_start(&buf, SIMWIRE_GNT_SHARE, 0, 0);
	simwire_put_u32(&buf, first);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t ref = ref_alloc(dom);
		dom->grants[ref] = (struct grant){
			.arena = arena,
			.page = first + i,
			.grantee = grantee,
			.writable = writable != 0,
		};
		dom->ngrants++;
		arena->refs[first + i] = ref;
		simwire_put_u32(&buf, ref);
	}
	conn_send(conn, &buf, NULL, 0);
}

/* Not "unshare": <sched.h> declares unshare(2) to threaded programs. */
static void end_share(struct conn *conn, struct simwire_msg *msg) {
	uint32_t first = simwire_get_u32(msg);
	uint32_t count = simwire_get_u32(msg);
	if (!simwire_done(msg)) {
		conn->broken = true;
		return;
	}
	struct arena *arena = conn->arena;
	int err = 0;
	if (count == 0 || count > arena->npages || first > arena->npages - count) {
		err = EINVAL;
	}
	for (uint32_t i = 0; !err && i < count; i++) {
		if (!arena->refs[first + i]) {
			err = EINVAL;
		}
	}
	for (uint32_t i = 0; !err && i < count; i++) {
		end_grant(arena, first + i);
		if (!arena->maps[first + i]) {
			arena_release_page(arena, first + i);
		}
	}
	conn_reply(conn, SIMWIRE_GNT_UNSHARE, err);
}

static void release_mapping(struct conn *conn, struct mapping *map) {
	for (uint32_t i = 0; i < map->count; i++) {
		struct arena *arena = map->pages[i].arena;
		uint32_t page = map->pages[i].page;
		arena->maps[page]--;
		arena->mapped--;
		if (arena->dom != conn->dom) {
			arena->dom->mapped_by_others--;
			conn->dom->maps_held--;
		}
		if (arena->owner) {
			if (!arena->refs[page] && !arena->maps[page]) {
				arena_release_page(arena, page);
			}
		} else if (arena->mapped == 0) {
			arena_free(arena);
		}
	}
	conn->mapped_pages -= map->count;
	simlist_remove(&map->link);
	free(map);
}

/* Checks one ref like Xen's map_grant_ref: GNTST_bad_gntref and friends. */
static int check_ref(struct broker *broker, struct conn *conn, uint32_t domid, uint32_t ref,
		bool writable, struct grant **out) {
	struct domain *granter = domain_lookup(broker, domid);
	if (!granter || ref < SIM_GRANT_FIRST || ref >= SIM_GRANT_REFS || !granter->grants ||
			!granter->grants[ref].arena) {
		return EINVAL;
	}
	struct grant *grant = &granter->grants[ref];
	if (grant->grantee != conn->dom->domid || (writable && !grant->writable)) {
		return EPERM;
	}
	*out = grant;
	return 0;
}

static void map(struct conn *conn, struct simwire_msg *msg) {
	struct broker *broker = conn->broker;
	bool writable = simwire_get_u32(msg) != 0;
	uint32_t count = simwire_get_u32(msg);
	if (count > SIMWIRE_MAX_MAP) {
		conn->broken = true;
		return;
	}
	struct mapping *mapping = calloc(1, sizeof(*mapping) + count * sizeof(mapping->pages[0]));
	if (!mapping) {
		conn->broken = true;
		return;
	}
	int err = 0;
	int fds[SIMWIRE_MAX_FDS];
	size_t nfds = 0;
	struct simwire_buf buf;
	simwire_start(&buf, SIMWIRE_GNT_MAP, 0, 0);
	simwire_put_u32(&buf, broker->next_map_id);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t domid = simwire_get_u32(msg);
		uint32_t ref = simwire_get_u32(msg);
		struct grant *grant;
		if (msg->bad || err || (err = check_ref(broker, conn, domid, ref, writable, &grant))) {
			continue;
		}
		struct arena *arena = grant->arena;
		int fd = writable || arena->ro_fd < 0 ? arena->fd : arena->ro_fd;
		size_t index = 0;
		while (index < nfds && fds[index] != fd) {
			index++;
		}
		if (index == nfds) {
			if (nfds == SIMWIRE_MAX_FDS) {
				err = E2BIG; /* pages of too many different handles */
				continue;
			}
			fds[nfds++] = fd;
		}
		mapping->pages[i] = (struct mapped_page){.arena = arena, .page = grant->page};
		simwire_put_u32(&buf, (uint32_t)index);
		simwire_put_u32(&buf, grant->page);
	}
	if (!simwire_done(msg)) {
		conn->broken = true;
		goto error;
	}
	if (count == 0) {
		err = EINVAL;
	} else if (!err && conn->mapped_pages + count > conn->max_pages) {
		err = ENOMEM; /* what gntdev says over its limit */
	}
	if (err) {
		conn_reply(conn, SIMWIRE_GNT_MAP, err);
		goto error;
	}

	mapping->id = broker->next_map_id++;
	mapping->count = count;
	for (uint32_t i = 0; i < count; i++) {
		struct arena *arena = mapping->pages[i].arena;
		arena->maps[mapping->pages[i].page]++;
		arena->mapped++;
		if (arena->dom != conn->dom) {
			arena->dom->mapped_by_others++;
			conn->dom->maps_held++;
		}
	}
	conn->mapped_pages += count;
	simlist_append(&conn->maps, &mapping->link);
	conn_send(conn, &buf, fds, nfds);
	return;
error:
	simwire_finish(&buf);
	free(mapping);
}

static void unmap(struct conn *conn, struct simwire_msg *msg) {
	uint32_t id = simwire_get_u32(msg);
	if (!simwire_done(msg)) {
		conn->broken = true;
		return;
	}
	struct mapping *mapping;
	simlist_for_each(mapping, &conn->maps, struct mapping, link) {
		if (mapping->id == id) {
			release_mapping(conn, mapping);
			conn_reply(conn, SIMWIRE_GNT_UNMAP, 0);
			return;
		}
	}
	conn_reply(conn, SIMWIRE_GNT_UNMAP, EINVAL);
}

void grant_handle(struct conn *conn, struct simwire_msg *msg) {
	bool shr = conn->kind == SIMWIRE_KIND_GNTSHR;
	switch (msg->hdr.type) {
	case SIMWIRE_GNT_SHARE:
		if (shr) {
			share(conn, msg);
			return;
		}
		break;
	case SIMWIRE_GNT_UNSHARE:
		if (shr) {
			end_share(conn, msg);
			return;
		}
		break;
	case SIMWIRE_GNT_MAP:
		if (!shr) {
			map(conn, msg);
			return;
		}
		break;
	case SIMWIRE_GNT_UNMAP:
		if (!shr) {
			unmap(conn, msg);
			return;
		}
		break;
	case SIMWIRE_GNT_SET_MAX: {
		uint32_t pages = simwire_get_u32(msg);
		if (shr || !simwire_done(msg)) {
			break;
		}
		if (pages > 0) {
			conn->max_pages = pages;
		}
		conn_reply(conn, SIMWIRE_GNT_SET_MAX, pages > 0 ? 0 : EINVAL);
		return;
	}
	}
	conn->broken = true;
}

void grant_release_conn(struct conn *conn) {
	if (conn->kind == SIMWIRE_KIND_GNTTAB) {
		struct mapping *mapping, *tmp;
		simlist_for_each_safe(mapping, tmp, &conn->maps, struct mapping, link) {
			release_mapping(conn, mapping);
		}
	}
	struct arena *arena = conn->arena;
	if (!arena) {
		return;
	}
	/*
	 * Closing the handle ends its grants. The pages stay as they are: the
	 * process keeps its mappings, others keep theirs.
	 */
	for (uint32_t page = 0; page < arena->npages; page++) {
		if (arena->refs[page]) {
			end_grant(arena, page);
		}
	}
	close(arena->fd);
	if (arena->ro_fd >= 0) {
		close(arena->ro_fd);
	}
	arena->fd = arena->ro_fd = -1;
	arena->owner = NULL;
	conn->arena = NULL;
	if (arena->mapped == 0) {
		arena_free(arena);
	}
}

struct pair {
	uint32_t mapper, granter;
	uint64_t pages;
};

static int pair_cmp(const void *a, const void *b) {
	const struct pair *pa = a, *pb = b;
	if (pa->mapper != pb->mapper) {
		return pa->mapper < pb->mapper ? -1 : 1;
	}
	return pa->granter < pb->granter ? -1 : pa->granter > pb->granter;
}

void grant_print_mappings(struct broker *broker, FILE *out) {
	struct pair *pairs = NULL;
	size_t npairs = 0;
	struct conn *conn;
	simlist_for_each(conn, &broker->conns, struct conn, link) {
		if (conn->kind != SIMWIRE_KIND_GNTTAB || conn->closed) {
			continue;
		}
		struct mapping *mapping;
		simlist_for_each(mapping, &conn->maps, struct mapping, link) {
			for (uint32_t i = 0; i < mapping->count; i++) {
				uint32_t granter = mapping->pages[i].arena->dom->domid;
				size_t j = 0;
				while (j < npairs && !(pairs[j].mapper == conn->dom->domid &&
						pairs[j].granter == granter)) {
					j++;
				}
				if (j == npairs) {
					struct pair *grown = realloc(pairs, (npairs + 1) * sizeof(*pairs));
					if (!grown) {
						goto out;
					}
					pairs = grown;
					pairs[npairs++] = (struct pair){conn->dom->domid, granter, 0};
				}
				pairs[j].pages++;
			}
		}
	}
	if (npairs > 0) {
		qsort(pairs, npairs, sizeof(*pairs), pair_cmp);
	}
	for (size_t j = 0; j < npairs; j++) {
		fprintf(out, "mapper=%u granter=%u pages=%llu\n", pairs[j].mapper, pairs[j].granter,
			(unsigned long long)pairs[j].pages);
	}
out:
	free(pairs);
}
