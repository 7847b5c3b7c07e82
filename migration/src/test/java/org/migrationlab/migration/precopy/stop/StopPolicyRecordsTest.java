package org.migrationlab.migration.precopy.stop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.precopy.stop.StopPolicy.Decision;
import org.migrationlab.migration.precopy.stop.StopPolicy.RoundReport;

class StopPolicyRecordsTest {

    @Test
    void roundReportRejectsNegativeObservations() {
        assertThatThrownBy(() -> new RoundReport(-1, 0, 0, 0, 1, 0, 0, 0)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new RoundReport(0, -1, 0, 0, 1, 0, 0, 0)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new RoundReport(0, 0, 0, 0, 1, -5, 0, 0)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new RoundReport(0, 0, 0, 0, 1, 0, -1.0, 0)).hasMessageContaining("negative");
    }

    @Test
    void roundReportAcceptsUnknownRates() {
        assertThat(new RoundReport(0, 0, 0, 0, 1, 0, Double.NaN, Double.NaN).bytesPerSecond()).isNaN();
    }

    @Test
    void keepCopyingThrottleIsAPercentBelowHundred() {
        assertThat(new Decision.KeepCopying(99).throttlePercent()).isEqualTo(99);
        assertThat(Decision.KeepCopying.UNTHROTTLED).isEqualTo(new Decision.KeepCopying(0));
        assertThatThrownBy(() -> new Decision.KeepCopying(100)).hasMessageContaining("0..99");
        assertThatThrownBy(() -> new Decision.KeepCopying(-1)).hasMessageContaining("0..99");
    }

    @Test
    void switchOverNeedsAReasonAndAKnownOrUnknownDowntime() {
        assertThat(new Decision.SwitchOver("why", -1).expectedDowntimeNanos()).isEqualTo(-1);
        assertThatThrownBy(() -> new Decision.SwitchOver(" ", 0)).hasMessageContaining("reason");
        assertThatThrownBy(() -> new Decision.SwitchOver(null, 0)).hasMessageContaining("reason");
        assertThatThrownBy(() -> new Decision.SwitchOver("why", -2)).hasMessageContaining("-1");
    }
}
