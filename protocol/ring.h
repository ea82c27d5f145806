#ifndef MOSAIC_PROTOCOL_RING_H
#define MOSAIC_PROTOCOL_RING_H

/*
 * Xen's ring macros want the includer's memory barriers. Shared pages are
 * written by another domain concurrently: full fences, as Linux uses.
 */
#include <stdint.h>
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define wmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#include <xen/io/displif.h>
#include <xen/io/kbdif.h>

#define XEN_PAGE_SIZE 4096u

/* Reads a value another domain may change under us exactly once. */
#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
