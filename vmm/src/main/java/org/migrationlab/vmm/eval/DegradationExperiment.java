package org.migrationlab.vmm.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.engine.BackToBackMigration;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * The paper's degradation test (its figures 7 and 8): the kernel compile and NetPerf migrated back and
 * forth, with a pause between migrations, until they end; their completion time against a run that never
 * moved, for post-copy, pre-copy with self-ballooning and pre-copy without.
 *
 * <p>The paper paused 5 s between migrations of a 168 s compile and a 119 s NetPerf run. Our guests run for
 * seconds, so the pause is the same share of the run as the paper's (5 s of the compile's 168 s), measured
 * on the unmigrated run.
 */
public final class DegradationExperiment implements Experiment {
    public static final String NAME = "degradation";
    private static final double PAUSE_SHARE = 5.0 / 168;
    private static final double FIRST_SHARE = 0.05;
    /** No migration starts in the last tenth of the run: one that raced the guest's end would move nothing. */
    private static final double LAST_SHARE = 0.9;
    static final String NO_MIGRATION = "no migration";

    /** A scheme as the paper's figures name it. */
    private record Scheme(String label, MigrationMode mode, boolean dsb) {
    }

    private static final List<Scheme> SCHEMES = List.of(new Scheme("post-copy", MigrationMode.POSTCOPY, true),
            new Scheme("pre-copy DSB", MigrationMode.PRECOPY, true),
            new Scheme("pre-copy w/o DSB", MigrationMode.PRECOPY, false));

    /** A workload and the paper's application it stands for. */
    private record App(String name, String workload, Map<EvalSettings.Scale, Map<String, String>> args,
                       PaperFigures.Degradation paper) {
    }

    private static final List<App> APPS = List.of(
            new App("kcompile", "kcompile", Map.of(
                    EvalSettings.Scale.FULL, Map.of("objects", "16384", "ops", "3000000"),
                    EvalSettings.Scale.QUICK, Map.of("objects", "4096", "ops", "300000"),
                    EvalSettings.Scale.TINY, Map.of("objects", "2048", "ops", "50000")),
                    PaperFigures.DEGRADATION_KERNEL_COMPILE),
            new App("stream", "stream", Map.of(
                    EvalSettings.Scale.FULL, Map.of("bytes", "1G"),
                    EvalSettings.Scale.QUICK, Map.of("bytes", "96M"),
                    EvalSettings.Scale.TINY, Map.of("bytes", "16M")),
                    PaperFigures.DEGRADATION_NETPERF));

