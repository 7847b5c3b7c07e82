package org.migrationlab.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmarks' JSON lines: the same text as the hand-written lines they replace (keys, order,
 * number spellings, one line each), and strings that now survive any character.
 */
class BenchJsonTest {
    private static final JsonMapper READER = JsonMapper.builder().build();

    private static MigrationFigures.Migration migration(String label) {
        return new MigrationFigures.Migration(label, 1234.5, 3.0, 16_384, 100, 12, 400, Double.NaN,
                0.029126213592233, 120.5, 1.0E-4, 67_456_789);
    }

    @Test
    void aMigrationLineIsTheLineTheHandWrittenWriterWrote() {
        assertThat(BenchJson.line(migration("wss 64M unlimited postcopy"))).isEqualTo("{\"label\": \"wss 64M unlimited"
                + " postcopy\", \"total-time-ms\": 1234.5, \"downtime-ms\": 3.0, \"pages-sent\": 16384, \"duplicate\":"
                + " 100, \"network-faults\": 12, \"minor-faults\": 400, \"network-faults-share-of-ws\": null,"
                + " \"network-fault-ratio\": 0.029126213592233, \"latency-p50-us\": 120.5, \"latency-p99-us\": 1.0E-4,"
                + " \"transferred\": 67456789}");
    }

    @Test
    void theEmulatorFiguresAreTheObjectTheHandWrittenWriterWrote() {
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("paging-speed-ratio-load-loop", 1.0);
        figures.put("demand-fault-median-us-populated", 2.345);
        figures.put("dirty-log-ns-per-page-WRITE_PROTECT", 1234567.0);
        figures.put("rearm-1GiB-ms-DIRTY_BIT", 12345678.9);
        assertThat(BenchJson.line(figures)).isEqualTo("{\"paging-speed-ratio-load-loop\": 1.0,"
                + " \"demand-fault-median-us-populated\": 2.345, \"dirty-log-ns-per-page-WRITE_PROTECT\": 1234567.0,"
                + " \"rearm-1GiB-ms-DIRTY_BIT\": 1.23456789E7}");
        figures.put("a-ratio-of-nothing", Double.NaN);
        assertThat(BenchJson.line(figures)).endsWith(", \"a-ratio-of-nothing\": null}");
    }

    @Test
    void theDsbAndPushLinesHaveTheirKeysInOrder() {
        JsonNode dsb = READER.readTree(BenchJson.line(new MigrationFigures.Dsb("dsb-on churn 384M postcopy", 90_000,
                80_000, -1, Double.NaN, 2345.5, 4.25, 400_000_000, 70_000, 70_000)));
        assertThat(new ArrayList<>(dsb.propertyNames())).containsExactly("label", "pages-sent", "distinct-pages-sent",
                "used-pages", "pages-sent-per-used-page", "total-time-ms", "downtime-ms", "transferred",
                "balloon-size-pages", "saved-pages");
        assertThat(dsb.get("pages-sent-per-used-page").isNull()).isTrue();
        assertThat(dsb.get("used-pages").longValue()).isEqualTo(-1);
        JsonNode push = READER.readTree(BenchJson.line(MigrationFigures.PushThroughput.of(800e6, 1600e6, 1000e6)));
        assertThat(new ArrayList<>(push.propertyNames())).containsExactly("label", "push-bytes-per-second",
                "socket-bytes-per-second", "socket-into-ram-bytes-per-second", "ratio", "ratio-into-ram");
        assertThat(push.get("label").stringValue()).isEqualTo("push-throughput");
        assertThat(push.get("ratio").doubleValue()).isEqualTo(0.5);
        assertThat(push.get("ratio-into-ram").doubleValue()).isEqualTo(0.8);
    }

    @Test
    void aLabelWithAQuoteABackslashAndANewlineReadsBackExactly() {
        String label = "say \"hi\" \\ to\na new line\tand\u0001";
        String line = BenchJson.line(migration(label));
        assertThat(line).doesNotContain("\n").contains("\"say \\\"hi\\\" \\\\ to\\na new line\\tand\\u0001\"");
        JsonNode read = READER.readTree(line);
        assertThat(read.get("label").stringValue()).isEqualTo(label);
        assertThat(read.get("pages-sent").longValue()).isEqualTo(16_384);
        List<String> lines = List.of(line, BenchJson.line(migration("second")));
        assertThat(String.join("\n", lines).lines()).hasSize(2); // JSON lines: one document per line
    }
}
