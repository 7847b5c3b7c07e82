package org.migrationlab.vmm.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.SendReason;

/** The once-a-second migration line: phase, pages remaining, and rates over the last interval. */
class MigrationProgressPrinterTest {
    private long now;

    @Test
    void migrationProgressLineShowsPhaseRemainingPagesAndRatesOverTheLastInterval() {
        MigrationProgress progress = new MigrationProgress(1000);
        now = 7_000_000_000L;
        MigrationProgressPrinter printer = new MigrationProgressPrinter(progress, line -> { }, () -> now);
        progress.phase("precopy round 0");
        for (int i = 0; i < 500; i++) {
            progress.pageSent(SendReason.PRECOPY_ROUND, 0, i % 2 == 0, i % 2 == 0 ? 0 : 4096, false);
        }
        progress.remainingPages(500);
        now += 500_000_000L;
        assertThat(printer.line()).isEqualTo(
                "migration: precopy round 0, 500 pages remaining, 1.00 k pages/s, 2.0 MB/s, elapsed 0.5 s");
        progress.phase("postcopy");
        now += 1_000_000_000L;
        assertThat(printer.line()).isEqualTo("migration: postcopy, 500 pages remaining, 0 pages/s, 0.0 MB/s, elapsed 1.5 s");
    }
}
