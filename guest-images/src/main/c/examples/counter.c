/*
 * counter.c — a user guest that does some work worth migrating: pass after pass it rewrites every page
 * of a region of its free memory, reports its progress, prints a line per pass, and ends with a hash of
 * the region. Built like hello.c (GUIDE.md, "Building"); with the defaults it runs for a few hundred
 * milliseconds.
 *
 * Boot arguments (bin/vmm run --image counter.elf -a pages=4096 -a passes=10):
 *   pages=N    pages in the region, from boot_info.free_start (default 2048, 8 MiB)
 *   passes=N   passes over the region (default 6)
 * Pass p writes word k of page i as mix(seed ^ (p << 32) ^ i) + k. Progress: one unit per page written
 * (reported 64 at a time), one pass per pass. The result is the FNV-1a fold of every word of the region
 * at the end, so it depends on the seed, both arguments and every write, and a guest that was migrated
 * must end with the same result, console and memory as one that was not.
 * Exit status: 0 done, 4 the region does not fit in RAM, 5 a bad argument.
 */
#include "guest_abi.h"

GUEST_ENTRY(counter_main);

#define WORDS_PER_PAGE (GUEST_PAGE_SIZE / 8)
#define REPORT_EVERY 64

/* ---- console: whole lines, one hypercall each */

static char line[128];
static uint64_t line_len;

static void put_str(const char *s) {
    while (*s && line_len < sizeof line - 1) line[line_len++] = *s++;
}

static void put_dec(uint64_t v) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n > 0 && line_len < sizeof line - 1) line[line_len++] = digits[--n];
}

static void put_hex(uint64_t v) {
    put_str("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        if (line_len < sizeof line - 1) line[line_len++] = "0123456789abcdef"[(v >> shift) & 0xf];
    }
}

static void end_line(void) {
    line[line_len++] = '\n';
    guest_write(line, line_len);
    line_len = 0;
}

static __attribute__((noreturn)) void fail(uint64_t status, const char *why) {
    put_str("counter: ");
    put_str(why);
    end_line();
    guest_exit(0, status);
}

/* ---- boot arguments: "key=value\0key=value\0\0", decimal values */

static int starts_with(const char *s, const char *prefix) {
    while (*prefix) {
        if (*s++ != *prefix++) return 0;
    }
    return 1;
}

static uint64_t parse_decimal(const char *s, const char *key) {
    uint64_t v = 0;
    if (!*s) fail(5, key);
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) fail(5, key);
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v;
}

static void read_args(const struct guest_boot_info *bi, uint64_t *pages, uint64_t *passes) {
    const char *arg = bi->args;
    const char *end = bi->args + (bi->args_len < GUEST_ARGS_MAX ? bi->args_len : GUEST_ARGS_MAX);
    while (arg < end && *arg) {
        if (starts_with(arg, "pages=")) {
            *pages = parse_decimal(arg + 6, "bad argument: pages= wants a number");
        } else if (starts_with(arg, "passes=")) {
            *passes = parse_decimal(arg + 7, "bad argument: passes= wants a number");
        } else {
            fail(5, "bad argument: the keys are pages= and passes=");
        }
        while (arg < end && *arg) arg++;
        arg++;
    }
}

/* ---- the work */

static uint64_t mix(uint64_t z) {     /* splitmix64's finaliser */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

__attribute__((noreturn, used)) void counter_main(const struct guest_boot_info *bi) {
    if (bi->magic != GUEST_BOOT_MAGIC || bi->abi_version != GUEST_ABI_VERSION) fail(2, "bad boot info");
    uint64_t pages = 2048, passes = 6;
    read_args(bi, &pages, &passes);
    if (pages == 0 || pages > (bi->ram_bytes - bi->free_start) / GUEST_PAGE_SIZE) fail(4, "the region does not fit in RAM");
    volatile uint64_t *region = (volatile uint64_t *)(uintptr_t)bi->free_start;

    put_str("counter: start pages ");
    put_dec(pages);
    put_str(" at ");
    put_hex(bi->free_start);
    put_str(" passes ");
    put_dec(passes);
    end_line();

    uint64_t unreported = 0;
    for (uint64_t pass = 0; pass < passes; pass++) {
        for (uint64_t i = 0; i < pages; i++) {
            uint64_t v = mix(bi->seed ^ (pass << 32) ^ i);
            volatile uint64_t *page = region + i * WORDS_PER_PAGE;
            for (uint64_t k = 0; k < WORDS_PER_PAGE; k++) page[k] = v + k;
            if (++unreported == REPORT_EVERY) {
                guest_counter_add(GUEST_COUNTER_PROGRESS, unreported);
                unreported = 0;
            }
        }
        guest_counter_add(GUEST_COUNTER_PROGRESS, unreported);
        unreported = 0;
        guest_counter_add(GUEST_COUNTER_PASSES, 1);
        put_str("counter: pass ");
        put_dec(pass + 1);
        put_str(" of ");
        put_dec(passes);
        end_line();
    }

    uint64_t hash = 0xcbf29ce484222325ULL;
    for (uint64_t k = 0; k < pages * WORDS_PER_PAGE; k++) hash = (hash ^ region[k]) * 0x100000001b3ULL;
    put_str("counter: done pages ");
    put_dec(pages);
    put_str(" passes ");
    put_dec(passes);
    put_str(" result ");
    put_hex(hash);
    end_line();
    guest_exit(hash, 0);
}
