package org.migrationlab.migration.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DowntimeBreakdownTest {
    private static final long MS = 1_000_000;

    @Test
    void theStagesFollowOneAnotherAndAddUpToTheDowntime() {
        // freeze asked at 0, stopped at 2, captured at 5, SWITCH_OVER written at 9, RESUMED read at 30;
        // the destination took 4 + 3 + 2 ms, so 21 - 9 = 12 ms were the network's
        // of the send, 1 ms went to the durable writes
        DowntimeBreakdown parts = DowntimeBreakdown.of(0, 2 * MS, 5 * MS, 9 * MS, 30 * MS, 4 * MS, 3 * MS, 2 * MS,
                MS);
        assertThat(parts).isEqualTo(new DowntimeBreakdown(2, 3, 4, 1, 12, 4, 3, 2));
        assertThat(parts.downtimeMs()).isCloseTo(28, within(1e-9)); // RESUMED read − vCPU stopped
    }

    @Test
    void destinationStagesThatOverlapTheSendAreCountedOnceAsTheDestinations() {
        // the source saw its write complete at 9, but the destination's 4 + 3 + 2 ms ended at the RESUMED read
        // at 15: 3 ms of them overlapped the send, which keeps 4 - 3 = 1 ms
        // (the durable writes are what the source timed: 2 ms of its 4 ms send)
        DowntimeBreakdown parts = DowntimeBreakdown.of(0, 2 * MS, 5 * MS, 9 * MS, 15 * MS, 4 * MS, 3 * MS, 2 * MS,
                2 * MS);
        assertThat(parts).isEqualTo(new DowntimeBreakdown(2, 3, 1, 2, 0, 4, 3, 2));
        assertThat(parts.downtimeMs()).isCloseTo(13, within(1e-9));
    }
}
