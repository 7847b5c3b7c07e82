/*
 * kmalloc.h — small-object allocator for the kernel and workloads.
 *
 * Sizes up to KMALLOC_MAX_SMALL come from per-size-class pages (16, 32, ... 2048 bytes, 16-byte
 * aligned); larger blocks get their own run of contiguous pages. Memory is not zeroed. Pages of a size
 * class are kept by that class once used.
 */
#ifndef KMALLOC_H
#define KMALLOC_H

#include <stdint.h>

#define KMALLOC_MAX_SMALL 2048

/* NULL when memory is exhausted (size 0 is treated as 1). */
void *kmalloc(uint64_t size);
/* Accepts NULL. Freeing a pointer kmalloc did not return fails the run. */
void kfree(void *ptr);

#endif /* KMALLOC_H */
