package org.migrationlab.vmm.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.vmm.testing.CapturedRun;
import tools.jackson.databind.JsonNode;

/**
 * {@code vmm eval} at its tiny scale writes the whole report folder: every figure as a valid SVG and PNG,
 * results.json with every experiment and every run (seed, parameters, oracle, the migration's report),
 * REPORT.md and a report.html that fetches nothing.
 */
@Timeout(600)
class EvalCommandIT {
    /**
     * At the tiny scale: stress 11 (the paper's 9 curves and 2 of hybrid), fault split 2, applications 6,
     * self-ballooning interval 3 (a run without it and 2 intervals), bandwidth trace 2, degradation 8 (2
     * workloads, each unmigrated and under 3 schemes), prepage-procs 4 (a strategy each).
     */
    private static final int RUNS = 11 + 2 + 6 + 3 + 2 + 8 + 4;

    @TempDir
    static Path dir;
    private static CapturedRun run;
    private static JsonNode results;

    @BeforeAll
    static void evaluate() throws IOException {
        run = CapturedRun.vmm("eval", "--tiny", "--out", dir.toString());
        assertThat(dir.resolve("results.json")).as("exit %d; %s", run.exitCode(), run.err()).exists();
        results = ReportFolderChecks.results(dir);
    }

    @Test
    void everyMigratedGuestEndedAsItsUnmigratedRun() {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(RUNS + " runs, 0 that did not end as their unmigrated run");
        assertThat(run.errLines()).as("a progress line per run, with the time left")
                .filteredOn(l -> l.contains("left")).hasSize(RUNS);
    }

    @Test
    void resultsHoldEveryExperimentAndEveryRun() {
        ReportFolderChecks.everyExperimentAndRunIsThere(results, RUNS);
        assertThat(ReportFolderChecks.plannedRuns(new EvalSettings(EvalSettings.Scale.TINY, 1, 1, 0,
                Optional.empty(), 1))).as("what the experiments plan at the tiny scale").isEqualTo(RUNS);
        List<String> experiments = new ArrayList<>();
        results.get("experiments").forEach(e -> experiments.add(e.get("name").asString()));
        assertThat(experiments).containsExactly(StressExperiment.NAME, FaultSplitExperiment.NAME,
                ApplicationsExperiment.NAME, DsbIntervalExperiment.NAME, BandwidthTraceExperiment.NAME,
                DegradationExperiment.NAME, PrepageProcsExperiment.NAME);
        assertThat(results.get("bandwidth-bits-per-second").asLong()).isEqualTo(1_000_000_000L);
        JsonNode runs = results.get("runs");
        for (JsonNode r : runs) {
            String experiment = r.get("experiment").asString();
            assertThat(r.get("seed").asLong()).isEqualTo(1);
            if (experiment.equals(StressExperiment.NAME) || experiment.equals(FaultSplitExperiment.NAME)) {
                assertThat(r.get("parameters").get("wss").asString()).isEqualTo("1M");
                // The tiny scale parks each migrated guest near its end, so a slow migration still moves it live.
                assertThat(r.get("parameters").has("held-at")).as("a held guest, said in its run").isTrue();
            }
        }
        // Post-copy runs in the fault split counted faults; the pushing and bubbling series are both there.
        List<String> series = new ArrayList<>();
        runs.forEach(r -> {
            if (r.get("experiment").asString().equals(FaultSplitExperiment.NAME)) {
                series.add(r.get("series").asString());
            }
        });
        assertThat(series).contains("Pushing", "Pre-paging (bubble)");
        // The prepaging strategies over processes: one quicksort point, each strategy as its report names it.
        List<String> prepaging = new ArrayList<>();
        runs.forEach(r -> {
            if (r.get("experiment").asString().equals(PrepageProcsExperiment.NAME)) {
                assertThat(r.get("parameters").get("procs").asString()).isEqualTo("16");
                prepaging.add(r.get("series").asString() + ": " + r.get("report").get("prepage").asString());
            }
        });
        assertThat(prepaging).containsExactly("Push-only: push", "Forward (single pivot): bubble (forward)",
                "Dual (single pivot): bubble", "Multi-pivot (dual): multi-pivot");
    }

