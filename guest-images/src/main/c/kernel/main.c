/*
 * main.c — kmain: checks the boot-info page, sets up the allocator and runs the selected workload as
 * the first task of the scheduler. The boot stack stays the scheduler's stack.
 */
#include "args.h"
#include "balloon.h"
#include "kernel.h"
#include "page_alloc.h"
#include "sched.h"
#include "workload.h"

#define WORKLOAD_STACK_PAGES 16

extern char __image_end[];     /* guest.ld */

const struct guest_boot_info *boot_info;

static const struct workload *selected;
static uint64_t workload_result;

void kexit(uint64_t result, uint64_t status) {
    progress_flush();
    console_flush();
    guest_exit(result, status);
}

static int has_nul(const char *s, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        if (s[i] == '\0') return 1;
    }
    return 0;
}

static void check_boot_info(const struct guest_boot_info *bi) {
    if (bi->magic != GUEST_BOOT_MAGIC)
        kfail(EXIT_BAD_BOOT_INFO, "boot: bad boot-info magic 0x%lx (want 0x%lx)", bi->magic, (uint64_t)GUEST_BOOT_MAGIC);
    if (bi->abi_version != GUEST_ABI_VERSION)
        kfail(EXIT_BAD_BOOT_INFO, "boot: boot-info ABI version %u, this kernel speaks %u", bi->abi_version,
              GUEST_ABI_VERSION);
    if (bi->size != sizeof(struct guest_boot_info))
        kfail(EXIT_BAD_BOOT_INFO, "boot: boot-info size %u, want %u", bi->size,
              (unsigned)sizeof(struct guest_boot_info));
    if (bi->ram_bytes < GUEST_MIN_RAM_BYTES || (bi->ram_bytes & (PAGE_SIZE - 1)))
        kfail(EXIT_BAD_BOOT_INFO, "boot: ram_bytes 0x%lx is below the minimum or not page-aligned", bi->ram_bytes);
    if ((bi->free_start & (PAGE_SIZE - 1)) || bi->free_start < (uint64_t)__image_end || bi->free_start >= bi->ram_bytes)
        kfail(EXIT_BAD_BOOT_INFO, "boot: free_start 0x%lx is not a page after the image (ends 0x%lx) inside RAM",
              bi->free_start, (uint64_t)__image_end);
    if (!has_nul(bi->workload, GUEST_WORKLOAD_NAME_MAX))
        kfail(EXIT_BAD_BOOT_INFO, "boot: workload name is not NUL-terminated");
}

static void run_workload(void *unused) {
    (void)unused;
    workload_result = selected->run();
}

__attribute__((noreturn)) void kmain(const struct guest_boot_info *bi) {
    boot_info = bi;
    check_boot_info(bi);
    args_init(bi->args, bi->args_len);
    page_alloc_init(bi->free_start, bi->ram_bytes);
    balloon_init();

    const char *name = bi->workload[0] ? bi->workload : WORKLOAD_DEFAULT;
    selected = workload_find(name);
    if (!selected) {
        kprintf("boot: unknown workload '%s'; known:", name);
        for (const struct workload *w = workloads; w->name; w++) kprintf(" %s", w->name);
        kprintf("\n");
        kexit(0, EXIT_UNKNOWN_WORKLOAD);
    }
    if (task_create(run_workload, NULL, WORKLOAD_STACK_PAGES) < 0)
        kfail(EXIT_NO_MEMORY, "boot: no memory for the workload's stack");
    sched_run();
    kexit(workload_result, EXIT_OK);
}
