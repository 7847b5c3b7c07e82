package org.migrationlab.vmm.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * The paper's stress test (its figures 4, 5 and 6): a guest that sweeps a working set sequentially, only
 * reading it or only writing it, migrated by pre-copy and post-copy, each with and without self-ballooning,
 * by stop-and-copy with self-ballooning (the paper's non-live baseline, writing), and by hybrid, which the paper describes without building it; total time, downtime and pages sent against
 * the working set's size.
 */
public final class StressExperiment implements Experiment {
    public static final String NAME = "stress";
    private static final double START_SHARE = 0.25;

    private static final List<Scheme> SCHEMES = List.of(
            // The non-live baseline: the guest paused while every page not ballooned is sent.
            new Scheme("Stop-and-copy DSB", MigrationMode.STOP_AND_COPY, true),
            new Scheme("Write pre-copy", MigrationMode.PRECOPY, false),
            new Scheme("Write pre-copy DSB", MigrationMode.PRECOPY, true),
            new Scheme("Read pre-copy", MigrationMode.PRECOPY, false),
            new Scheme("Read pre-copy DSB", MigrationMode.PRECOPY, true),
            new Scheme("Read post-copy", MigrationMode.POSTCOPY, false),
            new Scheme("Write post-copy", MigrationMode.POSTCOPY, false),
            new Scheme("Read post-copy DSB", MigrationMode.POSTCOPY, true),
            new Scheme("Write post-copy DSB", MigrationMode.POSTCOPY, true),
            // The paper describes hybrid (one live round, then post-copy) and does not build it: no paper figures.
            new Scheme("Read hybrid", MigrationMode.HYBRID, false),
            new Scheme("Write hybrid", MigrationMode.HYBRID, false));

    /** The sizes of one scale: guest RAM, working sets, and which of the paper's working sets each stands for. */
    record Sizes(long ramMiB, long[] workingSetMiB, int[] paperIndex, long accesses) {
        static Sizes of(EvalSettings settings) {
            return switch (settings.scale()) {
                case FULL -> new Sizes(1024, new long[] {8, 16, 32, 64, 128, 256, 512},
                        new int[] {0, 1, 2, 3, 4, 5, 6}, 120_000_000L);
                case QUICK -> new Sizes(32, new long[] {2, 4, 8}, new int[] {0, 1, 2}, 6_000_000L);
                // One working set: the tiny scale proves the pipeline (every experiment, table and figure), fast.
                case TINY -> new Sizes(16, new long[] {1}, new int[] {0}, 8_000_000L);
            };
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int migrations(EvalSettings settings) {
        return SCHEMES.size() * Sizes.of(settings).workingSetMiB().length * settings.runs();
    }

    @Override
    public ExperimentResult run(Runner runner) throws Exception {
        EvalSettings settings = runner.settings();
        Sizes sizes = Sizes.of(settings);
        Map<Scheme, List<List<MigrationReport>>> reports = new LinkedHashMap<>();
        for (Scheme scheme : SCHEMES) {
            List<List<MigrationReport>> bySize = new ArrayList<>();
            for (long ws : sizes.workingSetMiB()) {
                List<MigrationReport> runs = new ArrayList<>();
                for (int run = 0; run < settings.runs(); run++) {
                    MachineConfig guest = guest(sizes, ws, !scheme.label().startsWith("Read"), scheme.dsb(),
                            settings.seed() + run);
                    MigrationConfig migration = MigrationConfig.defaults(scheme.mode());
                    Map<String, String> parameters = new LinkedHashMap<>(guest.bootArgs().args());
                    parameters.put("memory", sizes.ramMiB() + "M");
                    parameters.put("mode", scheme.mode().label());
                    runs.add(runner.migrate(NAME, scheme.label(), ws, run, guest, migration, START_SHARE,
                            !scheme.dsb(), parameters).report());
                }
                bySize.add(runs);
            }
            reports.put(scheme, bySize);
        }
        return result(settings, sizes, reports);
    }

    /** The stress guest: a sequential sweep of the working set, long enough to outlast its migration. */
    static MachineConfig guest(Sizes sizes, long workingSetMiB, boolean write, boolean dsb, long seed) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("wss", workingSetMiB + "M");
        args.put("pattern", "seq");
        args.put("write-ratio", write ? "1" : "0");
        args.put("passes", Long.toString(Math.max(4, sizes.accesses() / (workingSetMiB * 256))));
        if (dsb) {
            args.put("dsb", "on");
            args.put("dsb-interval", "10ms");
        }
        return MachineConfig.of(sizes.ramMiB() << 20, new BootArgs("wss", args, seed));
    }

    private static ExperimentResult result(EvalSettings settings, Sizes sizes,
                                           Map<Scheme, List<List<MigrationReport>>> reports) {
        List<ExperimentResult.Table> tables = new ArrayList<>();
        List<ExperimentResult.Figure> figures = new ArrayList<>();
        Metric[] metrics = {
            new Metric("total", "Total migration time (s)", "%.2f", r -> r.timing().totalMs() / 1000,
                    PaperFigures.TOTAL_SECONDS, false),
            new Metric("downtime", "Downtime (ms)", "%.1f", r -> r.timing().downtimeMs(), PaperFigures.DOWNTIME_MS,
                    true),
            new Metric("pages", "Pages transferred (thousands of 4 KiB pages)", "%.2f",
                    r -> r.pages().byKind().values().stream().mapToLong(Long::longValue).sum() / 1000.0,
                    PaperFigures.PAGES_K, false)};
        for (Metric metric : metrics) {
            List<String> header = new ArrayList<>(List.of("configuration"));
            for (int i = 0; i < sizes.workingSetMiB().length; i++) {
                header.add(sizes.workingSetMiB()[i] + " MB: ours");
                header.add("paper @ " + (long) PaperFigures.WORKING_SET_MB[sizes.paperIndex()[i]] + " MB");
            }
            List<List<String>> rows = new ArrayList<>();
            List<ExperimentResult.Series> series = new ArrayList<>();
            reports.forEach((scheme, bySize) -> {
                List<String> row = new ArrayList<>(List.of(scheme.label()));
                List<ExperimentResult.Point> points = new ArrayList<>();
                for (int i = 0; i < bySize.size(); i++) {
                    Spread spread = Spread.of(bySize.get(i), metric.value());
                    row.add(spread.format(metric.pattern()));
                    double[] paperCurve = metric.paper().get(scheme.label());
                    double paper = paperCurve == null ? Double.NaN : paperCurve[sizes.paperIndex()[i]];
                    row.add(PaperFigures.cell(paper, "%.1f"));
                    points.add(spread.at(sizes.workingSetMiB()[i]));
                }
                rows.add(row);
                series.add(new ExperimentResult.Series(scheme.label(), points));
            });
            tables.add(new ExperimentResult.Table(metric.title(), header, rows));
            figures.add(new ExperimentResult.Figure("stress-" + metric.file(), metric.title() + " vs working set",
                    "working set (MB)", metric.title(), true, metric.logY(), series));
        }
        String conditions = String.format(Locale.ROOT, "A %d MiB guest (the paper's: 2048 MB) sweeping working "
                + "sets of %s MB sequentially, reading or writing, from a quarter of its work on; %d run(s) per "
                + "point, seeds %d on; link %s. Each working set stands for the paper's in the column beside it.",
                sizes.ramMiB(), Conditions.joined(sizes.workingSetMiB()), settings.runs(), settings.seed(),
                Conditions.link(settings));
        List<String> readings = new ArrayList<>();
        for (ExperimentResult.Table table : tables) {
            Ratios.describe(table).ifPresent(readings::add);
        }
        readings.add("Why figures differ: the guest is " + (2048 / sizes.ramMiB()) + "x smaller than the paper's, "
                + "so what scales with the guest (free pages sent without self-ballooning, totals) is smaller; the "
                + "emulated guest dirties memory far slower than the paper's hardware guest, so write pre-copy "
                + "has less to resend; and the paper's post-copy downtime included pseudo-paging the guest's memory "
                + "out at the switch-over, which this engine does not do (only CPU and device state move while the "
                + "guest is paused).");
        return new ExperimentResult(NAME, "Stress test: total time, downtime and pages against the working set",
                conditions, tables, figures, readings);
    }

    private record Metric(String file, String title, String pattern, ToDoubleFunction<MigrationReport> value,
                          Map<String, double[]> paper, boolean logY) {
    }
}
