package org.migrationlab.vmm.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The destination's network-fault latency as it happens: the vCPU thread records each fault into a
 * {@link Recorder} (no lock, no allocation), and the view's ticker takes the interval's histogram and adds
 * it to the total, whose percentiles each tick carries.
 */
final class LiveLatency {
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Recorder recorder = new Recorder(HIGHEST_NANOS, 3);
    private final Histogram total = new Histogram(HIGHEST_NANOS, 3); // ticker only
    private Histogram interval; // ticker only: recycled between ticks

    /** One fault served after {@code nanos}; any thread. */
    void record(long nanos) {
        recorder.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_NANOS));
    }

    /** The faults so far in microseconds, or null before the first; the ticker's thread only. */
    ViewMessage.Latency figures() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        long count = total.getTotalCount();
        if (count == 0) {
            return null;
        }
        return new ViewMessage.Latency(count, micros(total.getValueAtPercentile(50)),
                micros(total.getValueAtPercentile(90)), micros(total.getValueAtPercentile(99)),
                micros(total.getMaxValue()), histogram());
    }

    /** The faults so far by the histogram's bounds; the last count: slower than the last bound. */
    private List<Long> histogram() {
        List<Long> counts = new ArrayList<>();
        long below = 0; // the faults counted so far, each at most the bound before
        for (long upTo : ViewMessage.Latency.HISTOGRAM_UP_TO_MICROS) {
            long atMost = total.getCountBetweenValues(0, TimeUnit.MICROSECONDS.toNanos(upTo));
            counts.add(atMost - below);
            below = atMost;
        }
        counts.add(total.getTotalCount() - below);
        return List.copyOf(counts);
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }
}
