/*
 * page_alloc.c — bitmap page allocator (bit set = page in use).
 *
 * `first_word` is the index of the lowest bitmap word that may hold a free bit: every page below it is
 * in use. Allocation scans from there (first fit), frees move it back down. Bits past the last page are
 * set at init so that scans never run off the end.
 *
 * The balloon driver (drivers/balloon.c) may hold free pages: they stay clear here, so every
 * allocation decision is the one it would be without the balloon, and each allocation calls
 * balloon_claim, which gets any ballooned page among the ones just taken back from the host before the
 * caller sees it (and tops up the driver's reserve). balloon_claim returns at once while the balloon is
 * empty, and it leaves no trace on the caller's stack, so a run's memory does not depend on dsb=.
 */
#include "balloon.h"
#include "kernel.h"
#include "page_alloc.h"

static uint64_t *bitmap;
static uint64_t base;          /* address of managed page 0 */
static uint64_t npages;
static uint64_t nwords;
static uint64_t first_word;
static uint64_t free_pages;

void page_alloc_init(uint64_t free_start, uint64_t ram_bytes) {
    uint64_t total = (ram_bytes - free_start) >> PAGE_SHIFT;
    uint64_t bitmap_pages = (total + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);
    bitmap = (uint64_t *)free_start;
    base = free_start + (bitmap_pages << PAGE_SHIFT);
    npages = total > bitmap_pages ? total - bitmap_pages : 0;
    nwords = (npages + 63) / 64;
    for (uint64_t w = 0; w < nwords; w++) bitmap[w] = 0;
    if (npages % 64) bitmap[nwords - 1] = ~0ULL << (npages % 64);
    first_word = 0;
    free_pages = npages;
}

static inline void *page_address(uint64_t index) { return (void *)(base + (index << PAGE_SHIFT)); }

void *page_alloc(void) {
    for (uint64_t w = first_word; w < nwords; w++) {
        uint64_t bits = bitmap[w];
        if (bits == ~0ULL) continue;
        uint64_t bit = (uint64_t)__builtin_ctzll(~bits);
        bitmap[w] = bits | (1ULL << bit);
        first_word = w;
        free_pages--;
        balloon_claim(w * 64 + bit, 1);
        return page_address(w * 64 + bit);
    }
    first_word = nwords;
    return NULL;
}

static void mark_used(uint64_t first, uint64_t n) {
    uint64_t p = first, end = first + n;
    while (p < end) {
        uint64_t shift = p & 63;
        uint64_t count = 64 - shift < end - p ? 64 - shift : end - p;
        uint64_t mask = (count == 64 ? ~0ULL : ((1ULL << count) - 1)) << shift;
        bitmap[p >> 6] |= mask;
        p += count;
    }
    free_pages -= n;
}

void *page_alloc_contig(uint64_t n) {
    if (n == 0 || n > free_pages) return NULL;
    uint64_t p = first_word * 64, start = p, run = 0;
    while (p < npages && run < n) {
        uint64_t bits = bitmap[p >> 6];
        if ((p & 63) == 0 && bits == ~0ULL) {          /* whole word in use */
            p += 64, start = p, run = 0;
        } else if ((p & 63) == 0 && bits == 0) {       /* whole word free */
            p += 64, run += 64;
        } else if ((bits >> (p & 63)) & 1) {
            p++, start = p, run = 0;
        } else {
            p++, run++;
        }
    }
    if (run < n) return NULL;
    mark_used(start, n);
    balloon_claim(start, n);
    return page_address(start);
}

void page_free(void *page) {
    uint64_t gpa = (uint64_t)page;
    uint64_t index = (gpa - base) >> PAGE_SHIFT;
    if (gpa < base || (gpa & (PAGE_SIZE - 1)) || index >= npages)
        kfail(EXIT_SELF_CHECK, "page_free: 0x%lx is not an allocatable page", gpa);
    uint64_t mask = 1ULL << (index & 63);
    if (!(bitmap[index >> 6] & mask)) kfail(EXIT_SELF_CHECK, "page_free: 0x%lx is already free", gpa);
    bitmap[index >> 6] &= ~mask;
    if ((index >> 6) < first_word) first_word = index >> 6;
    free_pages++;
}

uint64_t page_free_count(void) { return free_pages; }

const uint64_t *page_alloc_bitmap(void) { return bitmap; }
uint64_t page_alloc_base(void) { return base; }
uint64_t page_alloc_pages(void) { return npages; }
