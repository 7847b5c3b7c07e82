package org.migrationlab.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import org.migrationlab.migration.report.DowntimeBreakdown;
import org.migrationlab.migration.report.MigrationReport;

/**
 * What the durable mode costs (docs/FAULTS.md, docs/JOURNAL.md): the same post-copy migration of the same guest
 * run by {@code vmm demo} in fresh processes (a {@code vmm daemon} and a {@code vmm migrate}, as a user runs
 * them), without and with {@code --state-dir DIR}, which the demo hands to both: the daemon journals its
 * ownership of the guest in DIR, and the source journals it too, maps the guest's RAM from DIR/source.ram and
 * checkpoints the frozen state in DIR/source.state before the switch-over. Runs come in interleaved pairs, the
 * order alternating from pair to pair (plain first, then durable first), so that a machine that slows down
 * or warms up over the run weighs on both alike. Prints the medians of total time and downtime of each, the
 * ratio of the total times and the difference of the downtimes, against the target: durable costs at most
 * 10 % of the total time and 2 ms of downtime; then the same two figures taken pair by pair (their medians),
 * which a machine whose speed drifts over the run disturbs less.
 */
final class DurableBench {
    /** The target: durable over plain total time at most this. */
    static final double MAX_TOTAL_RATIO = 1.10;
    /** The target: durable minus plain downtime at most this, ms. */
    static final double MAX_DOWNTIME_DIFFERENCE_MS = 2.0;

    /** The guest and how many pairs: {@code args} are the demo's guest options. */
    record Scenario(String label, List<String> args, int pairs, boolean warmUp) {
    }

    /** The scenario: post-copy (bubble) of a 256 MiB wss guest touching 64 MiB sequentially. */
    static final Scenario FULL = new Scenario("postcopy 256M wss 64M", List.of("--memory", "256M", "--mode", "postcopy",
            "--prepage", "bubble", "--arg", "wss=64M", "--arg", "pattern=seq", "--arg", "passes=400"), 5, true);
    /**
     * A tiny guest, one pair and no warm-up migrations: seconds, for the smoke test. The migration starts as soon
     * as the guest runs, and the source holds it at 80 % of its 3,072,000 units until the migration is over: a
     * cold source's set-up once outlasted its whole run.
     */
    static final Scenario SMOKE = new Scenario("postcopy 32M wss 2M", List.of("--memory", "32M", "--mode", "postcopy",
            "--prepage", "bubble", "--arg", "wss=2M", "--arg", "pattern=seq", "--arg", "passes=6000",
            "--after-progress", "2000", "--hold-at", "2457600"), 1, false);

    private final List<String> vmm;
    private final Scenario scenario;
    private final List<String> json;

    /**
     * @param vmm      the command that runs {@code vmm} ({@code bin/vmm}, or a JVM with the CLI's class path)
     * @param scenario what to migrate, how often
     * @param json     where the figures' JSON lines go
     */
    DurableBench(List<String> vmm, Scenario scenario, List<String> json) {
        this.vmm = List.copyOf(vmm);
        this.scenario = scenario;
        this.json = json;
    }

