/* progress.c — batched reporting of GUEST_COUNTER_PROGRESS and GUEST_COUNTER_PASSES. */
#include "kernel.h"

uint64_t progress_pending;

void progress_flush(void) {
    if (progress_pending == 0) return;
    guest_counter_add(GUEST_COUNTER_PROGRESS, progress_pending);
    progress_pending = 0;
}

void progress_pass(void) {
    progress_flush();
    guest_counter_add(GUEST_COUNTER_PASSES, 1);
}
