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
 * The paper's bandwidth traces (its figures 9 and 10): the streaming guest's output rate, 100 ms by 100 ms,
 * across one post-copy and one pre-copy migration, with the migration's own traffic beside it. The dips
 * show what each scheme costs the application while it moves.
 */
public final class BandwidthTraceExperiment implements Experiment {
    public static final String NAME = "bandwidth-trace";
    static final long PERIOD_NANOS = 100_000_000;
    private static final double START_SHARE = 1.0 / 3;
    private static final List<MigrationMode> MODES = List.of(MigrationMode.POSTCOPY, MigrationMode.PRECOPY);

    /** What one migration's trace says. */
    private record Trace(MigrationReport report, List<ExperimentResult.Point> guest,
                         List<ExperimentResult.Point> link, double normalMbps, double lowestMbps, double meanMbps) {
    }

    /**
     * The stream guest: its ring of pages is an eighth of its RAM (half at the tiny scale), so that, like the paper's NetPerf with its
     * socket buffers in a busy guest, it holds data the migration must move (a ring of a few pages would leave
     * a guest of zero pages, gone in less than one sample), yet pre-copy converges on it (with half the RAM
     * rewritten over and over, a loaded machine's pre-copy outlasted the quick guest).
     */
    private static MachineConfig guest(EvalSettings settings, long seed) {
        long ramMiB = switch (settings.scale()) {
            case FULL -> 512;
            case QUICK -> 128;
            case TINY -> 32;
        };
        Map<String, String> args = new LinkedHashMap<>();
        args.put("bytes", switch (settings.scale()) {
            case FULL -> "2G";
            case QUICK -> "1G";
            case TINY -> "64M";
        });
        // The tiny guest's short run pre-copies a half-RAM ring in time; the longer scales' could not.
        args.put("ring", Long.toString(ramMiB / (settings.scale() == EvalSettings.Scale.TINY ? 2 : 8) * 256));
        args.put("dsb", "on");
        args.put("dsb-interval", "10ms");
        return MachineConfig.of(ramMiB << 20, new BootArgs("stream", args, seed));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int migrations(EvalSettings settings) {
        return MODES.size() * settings.runs();
    }

    @Override
    public ExperimentResult run(Runner runner) throws Exception {
        EvalSettings settings = runner.settings();
        Map<MigrationMode, List<Trace>> traces = new LinkedHashMap<>();
        for (MigrationMode mode : MODES) {
            List<Trace> runs = new ArrayList<>();
            for (int run = 0; run < settings.runs(); run++) {
                MachineConfig guest = guest(settings, settings.seed() + run);
                Map<String, String> parameters = new LinkedHashMap<>(guest.bootArgs().args());
                parameters.put("workload", "stream");
                parameters.put("memory", (guest.ramBytes() >> 20) + "M");
                parameters.put("mode", label(mode));
                parameters.put("sample-period", "100ms");
                MigrationReport report;
                TraceSampler sampler = new TraceSampler(PERIOD_NANOS);
                try (sampler) {
                    report = runner.migrate(NAME, label(mode), 0, run, guest, MigrationConfig.defaults(mode),
                            START_SHARE, false, parameters, sampler).report();
                }
                runs.add(trace(report, sampler));
            }
            traces.put(mode, runs);
        }
        return result(settings, traces);
    }

    /** Rates per period, on a time axis whose 0 is the migration's start; figures over the migration's span. */
    private static Trace trace(MigrationReport report, TraceSampler sampler) {
        List<TraceSampler.Sample> samples = sampler.samples();
        long origin = sampler.migratingAtNanos();
        double endSeconds = report.timing().totalMs() / 1000;
        List<ExperimentResult.Point> guest = new ArrayList<>();
        List<ExperimentResult.Point> link = new ArrayList<>();
        List<Double> before = new ArrayList<>();
        List<Double> during = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            TraceSampler.Sample a = samples.get(i - 1);
            TraceSampler.Sample b = samples.get(i);
            double seconds = (b.nanos() - a.nanos()) / 1e9;
            if (seconds <= 0) {
                continue;
            }
            double at = (b.nanos() - origin) / 1e9;
            // A progress unit of the stream is 1 KiB sent.
            double guestMbps = Math.max(0, b.guestUnits() - a.guestUnits()) * 1024 * 8 / seconds / 1e6;
            double linkMbps = Math.max(0, migrationBytes(b, origin, report) - migrationBytes(a, origin, report)) * 8
                    / seconds / 1e6;
            guest.add(new ExperimentResult.Point(at, guestMbps, guestMbps, guestMbps));
            link.add(new ExperimentResult.Point(at, linkMbps, linkMbps, linkMbps));
            if (at <= 0) {
                before.add(guestMbps);
            } else if (at - seconds < endSeconds) { // the sample overlaps the migration
                during.add(guestMbps);
            }
        }
        double normal = before.isEmpty() ? Double.NaN : Spread.of(before).median();
        double lowest = during.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double mean = during.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new Trace(report, guest, link, normal, lowest, mean);
    }

