package org.migrationlab.vmm.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The live latency's figures are the faults' percentiles so far, in microseconds, across ticks. */
class LiveLatencyTest {
    @Test
    void givesThePercentilesOfEveryFaultSoFar() {
        LiveLatency latency = new LiveLatency();
        assertThat(latency.figures()).as("no fault yet").isNull();
        for (int us = 1; us <= 50; us++) {
            latency.record(us * 1_000L);
        }
        ViewMessage.Latency first = latency.figures();
        assertThat(first.count()).isEqualTo(50);
        assertThat(first.p50()).isCloseTo(25, within(0.1));
        assertThat(first.max()).isCloseTo(50, within(0.1));

        for (int us = 51; us <= 100; us++) { // the next tick's faults add to the first's
            latency.record(us * 1_000L);
        }
        ViewMessage.Latency second = latency.figures();
        assertThat(second.count()).isEqualTo(100);
        assertThat(second.p50()).isCloseTo(50, within(0.1));
        assertThat(second.p90()).isCloseTo(90, within(0.1));
        assertThat(second.p99()).isCloseTo(99, within(0.1));
        assertThat(second.max()).isCloseTo(100, within(0.1));
        assertThat(latency.figures()).as("a tick without faults keeps them").isEqualTo(second);
    }

    @Test
    void countsEachFaultInTheHistogramUnderItsBound() {
        LiveLatency latency = new LiveLatency();
        latency.record(10_000); // 10 µs: at most 16
        latency.record(16_000); // 16 µs: at most 16 (HdrHistogram's 3 digits keep 16 µs within its bound)
        latency.record(100_000); // at most 128
        latency.record(100_000);
        latency.record(3_000_000); // 3 ms: at most 4096
        latency.record(10_000_000_000L); // 10 s: slower than the last bound
        java.util.List<Long> histogram = latency.figures().histogram();
        java.util.List<Long> bounds = ViewMessage.Latency.HISTOGRAM_UP_TO_MICROS;
        assertThat(bounds).startsWith(16L, 32L, 64L).endsWith(65_536L);
        assertThat(histogram).hasSize(bounds.size() + 1);
        assertThat(histogram.get(bounds.indexOf(16L))).isEqualTo(2);
        assertThat(histogram.get(bounds.indexOf(128L))).isEqualTo(2);
        assertThat(histogram.get(bounds.indexOf(4096L))).isEqualTo(1);
        assertThat(histogram.getLast()).isEqualTo(1);
        assertThat(histogram.stream().mapToLong(Long::longValue).sum()).isEqualTo(6);
    }
}
