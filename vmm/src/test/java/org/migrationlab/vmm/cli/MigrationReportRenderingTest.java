package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.progress.MigrationProgress;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.DestinationReportJson;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.JsonReader;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.MigrationReportJson;
import org.migrationlab.migration.report.MigrationReportJsonReader;
import org.migrationlab.vmm.render.MigrationProgressPrinter;
import org.migrationlab.vmm.render.MigrationReportTable;

/** The reports the new commands print and write: tables, JSON, reading JSON back, progress lines. */
class MigrationReportRenderingTest {
    private static MigrationReport sample(String status, String error) {
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("precopy-round-0", 131_072L);
        byKind.put("precopy-round-1", 2_000L);
        byKind.put("precopy-round-10", 12L);
        byKind.put("stop-and-copy", 40L);
        byKind.put("push", 0L);
        byKind.put("prepage", 0L);
        byKind.put("demand", 0L);
        return new MigrationReport(status, error, "precopy", "n/a", "downtime", "dirty rate below target",
                1234.5, 3.25, 12.75, 10.0, 70_000_000L, 0, 512L << 20, 114_000, 17_124, 70_000_000L,
                1234.5678, 453.6, 11, 0, 69_000_000L, 1_000_000L, 0,
                byKind, 2_052, 131_072, -1, new FaultStats(3, 100, 3, 120.5, 300, 900, 2100.25),
                new MigrationReport.ProgressRates(1.5e6, 1.2e6, Double.NaN),
                new BalloonSummary("on", 100_000, 196, 3, 1, 100_250, 250, 100_020), "not-checked");
    }

    @Test
    void jsonReadsBackIntoTheSameReport() {
        for (MigrationReport report : List.of(sample("completed", null),
                sample("failed", "the destination closed the bulk connection (the guest keeps running on the source)"))) {
            String json = MigrationReportJson.render(report);
            MigrationReport read = MigrationReportJsonReader.read(json);
            assertThat(MigrationReportJson.render(read)).isEqualTo(json);
            assertThat(read.pagesByKind()).isEqualTo(report.pagesByKind());
            assertThat(read.withOracle("identical").oracle()).isEqualTo("identical");
            assertThat(MigrationReportJson.render(read.withOracle("identical"))).contains("\"oracle\": \"identical\"");
        }
    }

    @Test
    void jsonCarriesTheBalloonObject() {
        Map<String, Object> json = JsonReader.parseObject(MigrationReportJson.render(sample("completed", null)));
        assertThat(json.get("balloon")).isEqualTo(new LinkedHashMap<>(Map.of("dsb", "on", "size-pages", 100_000L,
                "inflations", 196L, "deflations", 3L, "pressure-deflations", 1L, "pages-returned", 100_250L,
                "pages-reclaimed", 250L, "saved-pages", 100_020L)));
    }

    @Test
    void readingAReportWithAMissingKeyNamesTheKey() {
        String json = MigrationReportJson.render(sample("completed", null)).replace("\"mbps\"", "\"mbit\"");
        assertThatThrownBy(() -> MigrationReportJsonReader.read(json)).hasMessageContaining("'mbps'");
    }

