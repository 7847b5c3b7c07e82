package org.migrationlab.vmm.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.report.RunReport;

/**
 * The paper's self-ballooning overhead (its figure 11): how much slower the kernel compile runs with the
 * balloon driver waking every interval, against the same guest without self-ballooning. No migration: each
 * point is a timed run of the guest alone.
 *
 * <p>The paper's compile ran 439 s and its driver's intervals spanned 10 ms to 10 s, so a wake-up came every
 * 1/44,000 to 1/44 of the run. Ours runs well under a second of virtual time, so each interval here is the
 * paper's at the same share of the run (the driver wakes as many times per run as the paper's did), which
 * the table shows beside the paper's interval.
 */
public final class DsbIntervalExperiment implements Experiment {
    public static final String NAME = "dsb-interval";
    static final String BASELINE = "without self-ballooning";
    static final String WITH_DSB = "with self-ballooning";
    private static final double PAPER_RUN_SECONDS = 439;

    /** The paper's intervals, in jiffies of 10 ms, that each scale sweeps. */
    private static long[] paperJiffies(EvalSettings settings) {
        return switch (settings.scale()) {
            case FULL -> new long[] {20, 40, 100, 200, 400, 600, 900};
            case QUICK -> new long[] {20, 100, 400, 900};
            case TINY -> new long[] {100, 900};
        };
    }

