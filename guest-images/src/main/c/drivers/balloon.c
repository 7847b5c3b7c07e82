/*
 * balloon.c — the guest side of dynamic self-ballooning (balloon.h says what it does and when).
 *
 * Pages are named by allocator index i (page_alloc.h); the host sees page numbers first_page + i.
 * A ballooned page has its bit set in `bits` and stays clear (free) in the allocator's bitmap, so the
 * allocator decides exactly as it would without the balloon; balloon_pressure then takes back whatever
 * it handed out from the balloon. Invariant between calls: every ballooned page is free in the allocator,
 * and `held` = the number of bits set in `bits`.
 *
 * Inflation takes the highest free pages (first-fit allocation reaches them last); deflation returns the
 * lowest ballooned pages (it reaches them first). The driver never writes into a page it lends to the
 * host, and never allocates memory after boot (its C code may run inside the allocator).
 *
 * Runs on the driver's own stack (balloon_entry.S), single-threaded like the rest of the kernel.
 */
#include <stddef.h>

#include "args.h"
#include "balloon.h"
#include "kernel.h"
#include "page_alloc.h"

#define STATE_PAGES     1
#define BATCH_PAGES     1
#define STACK_PAGES     4
#define BATCH_MAX       GUEST_BALLOON_BATCH_MAX
/* Pages taken back beyond the ones an allocation needs, or beyond the reserve (the shrinker callback
 * of Hines and Gopalan's self-ballooning, VEE'09, releases 128 pages per call): the next allocations
 * then need no hypercall. */
#define PRESSURE_CHUNK  128
#define DEFAULT_INTERVAL_NS 5000000000ULL     /* 5 s, as in VEE'09 and Linux self-ballooning */
#define DEFAULT_RESERVE_BYTES (1ULL << 20)

struct balloon_state {
    /* Read by balloon_entry.S at these offsets. */
    uint64_t held;              /*  0: pages in the balloon                                         */
    uint64_t budget_ns;         /*  8: virtual ns that may pass before the next deadline, at least  */
    uint64_t stack_top;         /* 16: top of the driver's stack                                    */
    uint64_t saved_rsp;         /* 24: the caller's RSP while the driver runs on its own stack      */
    /* Configuration (boot arguments). */
    uint64_t enabled;
    uint64_t interval_ns;
    uint64_t reserve_pages;
    uint64_t deadline_ns;       /* next wake-up, on the virtual clock                               */
    /* The allocator's pages, and the driver's own memory. */
    const uint64_t *used;       /* the allocator's bitmap (read only here)                          */
    uint64_t *bits;             /* ballooned pages, by allocator index                              */
    uint64_t *batch;            /* page numbers of one inflate or deflate                           */
    uint64_t first_page;        /* page number of allocator index 0                                 */
    uint64_t npages;
    uint64_t nwords;
    uint64_t low_word;          /* no ballooned page lies below this bitmap word                    */
    /* What happened, for someone reading guest memory (the host keeps the real statistics). */
    uint64_t wakes;
    uint64_t inflated;
    uint64_t deflated;
    uint64_t pressure_deflations;
};
_Static_assert(offsetof(struct balloon_state, held) == 0, "balloon_entry.S: STATE_HELD");
_Static_assert(offsetof(struct balloon_state, budget_ns) == 8, "balloon_entry.S: STATE_BUDGET_NS");
_Static_assert(offsetof(struct balloon_state, stack_top) == 16, "balloon_entry.S: STATE_STACK_TOP");
_Static_assert(offsetof(struct balloon_state, saved_rsp) == 24, "balloon_entry.S: STATE_SAVED_RSP");
_Static_assert(sizeof(struct balloon_state) <= STATE_PAGES * PAGE_SIZE, "balloon state fits its page");
_Static_assert(BATCH_MAX * 8 <= BATCH_PAGES * PAGE_SIZE, "a batch fits its page");

/* Set by balloon_init (dsb on or off) and read by balloon_entry.S; NULL until then. */
struct balloon_state *balloon_area;

/* balloon_entry.S: runs fn on the driver's stack. */
void balloon_call(void (*fn)(void));
/* Called from balloon_entry.S, on the driver's stack. */
void balloon_wake(void);
void balloon_pressure(uint64_t index, uint64_t n);

static inline int is_ballooned(const struct balloon_state *s, uint64_t i) {
    return (s->bits[i >> 6] >> (i & 63)) & 1;
}