    @Test
    void tableShowsQemuNamesPagesByKindInOrderAndTheFailure() {
        String table = MigrationReportTable.render(sample("failed", "no RESUMED within 60000 ms"));
        assertThat(table.lines().map(line -> line.split(" ")[0]).toList()).contains("status", "error-desc", "mode",
                "total-time", "setup-time", "downtime", "transferred", "remaining", "mbps", "pages-by-kind",
                "resent-pages", "dirty-sync-count", "dirty-pages-rate", "postcopy-requests", "network-faults",
                "fault-latency", "progress-rate");
        assertThat(table)
                .contains("status             failed\n")
                .contains("error-desc         no RESUMED within 60000 ms\n")
                .contains("mode               precopy, stop policy downtime\n")
                .contains("downtime           12.75 ms (expected 10.00 ms)\n")
                .contains("pages-by-kind      precopy-round-0 131,072, precopy-round-1 2,000, precopy-round-10 12,"
                        + " stop-and-copy 40\n")
                .contains("resent-pages       2,052\n")
                .contains("fault-latency      p50 120.50 µs, p90 300.00 µs, p99 900.00 µs, max 2.10 ms\n")
                .contains("progress-rate      before 1.50 M, during 1.20 M, after - (units/s)\n")
                .contains("balloon            100,000 pages (390.6 MiB) at the switch-over; 100,020 page sends saved;"
                        + " 196 inflations, 3 deflations\n")
                .doesNotContain("oracle");
        assertThat(MigrationReportTable.render(sample("completed", null).withOracle("identical")))
                .contains("oracle             identical\n").doesNotContain("error-desc");
    }

    @Test
    void jsonReaderHandlesEveryValueKindAndRejectsMalformedText() {
        Object value = JsonReader.parse("{\"a\": [1, -2.5e1, true, false, null], \"s\": \"q\\\"\\\\\\n\\u00e9\\ud83d\\ude00\","
                + " \"big\": 123456789012345678901234567890, \"o\": {}}");
        assertThat(value).isEqualTo(new LinkedHashMap<>(Map.of(
                "a", java.util.Arrays.asList(1L, -25.0, true, false, null), "s", "q\"\\\né😀",
                "big", 1.2345678901234568E29, "o", Map.of())));
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "{\"a\": 1} x", "\"\u0001\"", "nul", "{\"a\":1,\"a\":2}",
            "[".repeat(100) + "]".repeat(100)}) {
            assertThatThrownBy(() -> JsonReader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("JSON: ");
        }
    }

    @Test
    void destinationJsonHasTheOutcomeFaultsAndRates() {
        DestinationReport report = new DestinationReport("59436343-a072-44ef-b30e-f6da658dcb26", "wss", 64L << 20, 1,
                Map.of("wss", "4M"), new GuestOutcome.Halted(0xdeadbeefL, 0), OptionalLong.of(0x1496b7a0250897dcL),
                "wss: start\nwss: done \"quoted\"\n", new FaultStats(126, 16_262, 126, 1506.303, 8921.087, 69664.767,
                71041.023), 123214.54, Double.NaN, new BalloonSummary("on", 9, 2, 1, 1, 12, 3, 9));
        Map<String, Object> json = JsonReader.parseObject(DestinationReportJson.render(report));
        assertThat(json).containsEntry("result", "0x00000000deadbeef").containsEntry("status", 0L)
                .containsEntry("outcome", "halted").containsEntry("memory-hash", "1496b7a0250897dc")
                .containsEntry("console", "wss: start\nwss: done \"quoted\"\n").containsEntry("network-faults", 126L)
                .containsEntry("minor-faults", 16_262L).containsEntry("progress-rate-during", 123214.5)
                .containsEntry("progress-rate-after", null)
                .containsEntry("balloon", new LinkedHashMap<>(Map.of("dsb", "on", "size-pages", 9L, "inflations", 2L,
                        "deflations", 1L, "pressure-deflations", 1L, "pages-returned", 12L, "pages-reclaimed", 3L,
                        "saved-pages", 9L)))
                .containsEntry("fault-latency-us", new LinkedHashMap<>(Map.of("p50", 1506.303, "p90", 8921.087,
                        "p99", 69664.767, "max", 71041.023)));
        DestinationReport failed = new DestinationReport("x", "", 0, 0, Map.of(),
                new GuestOutcome.Failed("the migration failed: bad CRC"), OptionalLong.empty(), "", FaultStats.NONE,
                Double.NaN, Double.NaN, BalloonSummary.NONE);
        assertThat(JsonReader.parseObject(DestinationReportJson.render(failed))).containsEntry("result", null)
                .containsEntry("memory-hash", null).containsEntry("error", "the migration failed: bad CRC");
    }

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
