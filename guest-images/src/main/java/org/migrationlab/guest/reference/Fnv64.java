package org.migrationlab.guest.reference;

/** The FNV-1a hashing the workload results use (WORKLOADS.md, "Common definitions"). */
final class Fnv64 {
    static final long OFFSET = 0xcbf29ce484222325L;
    static final long PRIME = 0x100000001b3L;

    private Fnv64() {
    }

    /** FNV-1a step over a whole 64-bit word: (h xor w) * PRIME. */
    static long fold(long h, long word) {
        return (h ^ word) * PRIME;
    }

    /** FNV-1a step over one byte. */
    static long foldByte(long h, int b) {
        return (h ^ (b & 0xff)) * PRIME;
    }
}
