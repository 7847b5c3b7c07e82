/*
 * progress.c — batched reporting of GUEST_COUNTER_PROGRESS and GUEST_COUNTER_PASSES.
 *
 * Each report is also the balloon driver's timer: the kernel has no interrupts, and the virtual clock
 * advances with reported progress, so balloon_tick learns here how far the clock has moved at least.
 */
#include "balloon.h"
#include "kernel.h"

uint64_t progress_pending;

void progress_flush(void) {
    if (progress_pending == 0) return;
    guest_counter_add(GUEST_COUNTER_PROGRESS, progress_pending);
    balloon_tick(progress_pending);
    progress_pending = 0;
}

void progress_pass(void) {
    progress_flush();
    guest_counter_add(GUEST_COUNTER_PASSES, 1);
}
