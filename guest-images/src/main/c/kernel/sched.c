/*
 * sched.c — cooperative round robin. Every switch goes task -> scheduler -> next task, through
 * ctx_switch (boot.S), which saves only the callee-saved registers and RSP: the compiler treats the
 * call like any other, so nothing else is live across it.
 */
#include "kernel.h"
#include "page_alloc.h"
#include "sched.h"

void ctx_switch(uint64_t *save_rsp, uint64_t next_rsp);

enum task_state { TASK_UNUSED = 0, TASK_RUNNABLE, TASK_DONE };

struct task {
    uint64_t rsp;
    enum task_state state;
    task_fn fn;
    void *arg;
    uint8_t *stack;
    uint64_t stack_pages;
};

static struct task tasks[SCHED_MAX_TASKS];
static int ntasks;             /* slots used, in creation order */
static int live;               /* tasks not yet finished */
static int current = -1;       /* -1: the scheduler (boot stack) */
static uint64_t scheduler_rsp;

static __attribute__((noreturn)) void task_entry(void) {
    struct task *t = &tasks[current];
    t->fn(t->arg);
    t->state = TASK_DONE;
    live--;
    ctx_switch(&t->rsp, scheduler_rsp);
    __builtin_unreachable();
}

int task_create(task_fn fn, void *arg, uint64_t stack_pages) {
    if (ntasks == SCHED_MAX_TASKS) return -1;
    uint8_t *stack = page_alloc_contig(stack_pages);
    if (!stack) return -1;
    /* Initial frame, read by ctx_switch: six callee-saved registers, then the return address. The
     * slot above it stands for task_entry's own return address, so RSP is 8 mod 16 at its entry. */
    uint64_t *top = (uint64_t *)(stack + stack_pages * PAGE_SIZE);
    top[-1] = 0;
    top[-2] = (uint64_t)task_entry;
    for (int i = 3; i <= 8; i++) top[-i] = 0;
    struct task *t = &tasks[ntasks];
    t->rsp = (uint64_t)&top[-8];
    t->state = TASK_RUNNABLE;
    t->fn = fn;
    t->arg = arg;
    t->stack = stack;
    t->stack_pages = stack_pages;
    live++;
    return ntasks++;
}

void yield(void) {
    if (current < 0 || live <= 1) return;
    ctx_switch(&tasks[current].rsp, scheduler_rsp);
}

void sched_run(void) {
    while (live > 0) {
        for (int i = 0; i < ntasks; i++) {
            struct task *t = &tasks[i];
            if (t->state != TASK_RUNNABLE) continue;
            current = i;
            ctx_switch(&scheduler_rsp, t->rsp);
            current = -1;
            if (t->state == TASK_DONE) {
                for (uint64_t p = 0; p < t->stack_pages; p++) page_free(t->stack + p * PAGE_SIZE);
                t->state = TASK_UNUSED;
            }
        }
    }
    ntasks = 0;
}