    /**
     * The migration's bytes so far at {@code sample}: what the sampler read while the connections were open,
     * the report's total once the migration was over (its closed connections read 0, so the bytes of its last
     * moments are known from the report alone).
     */
    private static long migrationBytes(TraceSampler.Sample sample, long origin, MigrationReport report) {
        boolean over = origin != 0 && (sample.nanos() - origin) / 1e6 >= report.timing().totalMs();
        return over ? report.transfer().transferredBytes() : sample.migrationBytes();
    }

    private static ExperimentResult result(EvalSettings settings, Map<MigrationMode, List<Trace>> traces) {
        List<String> header = List.of("scheme", "stream before (Mbit/s)", "paper", "lowest 100 ms during (Mbit/s)",
                "paper", "mean during (Mbit/s)", "paper", "migration (s)", "paper");
        List<List<String>> rows = new ArrayList<>();
        List<ExperimentResult.Figure> figures = new ArrayList<>();
        List<String> readings = new ArrayList<>();
        traces.forEach((mode, runs) -> {
            PaperFigures.BandwidthTrace paper = mode == MigrationMode.POSTCOPY ? PaperFigures.TRACE_POSTCOPY
                    : PaperFigures.TRACE_PRECOPY;
            Spread normal = Spread.of(runs, Trace::normalMbps);
            Spread lowest = Spread.of(runs, Trace::lowestMbps);
            Spread mean = Spread.of(runs, Trace::meanMbps);
            Spread seconds = Spread.of(runs, t -> t.report().timing().totalMs() / 1000);
            rows.add(List.of(label(mode), normal.format("%.0f"), PaperFigures.cell(paper.normalMbps(), "%.1f"),
                    lowest.format("%.0f"), PaperFigures.cell(paper.lowestMbps(), "%.1f"), mean.format("%.0f"),
                    paper.duringMbps(), seconds.format("%.2f"), PaperFigures.cell(paper.migrationSeconds(), "%.1f")));
            Trace first = runs.getFirst();
            figures.add(new ExperimentResult.Figure(NAME + "-" + label(mode), "The stream's rate across one "
                    + label(mode) + " migration (100 ms samples)", "seconds since the migration started", "Mbit/s",
                    false, false, List.of(new ExperimentResult.Series("guest's stream", first.guest()),
                    new ExperimentResult.Series("migration traffic", first.link()))));
            readings.add(String.format(Locale.ROOT, "%s: the stream ran at %.0f Mbit/s before the migration, fell to "
                    + "%.0f at its lowest and averaged %.0f while the migration lasted (%.2f s): %.0f %% of its rate "
                    + "(the paper: %s of %.0f).", label(mode), normal.median(), lowest.median(), mean.median(),
                    seconds.median(), mean.median() / normal.median() * 100, paper.duringMbps(), paper.normalMbps()));
        });
        ExperimentResult.Table table = new ExperimentResult.Table("The streaming guest's rate during a migration",
                header, rows);
        MachineConfig shape = guest(settings, settings.seed());
        String conditions = String.format(Locale.ROOT, "stream (%s) in a %d MiB guest with self-ballooning, "
                + "migrated from a third of its run on; the guest's stream rate and the migration's traffic sampled "
                + "every 100 ms; %d run(s) per scheme, seeds %d on, the figure drawn from the first; link %s. The "
                + "paper's NetPerf sent to another host over a 1 Gbit/s link; ours streams to the emulator's host "
                + "at what the emulated guest can produce.", Conditions.args(shape.bootArgs().args()),
                shape.ramBytes() >> 20, settings.runs(), settings.seed(), Conditions.link(settings));
        readings.add("Why figures differ: the paper's stream and the migration shared one 1 Gbit/s link, so the "
                + "migration's traffic took the stream's bandwidth; here the stream goes to the host, not over the "
                + "emulated link, and what slows it is the guest's pause, its faults on missing pages and the CPU "
                + "the migration takes from the emulator on a two-core machine.");
        return new ExperimentResult(NAME, "Bandwidth trace: the streaming guest across a migration", conditions,
                List.of(table), figures, readings);
    }

    private static String label(MigrationMode mode) {
        return mode.label();
    }
}
