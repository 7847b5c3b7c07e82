package org.migrationlab.vmm.web;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * What the view sends the browser as JSON text frames; the page map itself goes as binary frames
 * ({@link MapFrames}). Each message names its type in the JSON ({@link ViewJson}).
 */
public sealed interface ViewMessage {
    /**
     * First message on every connection: what is shown.
     *
     * @param role     "source" or "destination": whose guest memory the map is
     * @param peerView the address of the other side's view, for the page to show both maps; or null
     */
    record Hello(String title, String role, long pages, int pageSize, long tickMillis, String peerView)
            implements ViewMessage {
        public static final String SOURCE = "source";
        public static final String DESTINATION = "destination";
    }

    /**
     * One tick: the phase and the counters now, and what the channels carried since the last tick.
     *
     * @param atMillis  milliseconds since the view started
     * @param faults    network faults since the last tick (page requests the source served, or the faults the
     *                  destination took)
     * @param pivot     the page of the last network fault the push pivoted on, or -1
     * @param latency   the destination's network faults so far; null at the source, or before the first
     */
    record Tick(long atMillis, String phase, long bulkBytes, long urgentBytes, long faults, long pivot,
                Counters counters, Stepping stepping, Latency latency) implements ViewMessage {
    }

    /**
     * Network faults served so far: their latency's percentiles, in microseconds, and its histogram.
     *
     * @param histogram how many faults took at most each of {@link #HISTOGRAM_UP_TO_MICROS} microseconds (and
     *                  more than the bound before); the last count is every fault slower than the last bound
     */
    record Latency(long count, double p50, double p90, double p99, double max, List<Long> histogram) {
        /** The histogram's upper bounds: powers of two from 16 µs (a loopback round trip) to 65 ms. */
        public static final List<Long> HISTOGRAM_UP_TO_MICROS = LongStream
                .iterate(16, b -> b <= 65_536, b -> b * 2).boxed().toList();
    }

    /**
     * Step mode's state; null without step mode.
     *
     * @param heldAt the step the migration waits at (precopy-round, prepage-batch, network-fault), or null
     * @param passed step points passed so far
     * @param slices guest slices taken so far
     * @param sliceUnits the guest's progress units in one slice
     */
    record Stepping(boolean paused, String heldAt, long passed, long slices, long sliceUnits) {
    }

    /** The report's counters as they change. */
    record Counters(Map<String, Long> pagesByKind, long duplicate, long normal, long normalBytes, long resent,
                    long remaining, int rounds, long balloonedSkips, long postcopyRequests, double dirtyPagesRate,
                    int cpuThrottle) {
        public static final Counters NONE = new Counters(Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * The migration ended: the report's figures the map must agree with, and its fault latency.
     *
     * @param error why it failed, or null
     */
    record Ended(String status, String error, Map<String, Long> pagesByKind, long duplicate, long normal,
                 long resent, double totalMillis, double downtimeMillis, long transferred,
                 Map<String, Double> faultLatencyMicros) implements ViewMessage {
    }
}
