package org.migrationlab.vmm.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.DowntimeBreakdown;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.MigrationReport;

/** The migration report for people: QEMU's names, pages by kind in order, the failure, the oracle. */
class MigrationReportTableTest {
    private static MigrationReport sample(String status, String error) {
        return sample(status, error, MigrationReport.Recovery.NONE);
    }

    private static MigrationReport sample(String status, String error, MigrationReport.Recovery recovery) {
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("precopy-round-0", 131_072L);
        byKind.put("precopy-round-1", 2_000L);
        byKind.put("precopy-round-10", 12L);
        byKind.put("stop-and-copy", 40L);
        byKind.put("push", 0L);
        byKind.put("prepage", 0L);
        byKind.put("demand", 0L);
        return new MigrationReport(status, error,
                new MigrationReport.Scheme("precopy", "n/a", "downtime", "dirty rate below target", false),
                new MigrationReport.Timing(1234.5, 3.25, 12.75, 10.0,
                        new DowntimeBreakdown(0.05, 0.25, 2.5, 0.0, 1.0, 0.5, 8.0, 0.5)),
                new MigrationReport.Transfer(70_000_000L, 0, 512L << 20, 114_000, 17_124, 70_000_000L),
                new MigrationReport.Convergence(1234.5678, 453.6, 11, 40, 1_234, java.util.List.of(
                        new MigrationReport.PrecopyRound(0, 800.25, 131_072, 2_000, 655.36, 0, 1.5e6),
                        new MigrationReport.PrecopyRound(1, 12.5, 2_000, 12, 5_242.88, 20, Double.NaN))),
                new MigrationReport.Phases(0, 69_000_000L, 1_000_000L, 0),
                new MigrationReport.Pages(byKind, 2_052, 131_072),
                recovery,
                MigrationReport.Faults.of(new FaultStats(3, 100, 3, 120.5, 300, 900, 2100.25), -1),
                new MigrationReport.ProgressRates(1.5e6, 1.2e6, Double.NaN),
                new BalloonSummary("on", 100_000, 196, 3, 1, 100_250, 250, 100_020), "not-checked");
    }

    @Test
    void tableShowsQemuNamesPagesByKindInOrderAndTheFailure() {
        String table = MigrationReportTable.render(sample("failed", "no RESUMED within 60000 ms"));
        assertThat(table.lines().map(line -> line.split(" ")[0]).toList()).contains("status", "error-desc", "mode",
                "total-time", "setup-time", "downtime", "transferred", "remaining", "mbps", "pages-by-kind",
                "resent-pages", "dirty-sync-count", "dirty-pages-rate", "cpu-throttle", "postcopy-requests", "network-faults",
                "fault-latency", "progress-rate");
        assertThat(table)
                .contains("status             failed\n")
                .contains("error-desc         no RESUMED within 60000 ms\n")
                .contains("mode               precopy, stop policy downtime\n")
                .contains("downtime           12.75 ms (expected 10.00 ms)\n")
                .contains("downtime-breakdown capture 250.00 µs, send 2.50 ms, network 1.00 ms, receive 500.00 µs, "
                        + "restore 8.00 ms, resume 500.00 µs (pausing the vCPU took 50.00 µs before)\n")
                .contains("pages-by-kind      precopy-round-0 131,072, precopy-round-1 2,000, precopy-round-10 12,"
                        + " stop-and-copy 40\n")
                .contains("resent-pages       2,052\n")
                .contains("cpu-throttle       40 % of the guest's time\n")
                .contains("dirty-log-faults   1,234 (write-protect dirty logging)\n")
                .contains("precopy-rounds     round 0: 131,072 pages in 800.25 ms (655.4 mbps), 2,000 dirtied;"
                        + " throttle 0 %, progress 1.50 M units/s\n"
                        + "                   round 1: 2,000 pages in 12.50 ms (5242.9 mbps), 12 dirtied; throttle"
                        + " 20 %, progress - units/s\n")
                .contains("fault-latency      p50 120.50 µs, p90 300.00 µs, p99 900.00 µs, max 2.10 ms\n")
                .contains("progress-rate      before 1.50 M, during 1.20 M, after - (units/s)\n")
                .contains("balloon            100,000 pages (390.6 MiB) at the switch-over; 100,020 page sends saved;"
                        + " 196 inflations, 3 deflations\n")
                .doesNotContain("oracle");
        assertThat(MigrationReportTable.render(sample("completed", null).withOracle("identical")))
                .contains("oracle             identical\n").doesNotContain("error-desc");
    }

    @Test
    void aRestartedSourceSaysWhatItTookOverAndServed() {
        MigrationReport.SourceRestart restart = new MigrationReport.SourceRestart(1, "546c9b0d", 15_645, 15_645,
                1_000_000L, 1_001_002L, -1);
        MigrationReport report = sample("completed", null, new MigrationReport.Recovery(1, 914.97, 0, null, restart));
        assertThat(MigrationReportTable.render(report)).contains("source-restart     this process took migration"
                + " 546c9b0d over (source restart 1): the destination lacked 15,645 pages, 15,645 sent, complete"
                + " 1.002 s after the reconnection\n");
        assertThat(MigrationReportTable.render(report.withKillToComplete(8485))).contains(
                "complete 1.002 s after the reconnection, 8.485 s after the kill\n");
        MigrationReport failed = sample("failed", "gave up", new MigrationReport.Recovery(0, 0, 0, null,
                new MigrationReport.SourceRestart(1, "546c9b0d", -1, 0, 0, 0, -1)));
        assertThat(MigrationReportTable.render(failed)).contains("(source restart 1): the destination never said"
                + " which pages it lacked, 0 sent\n");
        assertThat(MigrationReportTable.render(sample("completed", null))).doesNotContain("source-restart");
    }
}
