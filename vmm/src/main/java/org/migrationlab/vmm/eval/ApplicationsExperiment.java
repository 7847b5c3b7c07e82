package org.migrationlab.vmm.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.MigrationConfig;

/**
 * The paper's applications (its figures 12 to 15), each migrated by post-copy and by pre-copy with
 * self-ballooning on: pages sent, the post-copy fault split, total time and downtime. Our workloads stand in
 * for the paper's: kvstore, a key-value service the host sends requests to, for SPECweb2005; kcompile, a
 * build-like allocator churn, for the kernel compile; stream, a guest that streams bytes out, for NetPerf.
 */
public final class ApplicationsExperiment implements Experiment {
    public static final String NAME = "applications";
    private static final double START_SHARE = 0.25;
    private static final List<MigrationMode> MODES = List.of(MigrationMode.POSTCOPY, MigrationMode.PRECOPY);

    /** One application: its guest at each scale, and the paper's figures for the application it stands for. */
    private record App(String name, String workload, Map<EvalSettings.Scale, Map<String, String>> args,
                       PaperFigures.Application paper) {
    }

    private static final List<App> APPS = List.of(
            new App("kvstore", "kvstore", Map.of(
                    EvalSettings.Scale.FULL, Map.of("requests", "200000", "keys", "16384", "value-max", "2048"),
                    EvalSettings.Scale.QUICK, Map.of("requests", "80000", "keys", "4096", "value-max", "2048"),
                    EvalSettings.Scale.TINY, Map.of("requests", "40000", "keys", "2048", "value-max", "1024")),
                    PaperFigures.SPECWEB),
            new App("kcompile", "kcompile", Map.of(
                    EvalSettings.Scale.FULL, Map.of("objects", "16384", "ops", "1500000"),
                    EvalSettings.Scale.QUICK, Map.of("objects", "4096", "ops", "120000"),
                    EvalSettings.Scale.TINY, Map.of("objects", "2048", "ops", "60000")),
                    PaperFigures.KERNEL_COMPILE),
            new App("stream", "stream", Map.of(
                    EvalSettings.Scale.FULL, Map.of("bytes", "256M"),
                    EvalSettings.Scale.QUICK, Map.of("bytes", "40M"),
                    EvalSettings.Scale.TINY, Map.of("bytes", "16M")),
                    PaperFigures.NETPERF));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int migrations(EvalSettings settings) {
        return APPS.size() * MODES.size() * settings.runs();
    }

    @Override
    public ExperimentResult run(Runner runner) throws Exception {
        EvalSettings settings = runner.settings();
        Map<App, Map<MigrationMode, List<MigrationReport>>> reports = new LinkedHashMap<>();
        for (App app : APPS) {
            Map<MigrationMode, List<MigrationReport>> byMode = new LinkedHashMap<>();
            for (MigrationMode mode : MODES) {
                List<MigrationReport> runs = new ArrayList<>();
                for (int run = 0; run < settings.runs(); run++) {
                    Map<String, String> args = new LinkedHashMap<>(app.args().get(settings.scale()));
                    args.put("dsb", "on");
                    args.put("dsb-interval", "10ms");
                    MachineConfig guest = MachineConfig.of(settings.applicationRamMiB() << 20,
                            new BootArgs(app.workload(), args, settings.seed() + run));
                    Map<String, String> parameters = new LinkedHashMap<>(args);
                    parameters.put("workload", app.workload());
                    parameters.put("memory", settings.applicationRamMiB() + "M");
                    parameters.put("mode", mode.label());
                    runs.add(runner.migrate(NAME, app.name() + " " + mode.label(), 0, run,
                            guest, MigrationConfig.defaults(mode), START_SHARE, false, parameters).report());
                }
                byMode.put(mode, runs);
            }
            reports.put(app, byMode);
        }
        return result(settings, reports);
    }

