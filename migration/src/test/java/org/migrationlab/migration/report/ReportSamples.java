package org.migrationlab.migration.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.migrationlab.migration.progress.ProgressCounters;

/** Reports with every kind of value the JSON renderings must spell: the golden tests' inputs. */
final class ReportSamples {
    private ReportSamples() {
    }

    /** A completed pre-copy migration: fractions, whole doubles, a NaN rate, an unknown working set. */
    static MigrationReport precopyCompleted() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("precopy-round-0", 131_072L);
        byKind.put("precopy-round-1", 2_000L);
        byKind.put("precopy-round-10", 12L);
        byKind.put("stop-and-copy", 40L);
        byKind.put("push", 0L);
        byKind.put("prepage", 0L);
        byKind.put("demand", 0L);
        return new MigrationReport("completed", null,
                new MigrationReport.Scheme("precopy", "n/a", "auto-converge", "dirty rate below target", false),
                new MigrationReport.Timing(1234.5, 3.25, 12.75, 10.0,
                        new DowntimeBreakdown(0.05, 0.25, 2.5, 0.0, 1.0, 0.5, 8.0, 0.5)),
                new MigrationReport.Transfer(70_000_000L, 0, 512L << 20, 114_000, 17_124, 70_000_000L),
                new MigrationReport.Convergence(1234.5678, 453.6, 11, 40, 0, java.util.List.of(
                        new MigrationReport.PrecopyRound(0, 800.25, 131_072, 2_000, 655.36, 0, 1.5e6),
                        new MigrationReport.PrecopyRound(1, 12.5, 2_000, 12, 5_242.88, 20, Double.NaN))),
                new MigrationReport.Phases(0, 69_000_000L, 1_000_000L, 0),
                new MigrationReport.Pages(byKind, 2_052, 131_072),
                MigrationReport.Recovery.NONE,
                MigrationReport.Faults.of(new FaultStats(3, 100, 3, 120.5, 300, 900, 2100.25), -1,
                        FaultLatencyBreakdown.of(3, new FaultLatencyBreakdown.Nanos(9_500, 95_000, 20_000, 2_250, 13_750),
                                new FaultLatencyBreakdown.Nanos(30_000, 800_000, 900_000, 5_000, 65_000))),
                new MigrationReport.ProgressRates(1.5e6, 1.2e6, Double.NaN),
                new BalloonSummary("on", 100_000, 196, 3, 1, 100_250, 250, 100_020), "not-checked");
    }

    /**
     * A failed post-copy migration: an error with a quote and a newline, -1 for the unknown expected
     * downtime, a tiny and a huge double, no faults (a NaN ratio), a known working set, unknown rates.
     */
    static MigrationReport postcopyFailed() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("stop-and-copy", 0L);
        byKind.put("push", 12_000L);
        byKind.put("prepage", 3_000L);
        byKind.put("demand", 1_384L);
        return new MigrationReport("failed",
                "the destination closed the bulk connection (\"bulk\")\n(the guest keeps running on the source)",
                new MigrationReport.Scheme("postcopy", "bubble (forward)", "n/a", "postcopy", true),
                new MigrationReport.Timing(987.0, 1.0E-4, 0, -1),
                new MigrationReport.Transfer(67_456_789L, 4096, 64L << 20, 100, 16_284, 66_699_264L),
                new MigrationReport.Convergence(0, 1.2345678E7, 0, 0, 0, java.util.List.of()),
                new MigrationReport.Phases(1_400, 0, 2_048, 67_454_741L),
                new MigrationReport.Pages(byKind, 0, 16_384),
                MigrationReport.Recovery.NONE,
                MigrationReport.Faults.of(FaultStats.NONE, 16_384),
                MigrationReport.ProgressRates.UNKNOWN, BalloonSummary.NONE, "not-checked");
    }

    /** A run of the wss guest that ended as {@code outcome}, with counter 7 set and the balloon on. */
    static RunReport run(GuestOutcome outcome, OptionalLong instructions, String console) {
        Map<String, Long> exits = new LinkedHashMap<>();
        exits.put("page-fault", 3L);
        exits.put("halt", 1L);
        long[] counters = new long[16];
        counters[0] = 4096;
        counters[1] = 4;
        counters[7] = 11;
        Map<String, String> args = new LinkedHashMap<>();
        args.put("wss", "4M");
        args.put("pattern", "seq");
        return new RunReport("wss", "built-in kernel (kernel.elf)", 64L << 20, 1, args, outcome,
                0x0123456789abcdefL, 2_000_000_000L, exits, 3, ProgressCounters.of(counters), 4_096_000,
                instructions, new BalloonSummary("on", 1_500, 3, 1, 0, 1_600, 100, 1_500), console);
    }

    /** Every character class a console may hold: escapes, a DEL, a line separator, a lone surrogate, a pair. */
    static final String AWKWARD_CONSOLE = "tab\tquote\" backslash\\ bell\u0007 del\u007f ls\u2028 lone\ud800"
            + " pair\ud83d\ude00 caf\u00e9\r\n";

    /** A host failure: empty maps, a zero hash, a wall time that is no whole microsecond, an awkward console. */
    static RunReport failedRun() {
        return new RunReport("", "hello.elf", 8L << 20, 0, Map.of(),
                new GuestOutcome.Failed("the vCPU stopped before the guest ended"), 0, 1_234_567, new LinkedHashMap<>(),
                0, ProgressCounters.of(new long[16]), 0, OptionalLong.empty(), BalloonSummary.NONE, AWKWARD_CONSOLE);
    }

    /** A guest that ended at the destination, with faults and an unknown rate after the migration. */
    static DestinationReport destinationHalted() {
        return new DestinationReport("59436343-a072-44ef-b30e-f6da658dcb26", "wss", 64L << 20, 1,
                Map.of("wss", "4M"), new GuestOutcome.Halted(0xdeadbeefL, 0), OptionalLong.of(0x1496b7a0250897dcL),
                "wss: start\nwss: done \"quoted\"\n", new FaultStats(126, 16_262, 126, 1506.303, 8921.087, 69664.767,
                71041.023), 123214.54, Double.NaN, new BalloonSummary("on", 9, 2, 1, 1, 12, 3, 9));
    }

    /** A migration that failed before the guest arrived: no hash, no rates. */
    static DestinationReport destinationFailed() {
        return new DestinationReport("x", "", 0, 0, Map.of(), new GuestOutcome.Failed("the migration failed: bad CRC"),
                OptionalLong.empty(), "", FaultStats.NONE, Double.NaN, Double.NaN, BalloonSummary.NONE);
    }
}
