/*
 * sched.h — a cooperative round-robin scheduler.
 *
 * kmain calls sched_run(), which runs tasks in creation order, each until it yields or returns, and
 * returns when every task has finished. Tasks may create tasks. A task's stack is a run of its own pages,
 * freed when it finishes.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stdint.h>

/* The workload's own task and up to 128 of its tasks (quicksort's procs=128). A slot costs 48 bytes of
 * .bss; a task's stack is allocated only when it is created. */
#define SCHED_MAX_TASKS 129

typedef void (*task_fn)(void *arg);

/* Returns the new task's id, or -1 when the task table or memory is exhausted. */
int task_create(task_fn fn, void *arg, uint64_t stack_pages);

/* Lets the next runnable task run; returns at once when no other task is runnable. */
void yield(void);

/* Runs all tasks until every one has returned. */
void sched_run(void);

#endif /* SCHED_H */
