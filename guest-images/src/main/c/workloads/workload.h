/*
 * workload.h — the workloads a kernel image can run, selected by boot_info.workload.
 *
 * A workload runs as the first task, reads its boot arguments (then calls args_reject_unused), prints a
 * one-line start summary and a one-line end summary, reports progress, and returns its result; kmain
 * then exits with status 0. Failures exit at once through kfail. WORKLOADS.md is the contract.
 */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stdint.h>

#define WORKLOAD_DEFAULT "wss"

struct workload {
    const char *name;
    uint64_t (*run)(void);
};

/* Terminated by an entry with name NULL. */
extern const struct workload workloads[];

const struct workload *workload_find(const char *name);

/* bytes (> 0) rounded up to whole pages, allocated contiguously; exits with EXIT_NO_MEMORY and a
 * message naming `what` when no such run of pages is free. */
void *workload_alloc(uint64_t bytes, const char *what);

/* Each workload's entry point, <name>_run, for every name in workloads.def. */
#define WORKLOAD(name) uint64_t name##_run(void);
#include "workloads.def"
#undef WORKLOAD

#endif /* WORKLOAD_H */
