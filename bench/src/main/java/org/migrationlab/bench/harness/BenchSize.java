package org.migrationlab.bench.harness;

/**
 * How big the harnesses' runs are: {@link #FULL} as {@code bin/bench} runs them, {@link #SMOKE} for the tests
 * that run every section once on tiny guests (seconds), so that a broken benchmark is noticed before
 * someone waits minutes for its figures.
 */
enum BenchSize {
    FULL, SMOKE;

    /** {@code full} in a full run, else {@code smoke}. */
    <T> T pick(T full, T smoke) {
        return this == FULL ? full : smoke;
    }

    long pick(long full, long smoke) {
        return this == FULL ? full : smoke;
    }

    int pick(int full, int smoke) {
        return this == FULL ? full : smoke;
    }
}
