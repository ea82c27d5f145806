#ifndef VGUEST_DISPLIF_H
#define VGUEST_DISPLIF_H

/*
 * <xen/io/displif.h> with the memory barriers its ring macros need in a
 * userspace program. The other end is another domain on another CPU, so
 * these are full hardware barriers.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen-compat.h>

#if __XEN_INTERFACE_VERSION__ < 0x00030208
/* The legacy interface maps xen_mb() and friends to these. */
#ifndef mb
#define mb() __sync_synchronize()
#endif
#ifndef rmb
#define rmb() __sync_synchronize()
#endif
#ifndef wmb
#define wmb() __sync_synchronize()
#endif
#else
#ifndef xen_mb
#define xen_mb() __sync_synchronize()
#endif
#ifndef xen_rmb
#define xen_rmb() __sync_synchronize()
#endif
#ifndef xen_wmb
#define xen_wmb() __sync_synchronize()
#endif
#endif

#include <xen/io/displif.h>

#define DISPLIF_PAGE_SIZE 4096u

/* Grant references per page-directory page, after gref_dir_next_page. */
#define DISPLIF_GREFS_PER_DIR_PAGE                                                                 \
	((DISPLIF_PAGE_SIZE - offsetof(struct xendispl_page_directory, gref)) / sizeof(grant_ref_t))

const char *displif_op_name(uint8_t operation);

#endif
