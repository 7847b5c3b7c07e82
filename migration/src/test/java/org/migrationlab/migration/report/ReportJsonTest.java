package org.migrationlab.migration.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.testing.JsonObjects;
import tools.jackson.databind.JsonNode;

/**
 * The reports' JSON through {@link ReportJson}: reading a migration report back, what each report
 * carries, how strings are escaped, and how strictly JSON is read.
 */
class ReportJsonTest {

    @Test
    void jsonReadsBackIntoTheSameReport() {
        MigrationReport completed = ReportSamples.precopyCompleted();
        MigrationReport failed = new MigrationReport("failed",
                "the destination closed the bulk connection (the guest keeps running on the source)",
                completed.scheme(), completed.timing(), completed.transfer(), completed.convergence(),
                completed.phases(), completed.pages(), new MigrationReport.Recovery(2, 812.5, 37), completed.faults(), completed.progress(), completed.balloon(),
                completed.oracle());
        for (MigrationReport report : List.of(completed, failed)) {
            String json = ReportJson.render(report);
            MigrationReport read = ReportJson.readMigrationReport(json);
            assertThat(ReportJson.render(read)).isEqualTo(json);
            assertThat(read).isEqualTo(report);
            assertThat(read.pages().byKind()).isEqualTo(report.pages().byKind());
            assertThat(JsonObjects.keys(read.pages().byKind())).isEqualTo(JsonObjects.keys(report.pages().byKind()));
            assertThat(read.withOracle("identical").oracle()).isEqualTo("identical");
            assertThat(ReportJson.render(read.withOracle("identical"))).contains("\"oracle\": \"identical\"");
        }
    }

    @Test
    void jsonCarriesTheBalloonObject() {
        Map<String, Object> json = JsonObjects.parse(ReportJson.render(ReportSamples.precopyCompleted()));
        assertThat(json.get("balloon")).isEqualTo(new LinkedHashMap<>(Map.of("dsb", "on", "size-pages", 100_000L,
                "inflations", 196L, "deflations", 3L, "pressure-deflations", 1L, "pages-returned", 100_250L,
                "pages-reclaimed", 250L, "saved-pages", 100_020L)));
    }

    @Test
    void readingAReportWithAMissingKeyNamesTheKey() {
        String json = ReportJson.render(ReportSamples.precopyCompleted()).replace("\"mbps\"", "\"mbit\"");
        assertThatThrownBy(() -> ReportJson.readMigrationReport(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'mbps'");
        String nested = ReportJson.render(ReportSamples.precopyCompleted()).replace("\"p90\"", "\"p91\"");
        assertThatThrownBy(() -> ReportJson.readMigrationReport(nested)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'p90'");
    }

    @Test
    void readingAReportWithAValueOfTheWrongKindFails() {
        String completed = ReportJson.render(ReportSamples.precopyCompleted());
        for (String bad : new String[] {
            completed.replace("\"resent-pages\": 2052", "\"resent-pages\": 2052.5"),
            completed.replace("\"resent-pages\": 2052", "\"resent-pages\": \"2052\""),
            completed.replace("\"resent-pages\": 2052", "\"resent-pages\": null"),
            completed.replace("\"mbps\": 453.6", "\"mbps\": \"fast\""),
            completed.replace("\"status\": \"completed\"", "\"status\": 1"),
            "[" + completed + "]"}) {
            assertThatThrownBy(() -> ReportJson.readMigrationReport(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void parseHandlesEveryValueKindAndRejectsMalformedText() {
        JsonNode value = ReportJson.parse("{\"a\": [1, -2.5e1, true, false, null], \"s\": \"q\\\"\\\\\\n\\u00e9\\ud83d\\ude00\","
                + " \"big\": 123456789012345678901234567890, \"o\": {}}");
        JsonNode a = value.get("a");
        assertThat(a.get(0).isIntegralNumber()).isTrue();
        assertThat(a.get(0).longValue()).isEqualTo(1L);
        assertThat(a.get(1).isFloatingPointNumber()).isTrue();
        assertThat(a.get(1).doubleValue()).isEqualTo(-25.0);
        assertThat(a.get(2).booleanValue()).isTrue();
        assertThat(a.get(3).booleanValue()).isFalse();
        assertThat(a.get(4).isNull()).isTrue();
        assertThat(a.size()).isEqualTo(5);
        assertThat(value.get("s").stringValue()).isEqualTo("q\"\\\né😀");
        assertThat(value.get("big").bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(value.get("o").isObject()).isTrue();
        assertThat(value.get("o").size()).isZero();
        assertThat(value.propertyNames()).containsExactly("a", "s", "big", "o");
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "{\"a\": 1} x", "\"\u0001\"", "nul",
            "{\"a\":1,\"a\":2}", "[".repeat(100) + "]".repeat(100)}) {
            assertThatThrownBy(() -> ReportJson.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("JSON: ");
        }
    }

    @Test
    void destinationJsonHasTheOutcomeFaultsAndRates() {
        Map<String, Object> json = JsonObjects.parse(ReportJson.render(ReportSamples.destinationHalted()));
        assertThat(json).containsEntry("result", "0x00000000deadbeef").containsEntry("status", 0L)
                .containsEntry("outcome", "halted").containsEntry("memory-hash", "1496b7a0250897dc")
                .containsEntry("console", "wss: start\nwss: done \"quoted\"\n").containsEntry("network-faults", 126L)
                .containsEntry("minor-faults", 16_262L).containsEntry("progress-rate-during", 123214.5)
                .containsEntry("progress-rate-after", null)
                .containsEntry("balloon", new LinkedHashMap<>(Map.of("dsb", "on", "size-pages", 9L, "inflations", 2L,
                        "deflations", 1L, "pressure-deflations", 1L, "pages-returned", 12L, "pages-reclaimed", 3L,
                        "saved-pages", 9L)))
                .containsEntry("fault-latency-us", new LinkedHashMap<>(Map.of("p50", 1506.303, "p90", 8921.087,
                        "p99", 69664.767, "max", 71041.023)));
        assertThat(JsonObjects.parse(ReportJson.render(ReportSamples.destinationFailed())))
                .containsEntry("result", null).containsEntry("memory-hash", null)
                .containsEntry("error", "the migration failed: bad CRC");
    }

    /** The guest's console as it appears in the run report's JSON text, quotes included. */
    private static String consoleJson(String console) {
        String json = ReportJson.render(ReportSamples.run(new GuestOutcome.Halted(1, 0), OptionalLong.empty(), console));
        String line = json.lines().filter(l -> l.startsWith("  \"console\": ")).findFirst().orElseThrow();
        return line.substring("  \"console\": ".length());
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(consoleJson("say \"hi\"\\")).isEqualTo("\"say \\\"hi\\\"\\\\\"");
        assertThat(consoleJson("a\nb\rc\td\be\ff")).isEqualTo("\"a\\nb\\rc\\td\\be\\ff\"");
        assertThat(consoleJson("\u0000\u0001\u001f\u007f")).isEqualTo("\"\\u0000\\u0001\\u001f\\u007f\"");
    }

    @Test
    void escapesLineSeparatorsAndUnpairedSurrogatesButKeepsPairs() {
        assertThat(consoleJson("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
        assertThat(consoleJson("x\ud800y")).isEqualTo("\"x\\ud800y\"");
        assertThat(consoleJson("\udc00")).isEqualTo("\"\\udc00\"");
        assertThat(consoleJson("caf\u00e9 \ud83d\ude00")).isEqualTo("\"caf\u00e9 \ud83d\ude00\"");
    }
}
