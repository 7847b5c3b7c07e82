package org.migrationlab.migration.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FaultLatencyBreakdownTest {

    @Test
    void theNetworkIsTheRoundTripLessTheSourcesServing() {
        FaultLatencyBreakdown breakdown = FaultLatencyBreakdown.of(7,
                new FaultLatencyBreakdown.Nanos(10_000, 100_000, 30_000, 3_000, 6_000),
                new FaultLatencyBreakdown.Nanos(40_000, 900_000, 200_000, 9_000, 50_000));
        assertThat(breakdown.sampled()).isEqualTo(7);
        assertThat(breakdown.p50()).isEqualTo(new FaultLatencyBreakdown.Stages(10, 30, 70, 3, 6));
        assertThat(breakdown.p50().total()).isEqualTo(119);
        assertThat(breakdown.p99()).isEqualTo(new FaultLatencyBreakdown.Stages(40, 200, 700, 9, 50));
    }

    @Test
    void aServingLongerThanTheRoundTripIsAllOfIt() {
        FaultLatencyBreakdown breakdown = FaultLatencyBreakdown.of(1,
                new FaultLatencyBreakdown.Nanos(1_000, 50_000, 80_000, 1_000, 1_000),
                new FaultLatencyBreakdown.Nanos(1_000, 50_000, 80_000, 1_000, 1_000));
        assertThat(breakdown.p50().source()).isEqualTo(50);
        assertThat(breakdown.p50().network()).isZero();
    }

    @Test
    void noSampledFaultIsNoBreakdown() {
        FaultLatencyBreakdown.Nanos none = new FaultLatencyBreakdown.Nanos(0, 0, 0, 0, 0);
        assertThat(FaultLatencyBreakdown.of(0, none, none)).isNull();
    }
}
