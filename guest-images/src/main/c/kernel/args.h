/*
 * args.h — boot arguments ("key=value\0key=value\0\0" in the boot-info page).
 *
 * Every getter marks its key as used; args_reject_unused() then fails the run on any key nobody asked
 * for, so a misspelt argument never silently falls back to a default. Malformed values exit with
 * EXIT_BAD_ARGUMENT. Grammar (shared with the Java references, see WORKLOADS.md):
 *   integer   decimal digits, or 0x followed by hex digits
 *   size      decimal digits with an optional suffix K, M, G or T (powers of 1024, either case);
 *             a size beyond 2^64-1 saturates to 2^64-1 (then fails as "not enough memory", not as malformed)
 *   ratio     "0" or "1", optionally followed by "." and 1..3 decimal digits, at most 1;
 *             returned in per-mille (0.5 -> 500, 0.125 -> 125, 1 -> 1000)
 *   duration  decimal digits with an optional unit ns, us, ms or s (none = ns); returned in ns
 */
#ifndef ARGS_H
#define ARGS_H

#include <stdint.h>

/* Validates the argument block (called by kmain; malformed -> EXIT_BAD_BOOT_INFO). */
void args_init(const char *args, uint32_t len);

/* The raw value of key, or NULL when absent. */
const char *arg_str(const char *key);
uint64_t arg_u64(const char *key, uint64_t fallback);
uint64_t arg_size(const char *key, uint64_t fallback);
uint32_t arg_permille(const char *key, uint32_t fallback);
uint64_t arg_duration_ns(const char *key, uint64_t fallback);

/* Fails the run if an argument was never looked up. */
void args_reject_unused(const char *workload);

/* Parsers without lookup; return 0 on malformed input. */
int parse_u64(const char *s, uint64_t *out);
int parse_size(const char *s, uint64_t *out);
int parse_permille(const char *s, uint32_t *out);
int parse_duration_ns(const char *s, uint64_t *out);

#endif /* ARGS_H */