static inline void clear_ballooned(struct balloon_state *s, uint64_t page) {
    uint64_t i = page - s->first_page;
    s->bits[i >> 6] &= ~(1ULL << (i & 63));
}

/*
 * Puts into batch[0..limit) the ballooned pages with allocator index in [*from, to), ascending, and
 * moves *from past the last one taken (to `to` when none is left). Returns how many it took.
 */
static uint64_t collect(const struct balloon_state *s, uint64_t *from, uint64_t to, uint64_t *batch,
                        uint64_t limit) {
    uint64_t n = 0, i = *from;
    while (i < to && n < limit) {
        uint64_t w = i >> 6;
        uint64_t word = s->bits[w] & (~0ULL << (i & 63));
        if (word == 0) {
            i = (w + 1) << 6;
            continue;
        }
        uint64_t index = (w << 6) | (uint64_t)__builtin_ctzll(word);
        if (index >= to) {
            i = to;
            break;
        }
        batch[n++] = s->first_page + index;
        i = index + 1;
    }
    *from = i < to ? i : to;
    return n;
}

/* Gives batch[0..count) back to the guest. Returns how many pages the host gave back. */
static uint64_t deflate_batch(struct balloon_state *s, uint64_t count, uint64_t reason) {
    uint64_t given = guest_balloon_deflate(s->batch, count, reason);
    if (given > count) kfail(EXIT_BAD_HOST_INPUT, "balloon: host gave back %lu of %lu pages", given, count);
    for (uint64_t k = 0; k < given; k++) clear_ballooned(s, s->batch[k]);
    s->held -= given;
    s->deflated += given;
    if (reason == GUEST_BALLOON_DEFLATE_PRESSURE) s->pressure_deflations++;
    return given;
}

/* Deflates up to n pages, lowest first. */
static void deflate_lowest(struct balloon_state *s, uint64_t n, uint64_t reason) {
    while (n > 0 && s->held > 0) {
        uint64_t from = s->low_word << 6;
        uint64_t count = collect(s, &from, s->npages, s->batch, n < BATCH_MAX ? n : BATCH_MAX);
        if (count == 0) break;
        s->low_word = (s->batch[0] - s->first_page) >> 6;
        uint64_t given = deflate_batch(s, count, reason);
        n -= given < n ? given : n;
        if (given < count) break;
    }
}

/* Inflates by up to n pages, highest free pages first. */
static void inflate(struct balloon_state *s, uint64_t n) {
    uint64_t w = s->nwords;
    while (n > 0 && w > 0) {
        uint64_t count = 0, limit = n < BATCH_MAX ? n : BATCH_MAX, lowest = w;
        while (count < limit && w > 0) {
            uint64_t avail = ~(s->used[w - 1] | s->bits[w - 1]); /* free, not ballooned; none past the end */
            while (avail != 0 && count < limit) {
                uint64_t bit = 63 - (uint64_t)__builtin_clzll(avail);
                avail &= ~(1ULL << bit);
                s->bits[w - 1] |= 1ULL << bit;
                s->batch[count++] = s->first_page + ((w - 1) << 6) + bit;
                lowest = w - 1;
            }
            if (avail == 0) w--;
        }
        if (count == 0) break;
        uint64_t accepted = guest_balloon_inflate(s->batch, count);
        if (accepted > count) kfail(EXIT_BAD_HOST_INPUT, "balloon: host accepted %lu of %lu pages", accepted, count);
        for (uint64_t k = accepted; k < count; k++) clear_ballooned(s, s->batch[k]);
        s->held += accepted;
        s->inflated += accepted;
        if (accepted > 0 && lowest < s->low_word) s->low_word = lowest;
        n -= accepted;
        if (accepted < count) break;    /* the host's balloon is frozen, or it wants no more */
    }
}

/* One DSB step: ask the host's policy for a target size and move toward it. */
static void step(struct balloon_state *s) {
    s->wakes++;
    uint64_t free = page_free_count() - s->held;
    uint64_t target = guest_balloon_query(free, s->npages, s->reserve_pages);
    if (target > s->held) {
        uint64_t spare = free > s->reserve_pages ? free - s->reserve_pages : 0;
        uint64_t want = target - s->held;
        inflate(s, want < spare ? want : spare);
    } else if (target < s->held) {
        deflate_lowest(s, s->held - target, GUEST_BALLOON_DEFLATE_TARGET);
    }
}

