package org.migrationlab.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.DowntimeBreakdown;
import org.migrationlab.migration.report.FaultLatencyBreakdown;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * What users see beside what the engine can do: the demo's scenario (a 512 MiB wss guest touching 64 MiB
 * sequentially, post-copy with bubble prepaging from a quarter of its run) run by {@code bin/vmm demo} in
 * fresh processes (the demo starts a daemon and a source of its own), and the same scenario with both ends
 * in this JVM after a warm-up run. Medians of each figure over the runs, side by side, for an unlimited link
 * and for 1 Gbit/s. The processes' figures are read from the demo's own JSON report.
 */
final class ProcessesBench {
    private static final long RAM = 512L << 20;
    private static final long GIGABIT = 1_000_000_000L;
    static final MachineConfig DEMO_GUEST = MachineConfig.of(RAM, new BootArgs("wss",
            Map.of("wss", "64M", "pattern", "seq", "passes", "400"), 1));

    /** One figure of a report, and how it is named in the table and the JSON. */
    private record Figure(String name, String unit, ToDoubleFunction<MigrationReport> of) {
    }

    private static final List<Figure> FIGURES = List.of(
            new Figure("setup-time", "ms", r -> r.timing().setupMs()),
            new Figure("downtime", "ms", r -> r.timing().downtimeMs()),
            new Figure("fault-latency-p50", "us", r -> r.faults().latency().p50Micros()),
            new Figure("fault-latency-p99", "us", r -> r.faults().latency().p99Micros()),
            new Figure("total-time", "ms", r -> r.timing().totalMs()),
            new Figure("downtime: state-capture", "ms", r -> breakdown(r).captureMs()),
            new Figure("downtime: send", "ms", r -> breakdown(r).sendMs()),
            new Figure("downtime: network", "ms", r -> breakdown(r).networkMs()),
            new Figure("downtime: receive", "ms", r -> breakdown(r).receiveMs()),
            new Figure("downtime: restore", "ms", r -> breakdown(r).restoreMs()),
            new Figure("downtime: resume", "ms", r -> breakdown(r).resumeMs()),
            new Figure("fault p50: request", "us", r -> faultStages(r).request()),
            new Figure("fault p50: source", "us", r -> faultStages(r).source()),
            new Figure("fault p50: network", "us", r -> faultStages(r).network()),
            new Figure("fault p50: install", "us", r -> faultStages(r).install()),
            new Figure("fault p50: resume", "us", r -> faultStages(r).resume()));

    private final Path root;
    private final GuestImage kernel;
    private final int runs;
    private final List<String> json;

    ProcessesBench(Path root, GuestImage kernel, int runs, List<String> json) {
        this.root = root;
        this.kernel = kernel;
        this.runs = runs;
        this.json = json;
    }

    void run(long totalProgress) throws Exception {
        Path vmm = root.resolve("bin/vmm");
        if (!Files.isExecutable(vmm)) {
            throw new IllegalStateException("no executable " + vmm + " (set -Dmigrationlab.root to the project)");
        }
        System.out.printf("== the demo's scenario: %d runs of bin/vmm demo (fresh processes) beside %d runs in "
                + "this JVM (after one warm-up); medians%n", runs, runs);
        for (long bandwidth : new long[] {0, GIGABIT}) {
            String link = bandwidth == 0 ? "unlimited" : "1 Gbit/s";
            List<MigrationReport> processes = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                MigrationReport report = demo(vmm, bandwidth);
                progress("processes", link, run, report);
                processes.add(report);
            }
            TransportConfig transport = TransportConfig.of(LocalMigration.SECRET).withLink(bandwidth, 0);
            MigrationConfig migration = MigrationConfig.defaults(MigrationMode.POSTCOPY).withPrepage("bubble");
            LocalMigration.run(DEMO_GUEST, kernel, migration, transport, totalProgress / 4); // warm-up
            List<MigrationReport> oneJvm = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                MigrationReport report = LocalMigration.run(DEMO_GUEST, kernel, migration, transport,
                        totalProgress / 4).report();
                progress("one JVM", link, run, report);
                oneJvm.add(report);
            }
            table(link, oneJvm, processes);
        }
    }

    /** One {@code bin/vmm demo} in fresh processes. */
    private MigrationReport demo(Path vmm, long bandwidth) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bench-demo");
        List<String> command = new ArrayList<>(List.of(vmm.toString(), "demo"));
        if (bandwidth > 0) {
            command.addAll(List.of("--bandwidth", bandwidth + "bit"));
        }
        MigrationReport read = DemoProcess.report(command, dir);
        Files.delete(dir.resolve("demo.json"));
        Files.delete(dir.resolve("demo.log"));
        Files.delete(dir);
        return read;
    }

    private static void progress(String where, String link, int run, MigrationReport r) {
        System.out.printf("  %-9s %-9s run %d: setup %8.2f ms  downtime %8.2f ms  fault p50 %9.1f us  p99 %10.1f us%n",
                where, link, run, r.timing().setupMs(), r.timing().downtimeMs(), r.faults().latency().p50Micros(),
                r.faults().latency().p99Micros());
    }

    private void table(String link, List<MigrationReport> oneJvm, List<MigrationReport> processes) {
        System.out.printf("  %-26s %14s %14s %9s   (%s)%n", "figure", "one JVM", "processes", "ratio", link);
        for (Figure figure : FIGURES) {
            double inJvm = Medians.of(oneJvm.stream().mapToDouble(figure.of()).toArray());
            double apart = Medians.of(processes.stream().mapToDouble(figure.of()).toArray());
            System.out.printf("  %-26s %11.2f %-2s %11.2f %-2s %8.1fx%n", figure.name(), inJvm, figure.unit(), apart,
                    figure.unit(), apart / inJvm);
            json.add(BenchJson.line(new MigrationFigures.ProcessesVsOneJvm("processes " + link + " " + figure.name(),
                    figure.unit(), runs, inJvm, apart)));
        }
    }

    /** The sampled faults' median stages; NaN throughout when no fault was sampled. */
    private static FaultLatencyBreakdown.Stages faultStages(MigrationReport report) {
        FaultLatencyBreakdown parts = report.faults().breakdown();
        return parts != null ? parts.p50()
                : new FaultLatencyBreakdown.Stages(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private static DowntimeBreakdown breakdown(MigrationReport report) {
        DowntimeBreakdown parts = report.timing().downtimeBreakdown();
        if (parts == null) {
            throw new IllegalStateException("a completed post-copy migration without a downtime breakdown");
        }
        return parts;
    }
}
