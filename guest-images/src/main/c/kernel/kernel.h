/*
 * kernel.h — what every part of the guest kernel and every workload may use.
 *
 * The kernel is single-CPU and cooperative: nothing runs concurrently, so no locks anywhere.
 * Exit statuses are part of the workload contract (WORKLOADS.md, "Exit status").
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "guest_abi.h"

#define PAGE_SIZE  GUEST_PAGE_SIZE
#define PAGE_SHIFT 12

enum exit_status {
    EXIT_OK = 0,
    EXIT_SELF_CHECK = 1,        /* a workload's own verification failed (or a kernel invariant broke) */
    EXIT_BAD_BOOT_INFO = 2,     /* boot-info magic, version or layout rejected                      */
    EXIT_UNKNOWN_WORKLOAD = 3,
    EXIT_NO_MEMORY = 4,         /* a size argument asks for more memory than is free                  */
    EXIT_BAD_ARGUMENT = 5,      /* malformed, out-of-range or unknown boot argument                   */
    EXIT_BAD_HOST_INPUT = 6,    /* a device answered outside the ABI (ring record, short send)        */
};

/* ---- console.c ---- */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_flush(void);
/* Prints "<message>\n" and exits with result 0 and the given status. */
__attribute__((noreturn, format(printf, 2, 3))) void kfail(uint64_t status, const char *fmt, ...);

/* ---- main.c ---- */
extern const struct guest_boot_info *boot_info;
/* Flushes console and progress, then exits the machine. */
__attribute__((noreturn)) void kexit(uint64_t result, uint64_t status);

/* ---- progress.c: batched counter hypercalls (each hypercall is a VM exit) ---- */
#define PROGRESS_BATCH 64
extern uint64_t progress_pending;
void progress_flush(void);
/* Counts units of GUEST_COUNTER_PROGRESS; a hypercall is made once PROGRESS_BATCH units are pending. */
static inline void progress_add(uint64_t units) {
    progress_pending += units;
    if (progress_pending >= PROGRESS_BATCH) progress_flush();
}
/* Flushes pending progress and adds one to GUEST_COUNTER_PASSES. */
void progress_pass(void);

/* ---- string.c: gcc may emit calls to these even with -fno-builtin ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif /* KERNEL_H */