    private static ExperimentResult result(EvalSettings settings,
                                           Map<App, Map<MigrationMode, List<MigrationReport>>> reports) {
        List<String> header = List.of("application (stands for)", "pages post (k)", "paper", "pages pre (k)", "paper",
                "network faults %", "paper", "faults net / minor", "paper", "total post (s)", "paper",
                "total pre (s)", "paper", "downtime post (ms)", "paper", "downtime pre (ms)", "paper");
        List<List<String>> rows = new ArrayList<>();
        List<String> categories = new ArrayList<>();
        Map<String, List<ExperimentResult.Point>> pageBars = new LinkedHashMap<>();
        reports.forEach((app, byMode) -> {
            List<MigrationReport> post = byMode.get(MigrationMode.POSTCOPY);
            List<MigrationReport> pre = byMode.get(MigrationMode.PRECOPY);
            PaperFigures.Application paper = app.paper();
            Spread pagesPost = Spread.of(post, ApplicationsExperiment::pagesK);
            Spread pagesPre = Spread.of(pre, ApplicationsExperiment::pagesK);
            Spread network = Spread.of(post, ApplicationsExperiment::networkPercent);
            Spread net = Spread.of(post, r -> r.faults().network().count());
            Spread minor = Spread.of(post, r -> r.faults().network().minor());
            rows.add(List.of(app.name() + " (" + paper.paperName() + ")",
                    pagesPost.format("%.2f"), number(paper.pagesPostK()), pagesPre.format("%.2f"),
                    number(paper.pagesPreK()), network.format("%.1f"), number(paper.networkPercent()),
                    String.format(Locale.ROOT, "%.0f / %.0f", net.median(), minor.median()),
                    String.format(Locale.ROOT, "%.0f / %.0f", paper.networkFaults(), paper.minorFaults()),
                    Spread.of(post, r -> r.timing().totalMs() / 1000).format("%.2f"), number(paper.totalPostSeconds()),
                    Spread.of(pre, r -> r.timing().totalMs() / 1000).format("%.2f"), number(paper.totalPreSeconds()),
                    Spread.of(post, r -> r.timing().downtimeMs()).format("%.1f"), number(paper.downtimePostMs()),
                    Spread.of(pre, r -> r.timing().downtimeMs()).format("%.1f"), number(paper.downtimePreMs())));
            int index = categories.size();
            categories.add(app.name());
            pageBars.computeIfAbsent("post-copy", k -> new ArrayList<>()).add(pagesPost.at(index));
            pageBars.computeIfAbsent("pre-copy", k -> new ArrayList<>()).add(pagesPre.at(index));
            pageBars.computeIfAbsent("paper: post-copy", k -> new ArrayList<>())
                    .add(new ExperimentResult.Point(index, paper.pagesPostK(), paper.pagesPostK(), paper.pagesPostK()));
            pageBars.computeIfAbsent("paper: pre-copy", k -> new ArrayList<>())
                    .add(new ExperimentResult.Point(index, paper.pagesPreK(), paper.pagesPreK(), paper.pagesPreK()));
        });
        ExperimentResult.Table table = new ExperimentResult.Table("Applications, post-copy vs pre-copy (DSB on)",
                header, rows);
        List<ExperimentResult.Series> series = new ArrayList<>();
        pageBars.forEach((name, points) -> series.add(new ExperimentResult.Series(name, points)));
        ExperimentResult.Figure figure = new ExperimentResult.Figure("applications-pages",
                "Pages transferred per application (thousands)", "application", "pages (thousands)", false, true,
                series, categories);
        String conditions = String.format(Locale.ROOT, "A %d MiB guest (the paper's: 512 MB) with self-ballooning, "
                + "migrated at a quarter of its work by post-copy (bubbling) and by pre-copy; %d run(s) each; "
                + "link %s.", settings.applicationRamMiB(), settings.runs(), Conditions.link(settings));
        List<String> readings = new ArrayList<>();
        Ratios.describe(table).ifPresent(readings::add);
        readings.add("Our applications are stand-ins, smaller than the paper's and run in an emulator: the "
                + "ratios between post-copy and pre-copy are what to compare, not the absolute figures.");
        return new ExperimentResult(NAME, "Applications: pages, faults, total time and downtime, post vs pre",
                conditions, List.of(table), List.of(figure), readings);
    }

    private static double pagesK(MigrationReport report) {
        return report.pages().byKind().values().stream().mapToLong(Long::longValue).sum() / 1000.0;
    }

    private static double networkPercent(MigrationReport report) {
        long network = report.faults().network().count();
        long minor = report.faults().network().minor();
        return network + minor == 0 ? 0 : 100.0 * network / (network + minor);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.1f", value);
    }
}
