package org.migrationlab.bench.harness;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The JSON lines of the migration benchmarks ({@code bin/bench migration --json FILE}), one record per
 * kind of line; {@link BenchJson} writes each as one line, keys in the order declared here.
 */
final class MigrationFigures {
    private MigrationFigures() {
    }

    /**
     * One migration (the schemes, faults, latency, throughput and downtime sections).
     *
     * @param networkFaultsShareOfWorkingSet network faults per page of the working set; NaN when unknown
     * @param networkFaultRatio              network / (network + minor) faults; NaN when there were none
     */
    record Migration(@JsonProperty("label") String label,
                     @JsonProperty("total-time-ms") double totalTimeMs,
                     @JsonProperty("downtime-ms") double downtimeMs,
                     @JsonProperty("pages-sent") long pagesSent,
                     @JsonProperty("duplicate") long duplicatePages,
                     @JsonProperty("network-faults") long networkFaults,
                     @JsonProperty("minor-faults") long minorFaults,
                     @JsonProperty("network-faults-share-of-ws") double networkFaultsShareOfWorkingSet,
                     @JsonProperty("network-fault-ratio") double networkFaultRatio,
                     @JsonProperty("latency-p50-us") double latencyP50Micros,
                     @JsonProperty("latency-p99-us") double latencyP99Micros,
                     @JsonProperty("transferred") long transferredBytes) {
    }

    /**
     * The post-copy push against a plain loopback socket carrying the same bytes.
     *
     * @param ratio        the push's rate over the socket's reading into one buffer
     * @param ratioIntoRam the push's rate over the socket's copying into fresh pages, as the push must
     */
    record PushThroughput(@JsonProperty("label") String label,
                          @JsonProperty("push-bytes-per-second") double pushBytesPerSecond,
                          @JsonProperty("socket-bytes-per-second") double socketBytesPerSecond,
                          @JsonProperty("socket-into-ram-bytes-per-second") double socketIntoRamBytesPerSecond,
                          @JsonProperty("ratio") double ratio,
                          @JsonProperty("ratio-into-ram") double ratioIntoRam) {

        static PushThroughput of(double pushBytesPerSecond, double socketBytesPerSecond,
                                 double socketIntoRamBytesPerSecond) {
            return new PushThroughput("push-throughput", pushBytesPerSecond, socketBytesPerSecond,
                    socketIntoRamBytesPerSecond, pushBytesPerSecond / socketBytesPerSecond,
                    pushBytesPerSecond / socketIntoRamBytesPerSecond);
        }
    }

    /**
     * One DSB comparison: medians over the runs of one scenario with the balloon off or on.
     *
     * @param usedPages            the pages the workload uses; -1 when that moves (churn)
     * @param pagesSentPerUsedPage NaN when the used pages are not known
     */
    record Dsb(@JsonProperty("label") String label,
               @JsonProperty("pages-sent") long pagesSent,
               @JsonProperty("distinct-pages-sent") long distinctPagesSent,
               @JsonProperty("used-pages") long usedPages,
               @JsonProperty("pages-sent-per-used-page") double pagesSentPerUsedPage,
               @JsonProperty("total-time-ms") double totalTimeMs,
               @JsonProperty("downtime-ms") double downtimeMs,
               @JsonProperty("transferred") long transferredBytes,
               @JsonProperty("balloon-size-pages") long balloonSizePages,
               @JsonProperty("saved-pages") long savedPages) {
    }

    /**
     * One figure of the demo's scenario: its median with both ends in one warm JVM and as {@code bin/vmm demo}
     * runs it in fresh processes.
     */
    record ProcessesVsOneJvm(@JsonProperty("label") String label,
                             @JsonProperty("unit") String unit,
                             @JsonProperty("runs") int runs,
                             @JsonProperty("one-jvm-median") double oneJvmMedian,
                             @JsonProperty("processes-median") double processesMedian) {
    }

    /**
     * Durable ({@code --state-dir} on both ends) against plain post-copy: medians over the interleaved pairs.
     *
     * @param totalTimeRatio         durable over plain median total time (the target: at most 1.10)
     * @param downtimeDifferenceMs   durable minus plain median downtime (the target: at most 2 ms)
     */
    record DurableVsPlain(@JsonProperty("label") String label,
                          @JsonProperty("pairs") int pairs,
                          @JsonProperty("plain-total-time-ms") double plainTotalTimeMs,
                          @JsonProperty("durable-total-time-ms") double durableTotalTimeMs,
                          @JsonProperty("total-time-ratio") double totalTimeRatio,
                          @JsonProperty("plain-downtime-ms") double plainDowntimeMs,
                          @JsonProperty("durable-downtime-ms") double durableDowntimeMs,
                          @JsonProperty("downtime-difference-ms") double downtimeDifferenceMs,
                          @JsonProperty("paired-total-time-ratio") double pairedTotalTimeRatio,
                          @JsonProperty("paired-downtime-difference-ms") double pairedDowntimeDifferenceMs,
                          @JsonProperty("durable-writes-ms") double durableWritesMs) {
    }
}
