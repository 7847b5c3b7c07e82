package org.migrationlab.migration.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the destination saw of post-copy faults: network faults (the vCPU waited for a page from the
 * source), minor faults (first touch of a page that had already arrived by push or prepaging), page
 * requests sent, and the latency of network faults. The destination report carries these keys
 * as they are; the migration report shows them against the workload's working set
 * ({@link MigrationReport.Faults}).
 */
public record FaultStats(@JsonProperty("network-faults") long networkFaults,
                         @JsonProperty("minor-faults") long minorFaults,
                         @JsonProperty("page-requests") long requests,
                         @JsonProperty("fault-latency-us") FaultLatency latency) {
    public static final FaultStats NONE = new FaultStats(0, 0, 0, FaultLatency.NONE);

    /** The counts and the latency percentiles in microseconds, as the destination measures them. */
    public FaultStats(long networkFaults, long minorFaults, long requests, double latencyP50Micros,
                      double latencyP90Micros, double latencyP99Micros, double latencyMaxMicros) {
        this(networkFaults, minorFaults, requests,
                new FaultLatency(latencyP50Micros, latencyP90Micros, latencyP99Micros, latencyMaxMicros));
    }
}