    private static MachineConfig guest(EvalSettings settings, boolean dsb, long intervalNanos, long seed) {
        Map<String, String> args = new LinkedHashMap<>(switch (settings.scale()) {
            case FULL -> Map.of("objects", "16384", "ops", "1500000");
            case QUICK -> Map.of("objects", "4096", "ops", "120000");
            case TINY -> Map.of("objects", "2048", "ops", "60000");
        });
        if (dsb) {
            args.put("dsb", "on");
            args.put("dsb-interval", intervalNanos + "ns");
        }
        return MachineConfig.of(settings.applicationRamMiB() << 20, new BootArgs("kcompile", args, seed));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int migrations(EvalSettings settings) {
        return (paperJiffies(settings).length + 1) * settings.runs();
    }

    @Override
    public ExperimentResult run(Runner runner) throws Exception {
        EvalSettings settings = runner.settings();
        long[] jiffies = paperJiffies(settings);
        // The guest's virtual run length, the same for every seed's run of this workload (its clock moves
        // with its progress): the scale for each interval.
        long runNanos = runner.reference(guest(settings, false, 0, settings.seed())).virtualTimeNanos();
        long[] intervals = new long[jiffies.length];
        for (int i = 0; i < jiffies.length; i++) {
            intervals[i] = Math.max(1_000, Math.round(runNanos * (jiffies[i] * 0.010 / PAPER_RUN_SECONDS)));
        }
        List<List<Double>> slowdowns = new ArrayList<>();
        List<List<Long>> balloonCalls = new ArrayList<>();
        for (int i = 0; i < jiffies.length; i++) {
            slowdowns.add(new ArrayList<>());
            balloonCalls.add(new ArrayList<>());
        }
        for (int run = 0; run < settings.runs(); run++) {
            long seed = settings.seed() + run;
            MachineConfig baseline = guest(settings, false, 0, seed);
            double base = timed(runner, BASELINE, 0, run, baseline, baseline, 0).wallTimeNanos();
            for (int i = 0; i < jiffies.length; i++) {
                RunReport r = timed(runner, WITH_DSB, jiffies[i] * 10, run, guest(settings, true, intervals[i], seed),
                        baseline, intervals[i]);
                slowdowns.get(i).add((r.wallTimeNanos() - base) / base * 100);
                balloonCalls.get(i).add(r.exits().getOrDefault("hypercall-balloon", 0L));
            }
        }
        return result(settings, runNanos, jiffies, intervals, slowdowns, balloonCalls);
    }

    private static RunReport timed(Runner runner, String series, double paperMs, int run, MachineConfig config,
                                   MachineConfig baseline, long intervalNanos) throws InterruptedException {
        Map<String, String> parameters = new LinkedHashMap<>(config.bootArgs().args());
        parameters.put("workload", config.bootArgs().workload());
        parameters.put("memory", (config.ramBytes() >> 20) + "M");
        if (intervalNanos > 0) {
            parameters.put("paper-interval", Runner.formatX(paperMs) + "ms");
        }
        return runner.timedRun(NAME, series, paperMs, run, config, baseline, parameters);
    }

    private static ExperimentResult result(EvalSettings settings, long runNanos, long[] jiffies, long[] intervals,
                                           List<List<Double>> slowdowns, List<List<Long>> balloonCalls) {
        List<String> header = List.of("paper's interval", "ours (same share of the run)", "balloon calls per run",
                "slowdown, ours (%)", "paper, 128 MB guest (%)", "paper, 512 MB guest (%)");
        List<List<String>> rows = new ArrayList<>();
        List<ExperimentResult.Point> ours = new ArrayList<>();
        List<ExperimentResult.Point> paper128 = new ArrayList<>();
        List<ExperimentResult.Point> paper512 = new ArrayList<>();
        for (int i = 0; i < jiffies.length; i++) {
            Spread slowdown = Spread.of(slowdowns.get(i));
            Spread calls = Spread.of(balloonCalls.get(i), Long::doubleValue);
            double p128 = PaperFigures.DSB_SLOWDOWN_SECONDS_128MB.get(jiffies[i]) / PAPER_RUN_SECONDS * 100;
            double p512 = PaperFigures.DSB_SLOWDOWN_SECONDS_512MB.get(jiffies[i]) / PAPER_RUN_SECONDS * 100;
            rows.add(List.of(jiffies[i] * 10 + " ms", micros(intervals[i]), calls.format("%.0f"),
                    slowdown.format("%.1f"), String.format(Locale.ROOT, "%.1f", p128),
                    String.format(Locale.ROOT, "%.1f", p512)));
            double x = jiffies[i] * 10;
            ours.add(slowdown.at(x));
            paper128.add(new ExperimentResult.Point(x, p128, p128, p128));
            paper512.add(new ExperimentResult.Point(x, p512, p512, p512));
        }
        ExperimentResult.Table table = new ExperimentResult.Table("Slowdown of the kernel compile against the "
                + "self-ballooning interval", header, rows);
        ExperimentResult.Figure figure = new ExperimentResult.Figure(NAME, "Slowdown vs self-ballooning interval",
                "the paper's interval (ms; ours is the same share of the run)", "slowdown (% of the run without it)",
                true, false, List.of(new ExperimentResult.Series("ours (kcompile)", ours),
                        new ExperimentResult.Series("paper, 128 MB guest", paper128),
                        new ExperimentResult.Series("paper, 512 MB guest", paper512)));
        MachineConfig shape = guest(settings, false, 0, settings.seed());
        String conditions = String.format(Locale.ROOT, "kcompile (%s) in a %d MiB guest, run without migrating it: "
                + "%.1f ms of virtual time (the paper's compile: %.0f s). Each interval is the paper's at the same "
                + "share of the run; slowdown = wall time with self-ballooning against the same seed's run "
                + "without, %d run(s) per point, seeds %d on.", Conditions.args(shape.bootArgs().args()), shape.ramBytes() >> 20,
                runNanos / 1e6, PAPER_RUN_SECONDS, settings.runs(), settings.seed());
        List<String> readings = new ArrayList<>();
        Spread first = Spread.of(slowdowns.getFirst());
        Spread last = Spread.of(slowdowns.getLast());
        readings.add(String.format(Locale.ROOT, "The driver made %s balloon calls a run at the shortest interval and %s "
                        + "at the longest; the slowdown went from %.1f %% to %.1f %% (the paper's 512 MB guest: %.1f %% to "
                        + "%.1f %%).", Spread.of(balloonCalls.getFirst(), Long::doubleValue).format("%.0f"),
                Spread.of(balloonCalls.getLast(), Long::doubleValue).format("%.0f"), first.median(), last.median(),
                PaperFigures.DSB_SLOWDOWN_SECONDS_512MB.get(jiffies[0]) / PAPER_RUN_SECONDS * 100,
                PaperFigures.DSB_SLOWDOWN_SECONDS_512MB.get(jiffies[jiffies.length - 1]) / PAPER_RUN_SECONDS * 100));
        readings.add("Why figures differ: a wake-up here is a few hypercalls into the emulator's host, and the "
                + "balloon calls scale with how much the allocator churned since the last one; slowdowns of a few "
                + "per cent are within the wall-time noise of a shared two-core machine (the range shows it), where "
                + "the paper's kernel compile ran alone for 439 s.");
        return new ExperimentResult(NAME, "Self-ballooning overhead: slowdown against the interval", conditions,
                List.of(table), List.of(figure), readings);
    }

    private static String micros(long nanos) {
        return nanos >= 1_000_000 ? String.format(Locale.ROOT, "%.2f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }
}
