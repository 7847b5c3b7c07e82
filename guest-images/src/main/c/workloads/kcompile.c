/*
 * kcompile — allocation churn like a compiler's (WORKLOADS.md, "kcompile"): a table of `objects` slots;
 * each op picks a slot, verifies, hashes and frees the object there (if any), then usually allocates
 * a new one of random size filled with a pattern derived from its id. Progress unit = one op; a pass =
 * `objects` ops.
 */
#include "args.h"
#include "kernel.h"
#include "kmalloc.h"
#include "random.h"
#include "sched.h"
#include "workload.h"

struct slot {
    uint64_t *object;          /* NULL = empty */
    uint64_t id;
    uint64_t words;
};

static inline uint64_t pattern(uint64_t id, uint64_t j) { return id * SPLITMIX64_GAMMA ^ j * FNV64_PRIME; }

/* Verifies the object's pattern, folds its words into h, frees it. */
static uint64_t retire(struct slot *s, uint64_t h) {
    const uint64_t *o = s->object;
    for (uint64_t j = 0; j < s->words; j++) {
        if (o[j] != pattern(s->id, j))
            kfail(EXIT_SELF_CHECK, "kcompile: object %lu (%lu words at %p) corrupt at word %lu", s->id, s->words, (void *)o, j);
        h = fold64(h, o[j]);
    }
    kfree(s->object);
    s->object = NULL;
    return h;
}

uint64_t kcompile_run(void) {
    uint64_t objects = arg_u64("objects", 2048);
    uint64_t ops = arg_u64("ops", 200000);
    args_reject_unused("kcompile");
    if (objects == 0 || objects > (1ULL << 32)) kfail(EXIT_BAD_ARGUMENT, "kcompile: objects=%lu is not in 1..2^32", objects);

    struct slot *slots = workload_alloc(objects * sizeof(struct slot), "kcompile");
    for (uint64_t s = 0; s < objects; s++) slots[s].object = NULL;
    kprintf("kcompile: start objects %lu ops %lu\n", objects, ops);

    uint64_t state = boot_info->seed, h = FNV64_OFFSET, allocs = 0, frees = 0, op;
    for (op = 0; ops == 0 || op < ops; op++) {
        uint64_t r = splitmix64_next(&state);
        struct slot *s = &slots[r % objects];
        if (s->object) {
            h = retire(s, h);
            frees++;
        }
        if (((r >> 40) & 3) != 0) {
            uint64_t words = 2 + (r >> 32) % 255;      /* 16 .. 2048 bytes */
            uint64_t *o = kmalloc(words * 8);
            if (!o) kfail(EXIT_NO_MEMORY, "kcompile: out of memory after %lu ops", op);
            for (uint64_t j = 0; j < words; j++) o[j] = pattern(op, j);
            s->object = o, s->id = op, s->words = words;
            allocs++;
        }
        if (op % PROGRESS_BATCH == PROGRESS_BATCH - 1) {
            progress_add(PROGRESS_BATCH);
            yield();
        }
        if (op % objects == objects - 1) progress_pass();
    }
    for (uint64_t i = 0; i < objects; i++) {
        if (slots[i].object) h = retire(&slots[i], h), frees++;
    }
    progress_add(op % PROGRESS_BATCH);
    kprintf("kcompile: done ops %lu allocs %lu frees %lu result 0x%016lx\n", op, allocs, frees, h);
    return h;
}
