package org.migrationlab.migration.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.testing.JsonObjects;
import org.migrationlab.migration.testing.ReportKeys;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Pins the JSON reports byte for byte against golden files, written by the hand-made JSON writer the
 * reports had before Jackson: keys and their order, indentation, numbers (whole doubles without a
 * fraction, NaN as null, -1 for unknowns, exact hex strings for results and hashes) and string escapes.
 * Scripts read these reports; a change here is a change for them.
 */
class ReportJsonGoldenTest {

    private static String golden(String name) {
        try (InputStream in = ReportJsonGoldenTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void migrationReportsMatchTheirGoldenFiles() {
        assertThat(ReportJson.render(ReportSamples.precopyCompleted()))
                .isEqualTo(golden("migration-report-precopy-completed"));
        assertThat(ReportJson.render(ReportSamples.postcopyFailed()))
                .isEqualTo(golden("migration-report-postcopy-failed"));
    }

    @Test
    void migrationReportsReadBackIntoTheSameReports() {
        assertThat(ReportJson.readMigrationReport(golden("migration-report-precopy-completed")))
                .isEqualTo(ReportSamples.precopyCompleted());
        assertThat(ReportJson.readMigrationReport(golden("migration-report-postcopy-failed")))
                .isEqualTo(ReportSamples.postcopyFailed());
    }

    @Test
    void migrationReportsReadBackIntoTheSameText() {
        for (String name : new String[] {"migration-report-precopy-completed", "migration-report-postcopy-failed"}) {
            String json = golden(name);
            assertThat(ReportJson.render(ReportJson.readMigrationReport(json))).as(name).isEqualTo(json);
        }
    }

    @Test
    void runReportsMatchTheirGoldenFiles() {
        assertThat(ReportJson.render(ReportSamples.run(new GuestOutcome.Halted(0xfedcba9876543210L, 0),
                OptionalLong.empty(), "line \"one\"\nline two\n"))).isEqualTo(golden("run-report-halted"));
        assertThat(ReportJson.render(ReportSamples.run(new GuestOutcome.Crashed("NULL_PAGE", 0x1029c2, 0x10,
                "access to the null page at RIP 0x1029c2"), OptionalLong.of(1_000_003), "")))
                .isEqualTo(golden("run-report-crashed"));
        assertThat(ReportJson.render(ReportSamples.run(new GuestOutcome.Crashed("BAD_HYPERCALL", 0x100000, -1,
                "no such port"), OptionalLong.empty(), ""))).isEqualTo(golden("run-report-crashed-no-address"));
        assertThat(ReportJson.render(ReportSamples.failedRun())).isEqualTo(golden("run-report-failed-escapes"));
    }

    @Test
    void destinationReportsMatchTheirGoldenFiles() {
        assertThat(ReportJson.render(ReportSamples.destinationHalted()))
                .isEqualTo(golden("destination-report-halted"));
        assertThat(ReportJson.render(ReportSamples.destinationFailed()))
                .isEqualTo(golden("destination-report-failed"));
    }

    @Test
    void goldenFilesHaveTheKeysScriptsReadInOrder() {
        Map<String, Object> completed = JsonObjects.parse(golden("migration-report-precopy-completed"));
        assertThat(JsonObjects.keys(completed)).isEqualTo(ReportKeys.MIGRATION);
        assertThat(JsonObjects.keys(completed.get("network-faults"))).isEqualTo(ReportKeys.NETWORK_FAULTS);
        assertThat(JsonObjects.keys(completed.get("fault-latency-us"))).isEqualTo(ReportKeys.FAULT_LATENCY);
        assertThat(JsonObjects.keys(completed.get("downtime-breakdown"))).isEqualTo(ReportKeys.DOWNTIME_BREAKDOWN);
        Object faultBreakdown = completed.get("fault-latency-breakdown");
        assertThat(JsonObjects.keys(faultBreakdown)).isEqualTo(ReportKeys.FAULT_LATENCY_BREAKDOWN);
        for (String percentile : new String[] {"p50", "p99"}) {
            assertThat(JsonObjects.keys(((Map<?, ?>) faultBreakdown).get(percentile))).as(percentile)
                    .isEqualTo(ReportKeys.FAULT_STAGES);
        }
        assertThat(JsonObjects.keys(completed.get("progress-rate"))).isEqualTo(ReportKeys.PROGRESS_RATE);
        assertThat(JsonObjects.keys(completed.get("balloon"))).isEqualTo(ReportKeys.BALLOON);
        assertThat((java.util.List<?>) completed.get("precopy-rounds")).hasSize(2)
                .allSatisfy(round -> assertThat(JsonObjects.keys(round)).isEqualTo(ReportKeys.PRECOPY_ROUND));
        assertThat(JsonObjects.keys(JsonObjects.parse(golden("migration-report-postcopy-failed"))))
                .isEqualTo(ReportKeys.FAILED_MIGRATION);
        for (String run : new String[] {"run-report-halted", "run-report-crashed", "run-report-failed-escapes"}) {
            Map<String, Object> json = JsonObjects.parse(golden(run));
            assertThat(JsonObjects.keys(json)).as(run).isEqualTo(ReportKeys.RUN);
            assertThat(JsonObjects.keys(json.get("balloon"))).as(run).isEqualTo(ReportKeys.BALLOON);
        }
        assertThat(JsonObjects.keys(JsonObjects.parse(golden("run-report-crashed")).get("crash")))
                .isEqualTo(ReportKeys.CRASH);
        for (String destination : new String[] {"destination-report-halted", "destination-report-failed"}) {
            Map<String, Object> json = JsonObjects.parse(golden(destination));
            assertThat(JsonObjects.keys(json)).as(destination).isEqualTo(ReportKeys.DESTINATION);
            assertThat(JsonObjects.keys(json.get("fault-latency-us"))).isEqualTo(ReportKeys.FAULT_LATENCY);
            assertThat(JsonObjects.keys(json.get("balloon"))).isEqualTo(ReportKeys.BALLOON);
        }
    }

    @Test
    void theAwkwardConsoleReadsBackExactly() {
        assertThat(JsonObjects.parse(golden("run-report-failed-escapes")).get("console"))
                .isEqualTo(ReportSamples.AWKWARD_CONSOLE);
    }

    @Property
    void everyConsoleSurvivesTheReportAndFitsInUtf8(@ForAll String console) {
        String json = ReportJson.render(ReportSamples.run(new GuestOutcome.Halted(1, 0), OptionalLong.empty(),
                console));
        assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(json)).as("UTF-8 encodable").isTrue();
        assertThat(JsonObjects.parse(json).get("console")).isEqualTo(console);
    }
}