    @Test
    void whatEachExperimentVariesTookEffect() {
        Map<String, Long> balloonCalls = new LinkedHashMap<>();
        List<Integer> moves = new ArrayList<>();
        results.get("runs").forEach(r -> {
            String experiment = r.get("experiment").asString();
            if (experiment.equals(DsbIntervalExperiment.NAME)) {
                balloonCalls.put(r.get("series").asString() + " @ " + r.get("x").asLong(),
                        r.get("report").get("exits").get("hypercall-balloon").asLong());
            }
            if (experiment.equals(DegradationExperiment.NAME) && r.get("parameters").has("migrations")) {
                moves.add(r.get("parameters").get("migrations").asInt());
            }
        });
        assertThat(balloonCalls).as("balloon calls without self-ballooning, at the shorter and the longer interval")
                .hasSize(3).containsEntry(DsbIntervalExperiment.BASELINE + " @ 0", 0L);
        List<Long> withDsb = balloonCalls.values().stream().skip(1).toList();
        assertThat(withDsb.get(0)).as("a shorter interval wakes the driver more often").isGreaterThan(withDsb.get(1))
                .isPositive();
        assertThat(moves).as("migrations of each back-and-forth run").hasSize(6)
                .allSatisfy(m -> assertThat(m).isGreaterThanOrEqualTo(2));
        JsonNode trace = null;
        for (JsonNode e : results.get("experiments")) {
            if (e.get("name").asString().equals(BandwidthTraceExperiment.NAME)) {
                trace = e;
            }
        }
        assertThat(trace).isNotNull();
        Map<String, Double> totalMs = new LinkedHashMap<>();
        results.get("runs").forEach(r -> {
            if (r.get("experiment").asString().equals(BandwidthTraceExperiment.NAME)) {
                totalMs.put(r.get("series").asString(), r.get("report").get("total-time").asDouble());
            }
        });
        for (JsonNode figure : trace.get("figures")) {
            String file = figure.get("file").asString();
            double migrationMs = totalMs.get(file.substring(file.lastIndexOf('-') + 1));
            JsonNode stream = figure.get("series").get(0);
            assertThat(stream.get("points").size()).as("100 ms samples of %s", file).isGreaterThan(3);
            assertThat(stream.get("points").get(0).get("x").asDouble()).as("the first sample precedes the migration")
                    .isNegative();
            double sampledWhileItRan = 0; // bytes the sampler read, not the report's total after the end
            for (JsonNode p : figure.get("series").get(1).get("points")) {
                if (p.get("x").asDouble() > 0 && p.get("x").asDouble() * 1000 < migrationMs) {
                    sampledWhileItRan += p.get("median").asDouble();
                }
            }
            assertThat(sampledWhileItRan).as("the migration's traffic sampled while it ran, in %s", file).isPositive();
        }
    }

    @Test
    void everyFigureIsAValidSvgAndPng() throws Exception {
        assertThat(ReportFolderChecks.everyFigureIsAValidSvgAndPng(dir, results)).containsExactlyInAnyOrder(
                "stress-total", "stress-downtime", "stress-pages", "fault-split", "applications-pages", "dsb-interval",
                "bandwidth-trace-postcopy", "bandwidth-trace-precopy", "degradation-kcompile", "degradation-stream",
                "prepage-procs");
    }

    @Test
    void theReportsShowEachTableBesideThePaperAndNeedNothingElse() throws Exception {
        ReportFolderChecks.theReportsNeedNothingElse(dir, ReportFolderChecks.everyFigureIsAValidSvgAndPng(dir, results));
        String md = Files.readString(dir.resolve("REPORT.md"));
        assertThat(md).contains("| Write post-copy DSB |", "paper @ 8 MB", "![", "stress-total.svg",
                "Network faults, % of all faults", "kcompile (kernel compile)",
                "| Write hybrid |", "| Stop-and-copy DSB |", "paper, 512 MB guest (%)", "lowest 100 ms during",
                "pre-copy w/o DSB (s)",
                "Network faults (4 KiB pages) per prepaging strategy", "| 16 × 0.5 (16 × 32) |",
                RUNS + " of " + RUNS + " guests (migrated, or run with what an experiment varies) ended as their "
                        + "unmigrated run");
        assertThat(Files.readString(dir.resolve("report.html"))).contains("Write pre-copy DSB");
    }

    @Test
    void anUnknownExperimentIsAUsageError() {
        CapturedRun unknown = CapturedRun.vmm("eval", "--tiny", "--only", "nope", "--out", dir.resolve("x").toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown experiment 'nope'; known: stress, fault-split, applications, "
                + "dsb-interval, bandwidth-trace, degradation, prepage-procs");
    }
}
