/*
 * churn — allocation churn with large swings (WORKLOADS.md, "churn"): a table of slots, each empty or
 * holding a block of whole pages from kmalloc. Each phase picks a fill level, high in even phases and
 * low in odd ones, and walks the slots: a slot chosen to be full gets a new block (if empty), written
 * completely with a pattern derived from its id; any other slot's block is verified, hashed and freed.
 * At the end the blocks still live are verified and hashed, and stay allocated. So the guest's free memory swings between most of `size` and little of it, which is what
 * self-ballooning feeds on. Progress unit = 1 KiB written or verified; a pass = a phase.
 */
#include "args.h"
#include "kernel.h"
#include "kmalloc.h"
#include "random.h"
#include "workload.h"

#define LARGE_HEADER_BYTES 16            /* kmalloc's header in front of a large block (kmalloc.c) */
#define WORDS_PER_UNIT     128           /* 1 KiB */

struct slot {
    uint64_t *block;                     /* NULL = empty */
    uint64_t id;
    uint64_t words;
};

static inline uint64_t pattern(uint64_t id, uint64_t j) { return id * SPLITMIX64_GAMMA ^ j * FNV64_PRIME; }

static uint64_t units_pending_words;

static void count_words(uint64_t words) {
    units_pending_words += words;
    if (units_pending_words >= WORDS_PER_UNIT) {
        progress_add(units_pending_words / WORDS_PER_UNIT);
        units_pending_words %= WORDS_PER_UNIT;
    }
}

/* Verifies the block's pattern and folds its words into h. */
static uint64_t check(const struct slot *s, uint64_t h) {
    const uint64_t *b = s->block;
    for (uint64_t j = 0; j < s->words; j++) {
        if (b[j] != pattern(s->id, j))
            kfail(EXIT_SELF_CHECK, "churn: block %lu (%lu words at %p) corrupt at word %lu", s->id, s->words, (void *)b, j);
        h = fold64(h, b[j]);
    }
    count_words(s->words);
    return h;
}

static uint64_t retire(struct slot *s, uint64_t h) {
    h = check(s, h);
    kfree(s->block);
    s->block = NULL;
    return h;
}

uint64_t churn_run(void) {
    uint64_t size = arg_size("size", 16ULL << 20);
    uint64_t block = arg_size("block", 256ULL << 10);
    uint64_t phases = arg_u64("phases", 8);
    args_reject_unused("churn");
    uint64_t block_pages = block >> PAGE_SHIFT;
    if (block_pages == 0 || block_pages > (1ULL << 20))
        kfail(EXIT_BAD_ARGUMENT, "churn: block=%lu is not between 4K and 4G", block);
    if (size < block || size / block > (1ULL << 24))
        kfail(EXIT_BAD_ARGUMENT, "churn: size=%lu is not between block and 2^24 blocks", size);
    uint64_t slots = 2 * (size / block);

    struct slot *table = workload_alloc(slots * sizeof(struct slot), "churn");
    for (uint64_t i = 0; i < slots; i++) table[i].block = NULL;
    kprintf("churn: start size %lu block %lu slots %lu phases %lu\n", size, block, slots, phases);

    uint64_t state = boot_info->seed, h = FNV64_OFFSET, allocs = 0, frees = 0, ids = 0, phase;
    for (phase = 0; phases == 0 || phase < phases; phase++) {
        uint64_t r = splitmix64_next(&state);
        uint64_t level = (phase % 2 == 0 ? 750 : 0) + r % 251;      /* per mille of slots kept full */
        for (uint64_t i = 0; i < slots; i++) {
            struct slot *s = &table[i];
            uint64_t c = splitmix64_next(&state);
            if (c % 1000 < level) {
                if (s->block) continue;
                uint64_t pages = 1 + (c >> 32) % block_pages;
                uint64_t words = (pages * PAGE_SIZE - LARGE_HEADER_BYTES) / 8;  /* the block fills its pages */
                uint64_t *b = kmalloc(words * 8);
                if (!b) kfail(EXIT_NO_MEMORY, "churn: out of memory in phase %lu (%lu pages)", phase, pages);
                for (uint64_t j = 0; j < words; j++) b[j] = pattern(ids, j);
                s->block = b, s->id = ids++, s->words = words;
                count_words(words);
                allocs++;
            } else if (s->block) {
                h = retire(s, h);
                frees++;
            }
        }
        progress_pass();
    }
    uint64_t live = 0;
    for (uint64_t i = 0; i < slots; i++) {
        if (table[i].block) h = check(&table[i], h), live++;   /* the last phase's blocks stay allocated */
    }
    kprintf("churn: done phases %lu allocs %lu frees %lu live %lu result 0x%016lx\n", phase, allocs, frees, live, h);
    return h;
}
