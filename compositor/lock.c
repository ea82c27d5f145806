#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compositor/lock.h"

struct mosaic_lock {
	int fd;
	char *path;
};

/* The pid a holder wrote; 0 if none (yet). */
static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		return 0;
	}
	buf[n] = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	return end != buf && *end == '\n' && pid > 0 ? (pid_t)pid : 0;
}

/* Whether fd is still the file at path: one that stopped may have removed it since. */
static bool same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		a.st_ino == b.st_ino;
}

static bool write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	return ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n;
}

struct mosaic_lock *lock_create(const char *path, pid_t *holder)
{
	*holder = -1;
	struct mosaic_lock *lock = calloc(1, sizeof(*lock));
	if (lock == NULL || (lock->path = strdup(path)) == NULL) {
		goto error;
	}
	/* A few rounds: each lost only to a holder removing its file as it stopped. */
	for (int round = 0; round < 10; round++) {
		/* Not through a link: the file may be in a directory others can write to (/tmp). */
		lock->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lock->fd < 0) {
			goto error;
		}
		if (flock(lock->fd, LOCK_EX | LOCK_NB) < 0) {
			int err = errno;
			if (err == EWOULDBLOCK) {
				/* Its pid comes just after its lock: wait for it a little. */
				*holder = read_holder(lock->fd);
				for (int i = 0; i < 100 && *holder == 0; i++) {
					nanosleep(&(struct timespec){0, 2000000}, NULL);
					*holder = read_holder(lock->fd);
				}
			}
			close(lock->fd);
			errno = err;
			goto error;
		}
		if (same_file(lock->fd, path)) {
			if (!write_pid(lock->fd)) {
				int err = errno;
				close(lock->fd);
				errno = err;
				goto error;
			}
			return lock;
		}
		close(lock->fd);
	}
	errno = EAGAIN;

error:
	if (lock != NULL) {
		int err = errno;
		free(lock->path);
		free(lock);
		errno = err;
	}
	return NULL;
}

void lock_destroy(struct mosaic_lock *lock)
{
	if (lock == NULL) {
		return;
	}
	/* Removed while still held: the next mosaic finds no file, or one of its own. */
	unlink(lock->path);
	close(lock->fd);
	free(lock->path);
	free(lock);
}

bool lock_backend_path(char *buf, size_t size)
{
	const char *dir = getenv("MOSAIC_RUNTIME_DIR");
	int n;
	if (dir != NULL && dir[0] != '\0') {
		n = snprintf(buf, size, "%s/mosaic-backend.lock", dir);
	} else if (access("/run", W_OK) == 0) {
		n = snprintf(buf, size, "/run/mosaic-backend.lock");
	} else if ((dir = getenv("XDG_RUNTIME_DIR")) != NULL && dir[0] != '\0') {
		n = snprintf(buf, size, "%s/mosaic-backend.lock", dir);
	} else {
		n = snprintf(buf, size, "/tmp/mosaic-backend-%u.lock", (unsigned)getuid());
	}
	return n > 0 && (size_t)n < size;
}
