package org.migrationlab.migration.postcopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.protocol.MigrationRecord.FaultStages;

class FaultStageTimesTest {

    @Test
    void aFaultsStagesAddUpToItsLatencyUpToTheMapping() {
        FaultStageTimes times = new FaultStageTimes();
        times.record(1_000, 11_000, 111_000, 114_000, 120_000);
        FaultStages stages = times.toRecord();
        assertThat(stages.sampled()).isEqualTo(1);
        long sum = stages.request().p50Nanos() + stages.roundTrip().p50Nanos() + stages.install().p50Nanos()
                + stages.resume().p50Nanos();
        // the histograms keep three significant digits
        assertThat(sum).isCloseTo(119_000, withinPercentage(0.1));
        assertThat(stages.request().p50Nanos()).isCloseTo(10_000, withinPercentage(0.1));
        assertThat(stages.roundTrip().p50Nanos()).isCloseTo(100_000, withinPercentage(0.1));
        assertThat(stages.install().p50Nanos()).isCloseTo(3_000, withinPercentage(0.1));
        assertThat(stages.resume().p50Nanos()).isCloseTo(6_000, withinPercentage(0.1));
    }

    @Test
    void instantsOutOfOrderAreNoSample() {
        FaultStageTimes times = new FaultStageTimes();
        // the reply read before the request's write was seen complete
        times.record(1_000, 50_000, 40_000, 60_000, 70_000);
        assertThat(times.sampled()).isZero();
        assertThat(times.toRecord().request().p50Nanos()).isZero();
    }
}
