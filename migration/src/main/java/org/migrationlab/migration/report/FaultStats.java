package org.migrationlab.migration.report;

/**
 * What the destination saw of post-copy faults: network faults (the vCPU waited for a page from the
 * source), minor faults (first touch of a page that had already arrived by push or prepaging), page
 * requests sent, and the latency of network faults (request to page installed) in microseconds.
 */
public record FaultStats(long networkFaults, long minorFaults, long requests, double latencyP50Micros,
                         double latencyP90Micros, double latencyP99Micros, double latencyMaxMicros) {
    public static final FaultStats NONE = new FaultStats(0, 0, 0, 0, 0, 0, 0);

    /** The paper's measure: network / (network + minor) faults, or NaN when there were none. */
    public double networkFaultRatio() {
        long all = networkFaults + minorFaults;
        return all == 0 ? Double.NaN : (double) networkFaults / all;
    }
}