void balloon_wake(void) {
    struct balloon_state *s = balloon_area;
    if (!s->enabled) {
        s->budget_ns = UINT64_MAX;
        return;
    }
    uint64_t now = guest_clock_ns();
    if (now < s->deadline_ns) {
        s->budget_ns = s->deadline_ns - now;
        return;
    }
    step(s);
    s->deadline_ns = now + s->interval_ns;
    s->budget_ns = s->interval_ns;
}

void balloon_pressure(uint64_t index, uint64_t n) {
    struct balloon_state *s = balloon_area;
    uint64_t end = index + n, from = index;
    for (;;) {
        uint64_t count = collect(s, &from, end, s->batch, BATCH_MAX);
        if (count == 0) break;
        if (from == end && count < BATCH_MAX) {
            /* The last pages the allocation needs: add the ballooned pages that first fit reaches next. */
            uint64_t next = end, room = BATCH_MAX - count;
            count += collect(s, &next, s->npages, s->batch + count, room < PRESSURE_CHUNK ? room : PRESSURE_CHUNK);
        }
        if (deflate_batch(s, count, GUEST_BALLOON_DEFLATE_PRESSURE) != count)
            kfail(EXIT_BAD_HOST_INPUT, "balloon: host kept pages an allocation needs");
    }
    for (uint64_t i = index; i < end; i++) {
        if (is_ballooned(s, i)) kfail(EXIT_SELF_CHECK, "balloon: allocated page %lu is still ballooned", i);
    }
    uint64_t free = page_free_count() - s->held;
    if (s->held > 0 && free < s->reserve_pages)
        deflate_lowest(s, s->reserve_pages - free + PRESSURE_CHUNK, GUEST_BALLOON_DEFLATE_PRESSURE);
}

static void configure(void) {
    struct balloon_state *s = balloon_area;
    const char *dsb = arg_str("dsb");
    uint64_t interval_ns = arg_duration_ns("dsb-interval", DEFAULT_INTERVAL_NS);
    uint64_t reserve_bytes = arg_size("dsb-reserve", DEFAULT_RESERVE_BYTES);
    int on = dsb && strcmp(dsb, "on") == 0;
    if (dsb && !on && strcmp(dsb, "off") != 0) kfail(EXIT_BAD_ARGUMENT, "balloon: dsb=%s is not on or off", dsb);
    if (interval_ns < GUEST_CLOCK_NS_PER_UNIT)
        kfail(EXIT_BAD_ARGUMENT, "balloon: dsb-interval=%lu ns is shorter than %u ns", interval_ns,
              (unsigned)GUEST_CLOCK_NS_PER_UNIT);
    s->enabled = (uint64_t)on;
    s->interval_ns = interval_ns;
    s->reserve_pages = reserve_bytes / PAGE_SIZE + (reserve_bytes % PAGE_SIZE != 0);
    s->deadline_ns = interval_ns;       /* the clock starts at 0 */
    s->budget_ns = on ? interval_ns : UINT64_MAX;
}

void balloon_init(void) {
    uint64_t npages = page_alloc_pages();
    uint64_t nwords = (npages + 63) / 64;
    uint64_t bitmap_pages = (nwords * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t area_pages = STATE_PAGES + BATCH_PAGES + STACK_PAGES + bitmap_pages;
    uint8_t *area = page_alloc_contig(area_pages);
    if (!area) kfail(EXIT_NO_MEMORY, "balloon: no memory for the driver's %lu pages", area_pages);
    memset(area, 0, area_pages * PAGE_SIZE);
    struct balloon_state *s = (struct balloon_state *)area;
    uint8_t *stack = area + (STATE_PAGES + BATCH_PAGES) * PAGE_SIZE;
    s->batch = (uint64_t *)(area + STATE_PAGES * PAGE_SIZE);
    s->stack_top = (uint64_t)(stack + STACK_PAGES * PAGE_SIZE);
    s->bits = (uint64_t *)(stack + STACK_PAGES * PAGE_SIZE);
    s->used = page_alloc_bitmap();
    s->first_page = page_alloc_base() >> PAGE_SHIFT;
    s->npages = npages;
    s->nwords = nwords;
    s->low_word = nwords;
    s->budget_ns = UINT64_MAX;
    balloon_area = s;
    balloon_call(configure);  /* argument parsing differs with dsb=: keep it off the boot stack */
}
