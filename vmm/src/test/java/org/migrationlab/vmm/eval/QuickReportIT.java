package org.migrationlab.vmm.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import tools.jackson.databind.JsonNode;

/**
 * The report folder of a {@code bin/vmm eval --quick} run, made outside the suite (CI runs the command as a
 * user does, then this with {@code -Deval.report=DIR}): every experiment, every planned run, every figure.
 * The suite's own run of the command, at the tiny scale, is {@link EvalCommandIT}.
 */
@EnabledIfSystemProperty(named = QuickReportIT.PROPERTY, matches = ".+")
class QuickReportIT {
    static final String PROPERTY = "eval.report";

    private static Path folder() {
        Optional<Path> dir = ReportFolderChecks.folderFrom(PROPERTY);
        assertThat(dir).as("-D%s=DIR", PROPERTY).isPresent();
        return dir.orElseThrow();
    }

    @Test
    void theQuickReportHoldsEveryExperimentRunAndFigure() throws Exception {
        Path dir = folder();
        JsonNode results = ReportFolderChecks.results(dir);
        assertThat(results.get("scale").asString()).isEqualTo("quick");
        EvalSettings quick = new EvalSettings(EvalSettings.Scale.QUICK, results.get("runs-per-point").asInt(),
                results.get("bandwidth-bits-per-second").asLong(), results.get("one-way-latency-ns").asLong(),
                Optional.empty(), 1);
        ReportFolderChecks.everyExperimentAndRunIsThere(results, ReportFolderChecks.plannedRuns(quick));
        List<String> figures = ReportFolderChecks.everyFigureIsAValidSvgAndPng(dir, results);
        ReportFolderChecks.theReportsNeedNothingElse(dir, figures);
    }
}
