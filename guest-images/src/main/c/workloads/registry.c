/* registry.c — the workload table (from workloads.def) and the allocation helper every workload uses. */
#include "kernel.h"
#include "page_alloc.h"
#include "workload.h"

const struct workload workloads[] = {
#define WORKLOAD(name) {#name, name##_run},
#include "workloads.def"
#undef WORKLOAD
    {NULL, NULL},
};

const struct workload *workload_find(const char *name) {
    for (const struct workload *w = workloads; w->name; w++) {
        if (strcmp(w->name, name) == 0) return w;
    }
    return NULL;
}

void *workload_alloc(uint64_t bytes, const char *what) {
    uint64_t pages = (bytes >> PAGE_SHIFT) + ((bytes & (PAGE_SIZE - 1)) != 0);
    void *p = page_alloc_contig(pages);
    if (!p) kfail(EXIT_NO_MEMORY, "%s: needs %lu contiguous pages, %lu pages free", what, pages, page_free_count());
    return p;
}
