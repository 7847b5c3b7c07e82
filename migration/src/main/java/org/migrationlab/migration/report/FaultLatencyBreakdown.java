package org.migrationlab.migration.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where post-copy network faults spent their time, in microseconds, so that {@code fault-latency-us} explains
 * itself: the {@code fault-latency-breakdown} object of the migration report, over the faults the destination
 * sampled (those whose reply was read after their own request was written: a fault on a page already on its
 * way by push, read before the request went out, is not sampled, so the sampled faults are the slower ones
 * and their stages do not add up to {@code fault-latency-us}'s percentiles), at the median and the 99th
 * percentile of each stage.
 *
 * @param sampled the faults measured
 * @param p50     each stage's median
 * @param p99     each stage's 99th percentile
 */
public record FaultLatencyBreakdown(@JsonProperty("sampled") long sampled,
                                    @JsonProperty("p50") Stages p50,
                                    @JsonProperty("p99") Stages p99) {

    /**
     * One percentile of each stage, in microseconds. The stages follow one another. {@code network} is the
     * destination's round trip (request written to reply read) less the source's serving at the same
     * percentile: the two ends' samples are not paired, so it is an estimate, and never below 0.
     *
     * @param request from the fault to its request written by the destination's event loop
     * @param source  the source serving it: from the request handed to its page server to the page written
     * @param network the rest of the round trip: the wire both ways, event-loop queues, sealing and opening
     * @param install from the reply read to the page's bytes in guest RAM
     * @param resume  from there to the page mapped for the guest, the vCPU's wake-up included
     */
    public record Stages(@JsonProperty("request") double request,
                         @JsonProperty("source") double source,
                         @JsonProperty("network") double network,
                         @JsonProperty("install") double install,
                         @JsonProperty("resume") double resume) {

        /** The stages summed: the fault's latency at this percentile, as the stages estimate it. */
        public double total() {
            return request + source + network + install + resume;
        }
    }

    /**
     * One percentile of each stage as the two ends measured it, in nanoseconds: the destination's request,
     * round trip, install and resume, and the source's serving.
     */
    public record Nanos(long request, long roundTrip, long served, long install, long resume) {
        Stages toStages() {
            long source = Math.min(served, roundTrip); // serving is part of the round trip; longer is noise
            return new Stages(us(request), us(source), us(roundTrip - source), us(install), us(resume));
        }
    }

    /** The breakdown of {@code sampled} faults; null when there were none. */
    public static FaultLatencyBreakdown of(long sampled, Nanos p50, Nanos p99) {
        return sampled == 0 ? null : new FaultLatencyBreakdown(sampled, p50.toStages(), p99.toStages());
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }
}