    /** Guest sizes and which of the paper's (128, 256, 512, 1024 MB) each stands for. */
    private record Sizes(long[] ramMiB, int[] paperIndex) {
        static Sizes of(EvalSettings settings) {
            return switch (settings.scale()) {
                case FULL -> new Sizes(new long[] {128, 256, 512, 1024}, new int[] {0, 1, 2, 3});
                case QUICK, TINY -> new Sizes(new long[] {settings.applicationRamMiB()}, new int[] {0});
            };
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int migrations(EvalSettings settings) {
        return APPS.size() * Sizes.of(settings).ramMiB().length * (SCHEMES.size() + 1) * settings.runs();
    }

    private static MachineConfig guest(App app, EvalSettings settings, long ramMiB, boolean dsb, long seed) {
        Map<String, String> args = new LinkedHashMap<>(app.args().get(settings.scale()));
        if (dsb) {
            args.put("dsb", "on");
            args.put("dsb-interval", "10ms");
        }
        return MachineConfig.of(ramMiB << 20, new BootArgs(app.workload(), args, seed));
    }

    @Override
    public ExperimentResult run(Runner runner) throws Exception {
        EvalSettings settings = runner.settings();
        Sizes sizes = Sizes.of(settings);
        List<ExperimentResult.Table> tables = new ArrayList<>();
        List<ExperimentResult.Figure> figures = new ArrayList<>();
        List<String> readings = new ArrayList<>();
        for (App app : APPS) {
            List<List<String>> rows = new ArrayList<>();
            Map<String, List<ExperimentResult.Point>> bars = new LinkedHashMap<>();
            List<String> categories = new ArrayList<>();
            for (int i = 0; i < sizes.ramMiB().length; i++) {
                long ram = sizes.ramMiB()[i];
                int paperIndex = sizes.paperIndex()[i];
                categories.add(ram + " MiB (paper " + PaperFigures.DEGRADATION_GUEST_MB[paperIndex] + " MB)");
                List<Double> base = new ArrayList<>();
                Map<Scheme, List<Double>> times = new LinkedHashMap<>();
                Map<Scheme, List<Double>> moves = new LinkedHashMap<>();
                for (int run = 0; run < settings.runs(); run++) {
                    long seed = settings.seed() + run;
                    MachineConfig plain = guest(app, settings, ram, false, seed);
                    Map<String, String> parameters = parameters(app, ram, plain);
                    double unmigrated = runner.timedRun(NAME, app.name() + " " + NO_MIGRATION, ram, run, plain, plain,
                            parameters).wallTimeNanos() / 1e9;
                    base.add(unmigrated);
                    long pauseMillis = Math.max(1, Math.round(unmigrated * PAUSE_SHARE * 1000));
                    for (Scheme scheme : SCHEMES) {
                        MachineConfig config = guest(app, settings, ram, scheme.dsb(), seed);
                        Map<String, String> p = parameters(app, ram, config);
                        p.put("mode", scheme.mode().label());
                        p.put("pause", pauseMillis + "ms");
                        BackToBackMigration.Outcome outcome = runner.backAndForth(NAME, app.name() + " "
                                        + scheme.label(), ram, run, config, MigrationConfig.defaults(scheme.mode()),
                                FIRST_SHARE, LAST_SHARE, pauseMillis, !scheme.dsb(), p);
                        times.computeIfAbsent(scheme, s -> new ArrayList<>()).add(outcome.wallNanos() / 1e9);
                        moves.computeIfAbsent(scheme, s -> new ArrayList<>())
                                .add((double) outcome.migrations().size());
                    }
                }
                Spread baseSpread = Spread.of(base);
                List<String> row = new ArrayList<>(List.of(ram + " MiB", baseSpread.format("%.2f"),
                        String.format(Locale.ROOT, "%.0f", app.paper().noMigrationSeconds())));
                bars.computeIfAbsent(NO_MIGRATION, k -> new ArrayList<>()).add(new ExperimentResult.Point(i,
                        100, 100, 100));
                for (Scheme scheme : SCHEMES) {
                    Spread t = Spread.of(times.get(scheme));
                    Spread m = Spread.of(moves.get(scheme));
                    double paperSeconds = app.paper().seconds(scheme.label())[paperIndex];
                    row.add(String.format(Locale.ROOT, "%s (%+.0f %%), %s moves", t.format("%.2f"),
                            (t.median() / baseSpread.median() - 1) * 100, m.format("%.0f")));
                    row.add(String.format(Locale.ROOT, "%.0f (%+.0f %%)", paperSeconds,
                            (paperSeconds / app.paper().noMigrationSeconds() - 1) * 100));
                    double share = t.median() / baseSpread.median() * 100;
                    bars.computeIfAbsent(scheme.label(), k -> new ArrayList<>()).add(new ExperimentResult.Point(i,
                            share, t.min() / baseSpread.median() * 100, t.max() / baseSpread.median() * 100));
                }
                rows.add(row);
                StringBuilder perMigration = new StringBuilder();
                for (Scheme scheme : SCHEMES) {
                    double added = Spread.of(times.get(scheme)).median() - baseSpread.median();
                    double count = Spread.of(moves.get(scheme)).median();
                    perMigration.append(perMigration.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                            "%s %.0f ms over %.0f", scheme.label(), count == 0 ? 0 : added / count * 1000, count));
                }
                readings.add(app.name() + " in " + ram + " MiB, time added per migration: " + perMigration + ".");
            }
            List<String> header = new ArrayList<>(List.of("guest", "no migration (s)", "paper"));
            for (Scheme scheme : SCHEMES) {
                header.add(scheme.label() + " (s)");
                header.add("paper");
            }
            tables.add(new ExperimentResult.Table(app.name() + " (" + app.paper().paperName()
                    + "): completion time, migrated back and forth", header, rows));
            List<ExperimentResult.Series> series = new ArrayList<>();
            bars.forEach((name, points) -> series.add(new ExperimentResult.Series(name, points)));
            figures.add(new ExperimentResult.Figure(NAME + "-" + app.name(), app.name() + " migrated back and forth: "
                    + "completion time", "guest", "% of the time without migration", false, false, series,
                    categories));
        }
        readings.add("Each migration of our guests takes a larger share of their run than the paper's did of its "
                + "minutes-long runs (the emulated guest runs far slower than hardware, the link is as fast), and "
                + "the migrations share two cores with the guest; so the added time per migration, not the total, "
                + "is what compares with the paper.");
        String conditions = String.format(Locale.ROOT, "kcompile (%s) and stream (%s), each in guests of %s MiB, "
                        + "migrated back and forth from %.0f %% of the run on, pausing %.1f %% of the unmigrated run "
                        + "between migrations (the paper: 5 s of 168 s), no migration started after %.0f %% of it; "
                        + "%d run(s) per point, seeds %d on; link %s.", Conditions.args(APPS.get(0).args().get(settings.scale())),
                Conditions.args(APPS.get(1).args().get(settings.scale())), Conditions.joined(sizes.ramMiB()),
                FIRST_SHARE * 100, PAUSE_SHARE * 100, LAST_SHARE * 100, settings.runs(), settings.seed(),
                Conditions.link(settings));
        return new ExperimentResult(NAME, "Degradation: back-to-back migrations against no migration", conditions,
                tables, figures, readings);
    }

    private static Map<String, String> parameters(App app, long ram, MachineConfig config) {
        Map<String, String> parameters = new LinkedHashMap<>(config.bootArgs().args());
        parameters.put("workload", app.workload());
        parameters.put("memory", ram + "M");
        return parameters;
    }
}
