package org.migrationlab.guest.reference;

/** The guest's only pseudo-random generator (WORKLOADS.md, "Common definitions"). Not thread-safe. */
final class Splitmix64 {
    static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    Splitmix64(long seed) {
        this.state = seed;
    }

    long next() {
        state += GAMMA;
        return mix64(state);
    }

    /** splitmix64's output function without the state step. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
