package org.migrationlab.vmm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.migrationlab.vmm.eval.ApplicationsExperiment;
import org.migrationlab.vmm.eval.BandwidthTraceExperiment;
import org.migrationlab.vmm.eval.DegradationExperiment;
import org.migrationlab.vmm.eval.DsbIntervalExperiment;
import org.migrationlab.vmm.eval.EvalSettings;
import org.migrationlab.vmm.eval.Experiment;
import org.migrationlab.vmm.eval.ExperimentResult;
import org.migrationlab.vmm.eval.FaultSplitExperiment;
import org.migrationlab.vmm.eval.Machine;
import org.migrationlab.vmm.eval.PrepageProcsExperiment;
import org.migrationlab.vmm.eval.ReportFolder;
import org.migrationlab.vmm.eval.Runner;
import org.migrationlab.vmm.eval.StressExperiment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmm eval}: reruns the paper's experiments and writes a report folder beside the paper's figures. */
@Command(name = "eval", usageHelpAutoWidth = true,
        description = {
            "Reruns the experiments of Hines and Gopalan (VEE 2009) in this lab and writes a report folder: "
                + "REPORT.md, a self-contained report.html, one SVG and one PNG per figure, and results.json "
                + "with every run (its seed, parameters, oracle and whole migration report).",
            "",
            "Each table puts our figure beside the paper's. Every migrated guest is checked against an "
                + "unmigrated run of the same guest. Progress, with an estimate of the time left, goes to "
                + "standard error."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every experiment ran and every migrated guest ended as its unmigrated run",
            "1:a migration failed or a migrated guest ended differently (the report says which)",
            "2:usage error",
            "3:internal error (a bug in vmm; a stack trace follows)"})
public final class EvalCommand implements Callable<Integer> {
    private static final List<Experiment> EXPERIMENTS = List.of(new StressExperiment(), new FaultSplitExperiment(),
            new ApplicationsExperiment(), new DsbIntervalExperiment(), new BandwidthTraceExperiment(),
            new DegradationExperiment(), new PrepageProcsExperiment());

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "eval-report",
            description = "Folder to write the report into (created). Default: eval-report.")
    private Path out;

    @CommandLine.ArgGroup(exclusive = true)
    private Scale scale = new Scale();

    static final class Scale {
        @Option(names = "--quick", description = "Small guests, one run per point: minutes (the default).")
        boolean quick;

        @Option(names = "--full", description = "The paper's working sets in a 1 GiB guest, 5 runs per point: hours.")
        boolean full;

        @Option(names = "--tiny", hidden = true, description = "Two tiny working sets: seconds (for tests).")
        boolean tiny;

        EvalSettings.Scale scale() {
            return full ? EvalSettings.Scale.FULL : tiny ? EvalSettings.Scale.TINY : EvalSettings.Scale.QUICK;
        }
    }

    @Option(names = "--only", paramLabel = "NAME", description = "Run one experiment: stress, fault-split, "
            + "applications, dsb-interval, bandwidth-trace, degradation, prepage-procs.")
    private String only;

    @Option(names = "--runs", paramLabel = "N", description = "Migrations per point. Default: 1 (--quick), 5 (--full).")
    private Integer runs;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "1gbit", converter = BandwidthConverter.class,
            description = "Emulated link bandwidth, like the paper's 1gbit (the default); 0 = unlimited.")
    private long bandwidthBits;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "50us", converter = DurationConverter.class,
            description = "Emulated one-way latency, both ways. Default: 50us (the paper's fetches took 85-115 µs "
                    + "round trip).")
    private long latencyNanos;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the first run's guest; run k of a point uses seed + k. Default: 1.")
    private long seed;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        EvalSettings settings = new EvalSettings(scale.scale(), runs != null ? runs : scale.full ? 5 : 1, bandwidthBits,
                latencyNanos, Optional.ofNullable(only), seed);
        List<Experiment> chosen = EXPERIMENTS.stream().filter(e -> only == null || e.name().equals(only)).toList();
        if (chosen.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown experiment '" + only + "'; known: "
                    + String.join(", ", EXPERIMENTS.stream().map(Experiment::name).toList()));
        }
        PrintWriter outWriter = spec.commandLine().getOut();
        // Measured migrations start warm, as the daemon's do: a cold first one is slower than any after it,
        // and on a tiny guest it can outlast the guest.
        WarmUp.runOrWarn("vmm eval", spec.commandLine().getErr());
        Runner runner = new Runner(settings, spec.commandLine().getErr());
        chosen.forEach(e -> runner.plan(e.migrations(settings)));
        List<ExperimentResult> results = new ArrayList<>();
        for (Experiment experiment : chosen) {
            results.add(experiment.run(runner));
        }
        ReportFolder.write(out, settings, Machine.here(), results, runner.records());
        long differing = runner.records().stream().filter(r -> !r.oracle().startsWith("identical")).count();
        outWriter.println("vmm eval: " + runner.records().size() + " runs, " + differing
                + " that did not end as their unmigrated run or ended before the switch-over; report in "
                + out.resolve("REPORT.md") + " and " + out.resolve("report.html"));
        outWriter.flush();
        return differing == 0 ? 0 : 1;
    }
}
