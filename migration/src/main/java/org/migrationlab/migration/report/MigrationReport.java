package org.migrationlab.migration.report;

import java.util.Map;

/**
 * The final statistics of one migration, with QEMU's names (query-migrate) where QEMU has one, plus
 * what the paper measures. Durations in milliseconds (fractions allowed), sizes in bytes or pages as
 * named. {@code workingSetPages} is -1 when the workload's working set is not known.
 */
public record MigrationReport(
        String status, String error, String mode, String prepage, String stopPolicy, String switchReason,
        double totalTimeMs, double setupTimeMs, double downtimeMs, double expectedDowntimeMs,
        long transferredBytes, long remainingBytes, long totalBytes,
        long duplicatePages, long normalPages, long normalBytes,
        double dirtyPagesRate, double mbps, int dirtySyncCount,
        long postcopyRequests, long precopyBytes, long downtimeBytes, long postcopyBytes,
        Map<String, Long> pagesByKind, long resentPages, long guestPages, long workingSetPages,
        FaultStats faults, ProgressRates progress, BalloonSummary balloon, String oracle) {

    /** The workload's progress rate (units per second of wall time) around the migration; NaN if unknown. */
    public record ProgressRates(double before, double during, double after) {
        public static final ProgressRates UNKNOWN = new ProgressRates(Double.NaN, Double.NaN, Double.NaN);
    }

    public MigrationReport {
        pagesByKind = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pagesByKind)); // keeps order
    }

    public boolean completed() {
        return "completed".equals(status);
    }

    public MigrationReport withOracle(String verdict) {
        return new MigrationReport(status, error, mode, prepage, stopPolicy, switchReason, totalTimeMs, setupTimeMs,
                downtimeMs, expectedDowntimeMs, transferredBytes, remainingBytes, totalBytes, duplicatePages,
                normalPages, normalBytes, dirtyPagesRate, mbps, dirtySyncCount, postcopyRequests, precopyBytes,
                downtimeBytes, postcopyBytes, pagesByKind, resentPages, guestPages, workingSetPages, faults, progress,
                balloon, verdict);
    }

    public MigrationReport withProgress(ProgressRates rates) {
        return new MigrationReport(status, error, mode, prepage, stopPolicy, switchReason, totalTimeMs, setupTimeMs,
                downtimeMs, expectedDowntimeMs, transferredBytes, remainingBytes, totalBytes, duplicatePages,
                normalPages, normalBytes, dirtyPagesRate, mbps, dirtySyncCount, postcopyRequests, precopyBytes,
                downtimeBytes, postcopyBytes, pagesByKind, resentPages, guestPages, workingSetPages, faults, rates,
                balloon, oracle);
    }

    /** Network faults as a share of the workload's working set, or NaN when it is not known. */
    public double networkFaultsOfWorkingSet() {
        return workingSetPages <= 0 ? Double.NaN : (double) faults.networkFaults() / workingSetPages;
    }

    /** Pages that crossed the network: zero records plus pages with data. */
    public long pagesSent() {
        return duplicatePages + normalPages;
    }
}
