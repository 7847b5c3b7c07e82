/*
 * probe — a guest that misbehaves on request, for the host's hostile-input tests (WORKLOADS.md,
 * "probe"). It first touches `touch` pages (one byte written in each), then does at most one of:
 * read=ADDR, write=ADDR, ud2=1, divzero=1. Progress unit = one page touched.
 */
#include "args.h"
#include "kernel.h"
#include "workload.h"

#define PROBE_WRITE_BYTE 0x5a

static uint64_t address_arg(const char *key) {
    const char *s = arg_str(key);
    uint64_t v;
    if (!parse_u64(s, &v)) kfail(EXIT_BAD_ARGUMENT, "probe: %s=%s is not an address", key, s);
    return v;
}

uint64_t probe_run(void) {
    uint64_t touch = arg_u64("touch", 0);
    int do_read = arg_str("read") != NULL, do_write = arg_str("write") != NULL;
    int do_ud2 = arg_u64("ud2", 0) != 0, do_divzero = arg_u64("divzero", 0) != 0;
    uint64_t read_gpa = do_read ? address_arg("read") : 0;
    uint64_t write_gpa = do_write ? address_arg("write") : 0;
    args_reject_unused("probe");
    if (do_read + do_write + do_ud2 + do_divzero > 1) kfail(EXIT_BAD_ARGUMENT, "probe: choose at most one of read, write, ud2, divzero");

    kprintf("probe: start touch %lu\n", touch);
    if (touch) {
        if (touch >> (64 - PAGE_SHIFT)) kfail(EXIT_NO_MEMORY, "probe: touch=%lu pages cannot exist", touch);
        volatile uint8_t *pages = workload_alloc(touch << PAGE_SHIFT, "probe");
        for (uint64_t p = 0; p < touch; p++) {
            pages[p << PAGE_SHIFT] = 1;
            if (p % PROGRESS_BATCH == PROGRESS_BATCH - 1) progress_add(PROGRESS_BATCH);
        }
        progress_add(touch % PROGRESS_BATCH);
    }

    uint64_t result = touch;
    if (do_read) {
        kprintf("probe: read 0x%lx\n", read_gpa);
        result = *(volatile uint8_t *)read_gpa;
    } else if (do_write) {
        kprintf("probe: write 0x%lx\n", write_gpa);
        *(volatile uint8_t *)write_gpa = PROBE_WRITE_BYTE;
    } else if (do_ud2) {
        kprintf("probe: ud2\n");
        __asm__ volatile("ud2");
    } else if (do_divzero) {
        kprintf("probe: divzero\n");
        __asm__ volatile("xorl %%ecx, %%ecx\n\tdivq %%rcx" ::: "rax", "rdx", "rcx", "cc");
    }
    kprintf("probe: done result %lu\n", result);
    return result;
}
