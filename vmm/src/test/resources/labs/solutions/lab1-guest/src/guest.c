/*
 * Lab 1, a reference solution: pass after pass, rewrite every word of a 1 MiB region from the free memory,
 * report one unit of progress per page written, print a line per pass, and end with the FNV-1a hash of the
 * region, which depends on every write.
 */
#include "guest_abi.h"

GUEST_ENTRY(lab_main);

#define PAGES 256
#define PASSES 200
#define WORDS_PER_PAGE (GUEST_PAGE_SIZE / 8)

static void say(const char *text) {
    uint64_t n = 0;
    while (text[n]) n++;
    guest_write(text, n);
}

__attribute__((noreturn, used)) void lab_main(const struct guest_boot_info *bi) {
    if (bi->magic != GUEST_BOOT_MAGIC || (bi->ram_bytes - bi->free_start) / GUEST_PAGE_SIZE < PAGES) {
        say("lab1: no room\n");
        guest_exit(0, 4);
    }
    volatile uint64_t *region = (volatile uint64_t *)(uintptr_t)bi->free_start;
    say("lab1: start\n");
    uint64_t state = bi->seed | 1;
    for (uint64_t pass = 0; pass < PASSES; pass++) {
        for (uint64_t i = 0; i < PAGES; i++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for (uint64_t k = 0; k < WORDS_PER_PAGE; k++) region[i * WORDS_PER_PAGE + k] += state + k;
            guest_counter_add(GUEST_COUNTER_PROGRESS, 1);
        }
        guest_counter_add(GUEST_COUNTER_PASSES, 1);
    }
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (uint64_t k = 0; k < PAGES * WORDS_PER_PAGE; k++) hash = (hash ^ region[k]) * 0x100000001b3ULL;
    say("lab1: done\n");
    guest_exit(hash, 0);
}
