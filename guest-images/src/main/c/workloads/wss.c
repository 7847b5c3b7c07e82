/*
 * wss — touches a working set with a given write ratio and access pattern (WORKLOADS.md, "wss").
 * Each pass makes one access per page of the set; progress unit = one access.
 */
#include "args.h"
#include "kernel.h"
#include "random.h"
#include "sched.h"
#include "workload.h"

#define WORDS_PER_PAGE (PAGE_SIZE / 8)

enum pattern { SEQ, RANDOM, HOTCOLD };
static const char *const pattern_names[] = {"seq", "random", "hotcold"};

uint64_t wss_run(void) {
    uint64_t wss_bytes = arg_size("wss", 16ULL << 20);
    uint32_t write_permille = arg_permille("write-ratio", 500);
    const char *pattern_arg = arg_str("pattern");
    uint64_t passes = arg_u64("passes", 4);
    uint32_t hot_permille = arg_permille("hot", 100);
    args_reject_unused("wss");

    enum pattern pattern = SEQ;
    if (pattern_arg) {
        for (pattern = SEQ; pattern <= HOTCOLD && strcmp(pattern_arg, pattern_names[pattern]) != 0; pattern++) {}
        if (pattern > HOTCOLD) kfail(EXIT_BAD_ARGUMENT, "wss: pattern=%s is not seq, random or hotcold", pattern_arg);
    }
    uint64_t pages = wss_bytes >> PAGE_SHIFT;
    if (pages == 0) kfail(EXIT_BAD_ARGUMENT, "wss: wss=%lu is smaller than a page", wss_bytes);
    uint64_t hot_pages = pages * hot_permille / 1000;
    if (hot_pages == 0) hot_pages = 1;
    uint64_t cold_pages = pages - hot_pages;

    uint64_t *ws = workload_alloc(pages << PAGE_SHIFT, "wss");
    kprintf("wss: start pages %lu at 0x%lx pattern %s write-permille %u hot-pages %lu passes %lu\n", pages,
            (uint64_t)ws, pattern_names[pattern], write_permille, hot_pages, passes);

    uint64_t state = boot_info->seed, checksum = 0, writes = 0, pass;
    for (pass = 0; passes == 0 || pass < passes; pass++) {
        for (uint64_t i = 0; i < pages;) {
            uint64_t end = pages - i > PROGRESS_BATCH ? i + PROGRESS_BATCH : pages;
            uint64_t batch = end - i;
            for (; i < end; i++) {
                uint64_t page;
                if (pattern == SEQ) {
                    page = i;
                } else if (pattern == RANDOM) {
                    page = splitmix64_next(&state) % pages;
                } else {
                    uint64_t c = splitmix64_next(&state);
                    if (c % 10 < 9 || cold_pages == 0) page = (c >> 8) % hot_pages;
                    else page = hot_pages + (c >> 8) % cold_pages;
                }
                uint64_t r = splitmix64_next(&state);
                uint64_t *word = ws + page * WORDS_PER_PAGE + ((r >> 20) % WORDS_PER_PAGE);
                if (r % 1000 < write_permille) {
                    *word = r;
                    writes++;
                } else {
                    checksum = fold64(checksum, *word);
                }
            }
            progress_add(batch);
            yield();
        }
        progress_pass();
    }

    uint64_t memory_hash = FNV64_OFFSET;
    for (uint64_t k = 0; k < pages * WORDS_PER_PAGE; k++) memory_hash = fold64(memory_hash, ws[k]);
    uint64_t result = mix64(checksum) ^ memory_hash;
    uint64_t accesses = pass * pages;
    kprintf("wss: done passes %lu accesses %lu writes %lu reads %lu checksum 0x%016lx memory-hash 0x%016lx "
            "result 0x%016lx\n", pass, accesses, writes, accesses - writes, checksum, memory_hash, result);
    return result;
}
