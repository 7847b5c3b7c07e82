package org.migrationlab.migration.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How long post-copy network faults took, from the page request to the page installed, in
 * microseconds: the {@code fault-latency-us} object of the migration and the destination reports.
 */
public record FaultLatency(@JsonProperty("p50") double p50Micros,
                           @JsonProperty("p90") double p90Micros,
                           @JsonProperty("p99") double p99Micros,
                           @JsonProperty("max") double maxMicros) {
    /** No network fault was measured. */
    public static final FaultLatency NONE = new FaultLatency(0, 0, 0, 0);
}
