/*
 * page_alloc.h — the physical page allocator over [free_start, ram_bytes).
 *
 * Pages are handed out as pointers (guest-virtual == guest-physical). Allocation never zeroes a page:
 * RAM the guest has never written is zero, but a page that was freed and allocated again keeps its old
 * data, so callers that need zero must zero it themselves.
 */
#ifndef PAGE_ALLOC_H
#define PAGE_ALLOC_H

#include <stdint.h>

/* Takes [free_start, ram_bytes); the allocator's bitmap occupies the first pages of that range. */
void page_alloc_init(uint64_t free_start, uint64_t ram_bytes);

/* One page, lowest free address first; NULL when none is free. */
void *page_alloc(void);

/* n contiguous pages, first fit from the lowest possibly-free page; NULL if no run of n is free. */
void *page_alloc_contig(uint64_t n);

/* Returns one page obtained from page_alloc or page_alloc_contig. A bad or double free fails the run. */
void page_free(void *page);

/* Number of pages that are free now, including those the balloon holds (allocating one takes it back). */
uint64_t page_free_count(void);

/* For the balloon driver: the allocator's bitmap (bit i set = page i in use; bits past the last page are
 * set), the address of page 0 and the number of pages. Allocator page i is at base + i * PAGE_SIZE. */
const uint64_t *page_alloc_bitmap(void);
uint64_t page_alloc_base(void);
uint64_t page_alloc_pages(void);

#endif /* PAGE_ALLOC_H */
