/*
 * incrementer — QEMU's migration-test guest (WORKLOADS.md, "incrementer"): sweep after sweep, add one
 * to the first byte of every page of a range, in page order. Progress unit = one page incremented.
 * Whenever the guest is stopped, every page's byte equals the previous page's byte except for at most
 * one step of -1 (mod 256), where the current sweep has got to.
 */
#include "args.h"
#include "kernel.h"
#include "random.h"
#include "sched.h"
#include "workload.h"

uint64_t incrementer_run(void) {
    uint64_t range = arg_size("range", 8ULL << 20);
    uint64_t sweeps = arg_u64("sweeps", 16);
    args_reject_unused("incrementer");

    uint64_t pages = range >> PAGE_SHIFT;
    if (pages == 0) kfail(EXIT_BAD_ARGUMENT, "incrementer: range=%lu is smaller than a page", range);
    volatile uint8_t *base = workload_alloc(pages << PAGE_SHIFT, "incrementer");
    kprintf("incrementer: range 0x%lx pages %lu\n", (uint64_t)base, pages);

    for (uint64_t p = 0; p < pages; p++) base[p << PAGE_SHIFT] = 0;
    uint64_t sweep;
    for (sweep = 0; sweeps == 0 || sweep < sweeps; sweep++) {
        for (uint64_t p = 0; p < pages;) {
            uint64_t end = pages - p > PROGRESS_BATCH ? p + PROGRESS_BATCH : pages;
            uint64_t batch = end - p;
            for (; p < end; p++) base[p << PAGE_SHIFT]++;
            progress_add(batch);
            yield();
        }
        progress_pass();
    }

    uint8_t expected = (uint8_t)sweep;
    uint64_t h = FNV64_OFFSET;
    for (uint64_t p = 0; p < pages; p++) {
        uint8_t b = base[p << PAGE_SHIFT];
        if (b != expected)
            kfail(EXIT_SELF_CHECK, "incrementer: page %lu holds %u after %lu sweeps (want %u)", p, b, sweep, expected);
        h = fnv1a_byte(h, b);
    }
    uint64_t increments = pages * sweep;
    for (int k = 0; k < 8; k++) h = fnv1a_byte(h, (uint8_t)(increments >> (8 * k)));
    kprintf("incrementer: done sweeps %lu pages %lu result 0x%016lx\n", sweep, pages, h);
    return h;
}