    void run() throws IOException, InterruptedException {
        Path probe = Files.createTempDirectory("bench-durable");
        String store = Files.getFileStore(probe).type();
        Files.delete(probe);
        System.out.printf("== durable (--state-dir DIR on both ends, DIR on %s) vs not: %s, %d interleaved pairs of "
                + "vmm demo (fresh processes)%s; medians%n", store, scenario.label(), scenario.pairs(),
                scenario.warmUp() ? "" : ", no warm-up");
        List<MigrationReport> plain = new ArrayList<>();
        List<MigrationReport> durable = new ArrayList<>();
        for (int pair = 1; pair <= scenario.pairs(); pair++) {
            boolean durableFirst = pair % 2 == 0;
            for (boolean withStateDir : durableFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                MigrationReport report = demo(withStateDir);
                (withStateDir ? durable : plain).add(report);
                System.out.printf("  pair %d %-8s total %9.1f ms  downtime %7.2f ms  pages %7d%n", pair,
                        withStateDir ? "durable" : "plain", report.timing().totalMs(), report.timing().downtimeMs(),
                        report.transfer().pagesSent());
            }
        }
        double plainTotal = median(plain, true);
        double durableTotal = median(durable, true);
        double plainDowntime = median(plain, false);
        double durableDowntime = median(durable, false);
        double ratio = durableTotal / plainTotal;
        double difference = durableDowntime - plainDowntime;
        // Each pair's own comparison, then their median: a pair's two runs share the machine's state of the
        // moment, so a slow spell weighs on both of them instead of on one side's median.
        double[] pairDifferences = new double[plain.size()];
        double[] pairRatios = new double[plain.size()];
        for (int i = 0; i < plain.size(); i++) {
            pairDifferences[i] = durable.get(i).timing().downtimeMs() - plain.get(i).timing().downtimeMs();
            pairRatios[i] = durable.get(i).timing().totalMs() / plain.get(i).timing().totalMs();
        }
        double pairedDifference = Medians.of(pairDifferences);
        double pairedRatio = Medians.of(pairRatios);
        System.out.printf("  %-14s %12s %12s%n", "median", "plain", "durable");
        System.out.printf("  %-14s %9.1f ms %9.1f ms   ratio %.3f (target at most %.2f: %s)%n", "total time",
                plainTotal, durableTotal, ratio, MAX_TOTAL_RATIO, verdict(ratio <= MAX_TOTAL_RATIO));
        System.out.printf("  %-14s %9.2f ms %9.2f ms   difference %+.2f ms (target at most %.0f ms: %s)%n",
                "downtime", plainDowntime, durableDowntime, difference, MAX_DOWNTIME_DIFFERENCE_MS,
                verdict(difference <= MAX_DOWNTIME_DIFFERENCE_MS));
        System.out.printf("  %-14s %12s %12s   ratio %.3f (target at most %.2f: %s)%n", "paired total", "", "",
                pairedRatio, MAX_TOTAL_RATIO, verdict(pairedRatio <= MAX_TOTAL_RATIO));
        System.out.printf("  %-14s %12s %12s   difference %+.2f ms (target at most %.0f ms: %s); per pair %s ms%n",
                "paired downtime", "", "", pairedDifference, MAX_DOWNTIME_DIFFERENCE_MS,
                verdict(pairedDifference <= MAX_DOWNTIME_DIFFERENCE_MS), inOrder(pairDifferences));
        // Where the downtime goes (PROTOCOL's downtime breakdown, from the source's report).
        for (Stage stage : STAGES) {
            double p = Medians.of(plain.stream().mapToDouble(r -> stage.of().applyAsDouble(breakdown(r))).toArray());
            double d = Medians.of(durable.stream().mapToDouble(r -> stage.of().applyAsDouble(breakdown(r))).toArray());
            System.out.printf("  %-14s %9.2f ms %9.2f ms   difference %+.2f ms%n", "  " + stage.name(), p, d, d - p);
        }
        // The durable work itself, timed where it is done (part of send): the downtime's medians above also
        // carry the spread of fresh processes on shared cores, which is many times larger.
        double[] writes = durable.stream().mapToDouble(r -> breakdown(r).durableMs()).sorted().toArray();
        double durableWrites = Medians.of(writes);
        System.out.printf("  %-14s %9s    %9.2f ms   (the source's checkpoint and journal entry, part of send;"
                        + " per run %s ms; target at most %.0f ms: %s)%n", "durable writes", "-", durableWrites,
                inOrder(writes), MAX_DOWNTIME_DIFFERENCE_MS, verdict(durableWrites <= MAX_DOWNTIME_DIFFERENCE_MS));
        json.add(BenchJson.line(new MigrationFigures.DurableVsPlain("durable " + scenario.label(), scenario.pairs(),
                plainTotal, durableTotal, ratio, plainDowntime, durableDowntime, difference, pairedRatio,
                pairedDifference, durableWrites)));
    }

    /** A target's verdict, as the lines print it. */
    private static String verdict(boolean met) {
        return met ? "met" : "missed";
    }

    /** Per-run (or per-pair) figures, smallest first, to hundredths of a millisecond. */
    private static String inOrder(double[] values) {
        return Arrays.toString(Arrays.stream(values).sorted().map(v -> Math.round(v * 100) / 100.0).toArray());
    }

    /** One stage of the downtime breakdown. */
    private record Stage(String name, ToDoubleFunction<DowntimeBreakdown> of) {
    }

    private static final List<Stage> STAGES = List.of(new Stage("state-capture", DowntimeBreakdown::captureMs),
            new Stage("send", DowntimeBreakdown::sendMs), new Stage("network", DowntimeBreakdown::networkMs),
            new Stage("receive", DowntimeBreakdown::receiveMs), new Stage("restore", DowntimeBreakdown::restoreMs),
            new Stage("resume", DowntimeBreakdown::resumeMs));

    private static DowntimeBreakdown breakdown(MigrationReport report) {
        DowntimeBreakdown parts = report.timing().downtimeBreakdown();
        if (parts == null) {
            throw new IllegalStateException("a completed post-copy migration without a downtime breakdown");
        }
        return parts;
    }

    private static double median(List<MigrationReport> reports, boolean total) {
        return Medians.of(reports.stream()
                .mapToDouble(r -> total ? r.timing().totalMs() : r.timing().downtimeMs()).toArray());
    }

    /** One {@code vmm demo --json}, with a fresh state directory when durable; its output goes to a log. */
    private MigrationReport demo(boolean durable) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bench-durable");
        try {
            List<String> command = new ArrayList<>(vmm);
            command.add("demo");
            command.addAll(scenario.args());
            command.addAll(List.of("--timeout", "5m"));
            if (!scenario.warmUp()) {
                command.add("--no-warm-up");
            }
            if (durable) {
                command.addAll(List.of("--state-dir", Files.createDirectory(dir.resolve("state")).toString()));
            }
            MigrationReport read = DemoProcess.report(command, dir);
            if (!read.completed()) {
                throw new IllegalStateException("the migration did not complete: " + read.error());
            }
            return read;
        } finally {
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
