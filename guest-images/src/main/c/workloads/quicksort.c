/*
 * quicksort — P cooperative tasks, each filling its own region with pseudo-random u64 and sorting it,
 * round after round (WORKLOADS.md, "quicksort"). A step is one comparison or one element generated;
 * a task yields every `yield-every` steps; progress unit = 64 steps; a pass = one task finishing a round.
 */
#include "args.h"
#include "kernel.h"
#include "random.h"
#include "sched.h"
#include "workload.h"

#define TASK_STACK_PAGES 4
#define MAX_PROCS (SCHED_MAX_TASKS - 1)      /* the workload's own task takes one slot: 128 */
#define INSERTION_MAX 10
#define REPORT_STEPS 4096                    /* report cadence when yield-every=0 */

struct qs_task {
    uint64_t *a;
    uint64_t n;
    uint64_t rng;              /* this task's splitmix64 state */
    uint64_t hash;             /* fold of its sorted region after every round */
    uint64_t steps_pending;    /* steps not yet reported, < 64 */
};

static struct qs_task tasks[MAX_PROCS];
static uint64_t rounds, yield_every, period;
static uint64_t finished;

/* Called when a task has used up its step budget (which is now <= 0); returns a fresh budget. */
static __attribute__((noinline)) int64_t checkpoint(struct qs_task *t, int64_t budget) {
    t->steps_pending += (uint64_t)((int64_t)period - budget);
    progress_add(t->steps_pending / 64);
    t->steps_pending %= 64;
    if (yield_every) yield();
    return (int64_t)period;
}

static inline void swap(uint64_t *a, int64_t i, int64_t j) {
    uint64_t v = a[i];
    a[i] = a[j];
    a[j] = v;
}

/* Iterative quicksort of a[0..n-1] (median of three, Hoare partition, insertion sort for small ranges).
 * It recurses into the smaller side and stacks the larger, so the stack needs at most log2(n) entries. */
static int64_t sort(struct qs_task *t, int64_t budget) {
    uint64_t *a = t->a;
    int64_t stack_lo[64], stack_hi[64];
    int sp = 0;
    int64_t lo = 0, hi = (int64_t)t->n - 1;
    for (;;) {
        while (hi - lo >= INSERTION_MAX) {
            int64_t mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) swap(a, lo, mid);
            if (a[hi] < a[lo]) swap(a, lo, hi);
            if (a[hi] < a[mid]) swap(a, mid, hi);
            budget -= 3;
            uint64_t pivot = a[mid];
            int64_t i = lo - 1, j = hi + 1;
            for (;;) {
                do i++, budget--; while (a[i] < pivot);
                do j--, budget--; while (a[j] > pivot);
                if (i >= j) break;
                swap(a, i, j);
                if (budget <= 0) budget = checkpoint(t, budget);
            }
            if (j - lo < hi - j) {
                stack_lo[sp] = j + 1, stack_hi[sp] = hi, sp++;
                hi = j;
            } else {
                stack_lo[sp] = lo, stack_hi[sp] = j, sp++;
                lo = j + 1;
            }
        }
        for (int64_t k = lo + 1; k <= hi; k++) {
            uint64_t v = a[k];
            int64_t m = k - 1;
            while (m >= lo && (budget--, a[m] > v)) {
                a[m + 1] = a[m];
                m--;
            }
            a[m + 1] = v;
        }
        if (budget <= 0) budget = checkpoint(t, budget);
        if (sp == 0) return budget;
        sp--;
        lo = stack_lo[sp], hi = stack_hi[sp];
    }
}

static void sorter(void *arg) {
    struct qs_task *t = arg;
    int64_t budget = (int64_t)period;
    for (uint64_t round = 0; rounds == 0 || round < rounds; round++) {
        uint64_t state = t->rng;
        for (uint64_t k = 0; k < t->n; k++) {
            t->a[k] = splitmix64_next(&state);
            if (--budget <= 0) budget = checkpoint(t, budget);
        }
        t->rng = state;
        budget = sort(t, budget);
        uint64_t h = t->hash;
        for (uint64_t k = 0; k < t->n; k++) {
            if (k > 0 && t->a[k - 1] > t->a[k])
                kfail(EXIT_SELF_CHECK, "quicksort: task %ld round %lu: element %lu is out of order", t - tasks, round, k);
            h = fold64(h, t->a[k]);
        }
        t->hash = h;
        progress_pass();
    }
    checkpoint(t, budget);          /* report the steps left over */
    finished++;
}

uint64_t quicksort_run(void) {
    uint64_t procs = arg_u64("procs", 8);
    uint64_t size = arg_size("size", 8ULL << 20);
    rounds = arg_u64("rounds", 2);
    yield_every = arg_u64("yield-every", 4096);
    args_reject_unused("quicksort");

    if (procs == 0 || procs > MAX_PROCS) kfail(EXIT_BAD_ARGUMENT, "quicksort: procs=%lu is not in 1..%d", procs, MAX_PROCS);
    if (yield_every > INT32_MAX) kfail(EXIT_BAD_ARGUMENT, "quicksort: yield-every=%lu is too large", yield_every);
    uint64_t n = size / procs / 8;
    if (n == 0) kfail(EXIT_BAD_ARGUMENT, "quicksort: size=%lu leaves no element per task", size);
    period = yield_every ? yield_every : REPORT_STEPS;

    uint64_t seeds = boot_info->seed;
    for (uint64_t i = 0; i < procs; i++) {
        tasks[i].rng = splitmix64_next(&seeds);
        tasks[i].hash = FNV64_OFFSET;
        tasks[i].n = n;
    }
    for (uint64_t i = 0; i < procs; i++) tasks[i].a = workload_alloc(n * 8, "quicksort");
    kprintf("quicksort: start procs %lu elements-per-proc %lu rounds %lu yield-every %lu\n", procs, n, rounds, yield_every);

    for (uint64_t i = 0; i < procs; i++) {
        if (task_create(sorter, &tasks[i], TASK_STACK_PAGES) < 0) kfail(EXIT_NO_MEMORY, "quicksort: no memory for task stacks");
    }
    while (finished < procs) yield();

    uint64_t result = FNV64_OFFSET;
    for (uint64_t i = 0; i < procs; i++) result = fold64(result, tasks[i].hash);
    kprintf("quicksort: done procs %lu rounds %lu result 0x%016lx\n", procs, rounds, result);
    return result;
}
