#ifndef MOSAIC_COMPOSITOR_LOCK_H
#define MOSAIC_COMPOSITOR_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * One mosaic at a time: a lock file says which mosaic owns a thing (a
 * control socket, the backends of the domain it runs in). It is flock()ed
 * for as long as that mosaic runs and holds its pid, for the next one to
 * name; the kernel lets it go when mosaic dies, however it dies, and the
 * next one takes it over.
 */
struct mosaic_lock;

/*
 * Takes the lock at path, creating the file. NULL if it cannot: *holder is
 * then the pid of the process that holds it (0 if it has not said yet), or
 * -1 if the file cannot be made or locked at all (errno says why).
 */
struct mosaic_lock *lock_create(const char *path, pid_t *holder);
/* Removes the file and lets the lock go. */
void lock_destroy(struct mosaic_lock *lock);

/*
 * The lock of the vdispl and vkbd backends of the domain mosaic runs in:
 * in $MOSAIC_RUNTIME_DIR, else /run where mosaic may write there (root:
 * the same file whatever session it was started from), else in
 * $XDG_RUNTIME_DIR, else in /tmp with the user's id. false if the path does
 * not fit.
 */
bool lock_backend_path(char *buf, size_t size);

#endif
