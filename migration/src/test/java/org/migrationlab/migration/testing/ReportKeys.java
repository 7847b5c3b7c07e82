package org.migrationlab.migration.testing;

import java.util.List;

/**
 * The keys of every JSON report, in the order the reports write them. Scripts read these reports, so
 * the golden tests of the renderings and the tests of the commands that write them pin the same lists.
 */
public final class ReportKeys {
    /** {@code vmm run --json}: the summary of one guest run. */
    public static final List<String> RUN = List.of("workload", "image", "memory-bytes", "seed", "args", "outcome",
            "status", "result", "result-decimal", "crash", "error", "memory-hash", "wall-time-ms", "exits",
            "page-faults", "progress", "progress-rate", "virtual-time-ns", "instructions", "instructions-per-second",
            "balloon", "console");

    /** {@code vmm migrate --json} and {@code vmm demo --json}, a completed migration (no error-desc). */
    public static final List<String> MIGRATION = List.of("status", "mode", "prepage", "stop-policy",
            "switch-reason", "guest-ended-before-switch-over", "total-time", "setup-time", "downtime", "expected-downtime",
            "downtime-breakdown", "transferred", "remaining",
            "total", "duplicate", "normal", "normal-bytes", "dirty-pages-rate", "mbps", "dirty-sync-count",
            "cpu-throttle-percentage", "dirty-log-faults", "precopy-rounds", "postcopy-requests", "precopy-bytes", "downtime-bytes", "postcopy-bytes", "pages-by-kind", "resent-pages",
            "guest-pages", "postcopy-recoveries", "recovery-time", "postcopy-lost-pages-resent", "rollback", "source-restart", "network-faults", "fault-latency-us",
            "fault-latency-breakdown", "progress-rate", "balloon", "oracle");

    /** A failed migration: {@code error-desc} follows {@code status}. */
    public static final List<String> FAILED_MIGRATION = withErrorDesc();

    /** {@code vmm daemon --json}: the destination's view of one incoming guest. */
    public static final List<String> DESTINATION = List.of("migration-id", "workload", "memory-bytes", "seed", "args",
            "outcome", "status", "result", "result-decimal", "crash", "error", "memory-hash", "console",
            "network-faults", "minor-faults", "page-requests", "fault-latency-us", "progress-rate-during",
            "progress-rate-after", "balloon");

    /** Each object of the migration report's {@code precopy-rounds}. */
    public static final List<String> PRECOPY_ROUND = List.of("round", "time", "pages", "dirty-pages", "mbps",
            "cpu-throttle-percentage", "progress-rate");

    /** The migration report's {@code network-faults} object. */
    public static final List<String> NETWORK_FAULTS = List.of("count", "minor", "ratio", "working-set-pages",
            "share-of-working-set");

    /** The migration report's {@code downtime-breakdown} object (null when the guest never resumed). */
    public static final List<String> DOWNTIME_BREAKDOWN = List.of("pause", "state-capture", "send",
            "send-durable-writes", "network", "receive", "restore", "resume");

    /** The migration report's {@code fault-latency-breakdown} object (null when no fault was sampled). */
    public static final List<String> FAULT_LATENCY_BREAKDOWN = List.of("sampled", "p50", "p99");

    /** Each percentile's stages in {@code fault-latency-breakdown}, in the order a fault goes through them. */
    public static final List<String> FAULT_STAGES = List.of("request", "source", "network", "install", "resume");

    /** {@code fault-latency-us}, in the migration and the destination reports. */
    public static final List<String> FAULT_LATENCY = List.of("p50", "p90", "p99", "max");

    /** The migration report's {@code progress-rate} object. */
    public static final List<String> PROGRESS_RATE = List.of("before", "during", "after", "held-at");

    /** {@code balloon}, in every report. */
    public static final List<String> BALLOON = List.of("dsb", "size-pages", "inflations", "deflations",
            "pressure-deflations", "pages-returned", "pages-reclaimed", "saved-pages");

    /** {@code crash}, in the run and the destination reports, when the guest crashed. */
    public static final List<String> CRASH = List.of("kind", "rip", "address", "message");

    private ReportKeys() {
    }

    private static List<String> withErrorDesc() {
        java.util.ArrayList<String> keys = new java.util.ArrayList<>(MIGRATION);
        keys.add(1, "error-desc");
        return List.copyOf(keys);
    }
}
