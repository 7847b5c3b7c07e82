package org.migrationlab.vmm.eval;

import java.util.Optional;

/**
 * How an evaluation runs.
 *
 * @param scale          how big the guests are
 * @param runs           migrations per point (median and spread over them)
 * @param bandwidthBits  the emulated link's rate, bits per second
 * @param latencyNanos   its one-way latency
 * @param only           one experiment by name, or all
 * @param seed           the guests' seed; run k of a point uses seed + k
 */
public record EvalSettings(Scale scale, int runs, long bandwidthBits, long latencyNanos, Optional<String> only,
                           long seed) {
    public EvalSettings {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1: " + runs);
        }
        if (bandwidthBits < 0 || latencyNanos < 0) {
            throw new IllegalArgumentException("bandwidth and latency must not be negative");
        }
    }

    /** Guest sizes: the paper's where this machine allows, minutes-long small guests, or seconds for tests. */
    public enum Scale {
        FULL, QUICK, TINY;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean full() {
        return scale == Scale.FULL;
    }

    /**
     * The RAM in MiB of an application workload's guest (the applications and self-ballooning interval
     * experiments, and degradation below the full scale): the paper's 512 MB at the full scale; smaller at
     * the quick (64 MiB) and tiny (32 MiB) scales, so that an evaluation takes minutes, or seconds for the
     * test suite, with each scale's workload arguments sized to fit.
     */
    public long applicationRamMiB() {
        return switch (scale) {
            case FULL -> 512;
            case QUICK -> 64;
            case TINY -> 32;
        };
    }
}
