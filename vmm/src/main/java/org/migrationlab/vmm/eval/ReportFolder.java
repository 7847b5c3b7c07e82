package org.migrationlab.vmm.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an evaluation's folder: {@code REPORT.md} (tables and plots for a repository), {@code report.html}
 * (the same, self-contained: the plots are inline SVG, nothing is fetched), one SVG and one PNG per figure,
 * and {@code results.json} with every run.
 */
public final class ReportFolder {
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** results.json: the conditions, what each experiment found, and every run with its whole report. */
    public record Results(@JsonProperty("scale") String scale,
                          @JsonProperty("runs-per-point") int runsPerPoint,
                          @JsonProperty("bandwidth-bits-per-second") long bandwidthBits,
                          @JsonProperty("one-way-latency-ns") long latencyNanos,
                          @JsonProperty("machine") Machine machine,
                          @JsonProperty("experiments") List<ExperimentResult> experiments,
                          @JsonProperty("runs") List<RunRecord> runs) {
    }

    private ReportFolder() {
    }

    public static void write(Path dir, EvalSettings settings, Machine machine, List<ExperimentResult> experiments,
                             List<RunRecord> runs) throws IOException {
        Files.createDirectories(dir);
        for (ExperimentResult experiment : experiments) {
            for (ExperimentResult.Figure figure : experiment.figures()) {
                Charts.write(figure, dir);
            }
        }
        Results results = new Results(settings.scale().label(), settings.runs(), settings.bandwidthBits(),
                settings.latencyNanos(), machine, experiments, runs);
        Files.writeString(dir.resolve("results.json"), JSON.writeValueAsString(results), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("REPORT.md"), Markdown.render(settings, machine, experiments, runs),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), Html.render(dir, settings, machine, experiments, runs),
                StandardCharsets.UTF_8);
    }
}
