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
}
