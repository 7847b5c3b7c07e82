/*
 * random.h — the one pseudo-random generator of the guest (splitmix64) and the hashes that results use.
 * The Java references in org.migrationlab.guest.reference implement the same functions; WORKLOADS.md
 * defines them.
 */
#ifndef RANDOM_H
#define RANDOM_H

#include <stdint.h>

#define SPLITMIX64_GAMMA 0x9E3779B97F4A7C15ULL
#define FNV64_OFFSET     0xcbf29ce484222325ULL
#define FNV64_PRIME      0x100000001b3ULL

/* splitmix64's output function, without the state step. */
static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Keep the state in a local variable inside hot loops: every store to RAM is expensive in the emulator. */
static inline uint64_t splitmix64_next(uint64_t *state) {
    *state += SPLITMIX64_GAMMA;
    return mix64(*state);
}

/* FNV-1a over one byte. */
static inline uint64_t fnv1a_byte(uint64_t h, uint8_t b) { return (h ^ b) * FNV64_PRIME; }

/* FNV-1a step applied to a whole 64-bit word ("fold" in WORKLOADS.md). */
static inline uint64_t fold64(uint64_t h, uint64_t w) { return (h ^ w) * FNV64_PRIME; }

static inline uint64_t fnv1a_bytes(uint64_t h, const void *buf, uint64_t len) {
    const uint8_t *p = buf;
    for (uint64_t i = 0; i < len; i++) h = fnv1a_byte(h, p[i]);
    return h;
}

#endif /* RANDOM_H */
