package org.migrationlab.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each section of {@code bin/bench migration} once on a tiny guest: it still runs, and its JSON lines hold
 * the figures it promises, with values a real migration has (every page of a post-copy guest sent once,
 * bytes moved, time taken, a balloon that held pages). The processes section is left out: it runs
 * {@code bin/vmm demo} in fresh processes, built and packaged, which a module's tests cannot.
 */
@Timeout(120)
class MigrationBenchSmokeTest {
    private static final JsonMapper READER = JsonMapper.builder().build();
    /** A smoke run's guest: 32 MiB. */
    private static final long GUEST_PAGES = (32L << 20) / 4096;

    private static List<JsonNode> run(String section) throws Exception {
        MigrationBench bench = new MigrationBench(BenchSize.SMOKE);
        bench.run(section);
        return bench.json.stream().map(READER::readTree).toList();
    }

    private static void assertMigrated(JsonNode line) {
        assertThat(line.path("total-time-ms").asDouble()).as("%s", line).isPositive();
        assertThat(line.path("downtime-ms").asDouble()).as("%s", line).isPositive();
        assertThat(line.path("transferred").asLong()).as("%s", line).isPositive();
        assertThat(line.path("pages-sent").asLong()).as("%s", line).isGreaterThanOrEqualTo(1);
    }

    @Test
    void schemesMigrateByEveryModeOverBothLinks() throws Exception {
        List<JsonNode> lines = run("schemes");
        assertThat(lines).extracting(line -> line.path("label").asString()).containsExactly(
                "wss 2M unlimited precopy", "wss 2M unlimited postcopy", "wss 2M unlimited hybrid",
                "wss 2M unlimited stop-and-copy",
                "wss 2M 1 Gbit/s precopy", "wss 2M 1 Gbit/s postcopy", "wss 2M 1 Gbit/s hybrid",
                "wss 2M 1 Gbit/s stop-and-copy");
        for (JsonNode line : lines) {
            assertMigrated(line);
            long pagesSent = line.path("pages-sent").asLong();
            if (line.path("label").asString().endsWith("stop-and-copy")) {
                assertThat(pagesSent).as("stop-and-copy sends every page once, paused: %s", line)
                        .isEqualTo(GUEST_PAGES);
                assertThat(line.path("network-faults").asLong()).as("nothing is left to fault on: %s", line).isZero();
            } else if (line.path("label").asString().endsWith("postcopy")) {
                assertThat(pagesSent).as("post-copy sends every page once: %s", line).isEqualTo(GUEST_PAGES);
                assertThat(line.path("network-faults").asLong() + line.path("minor-faults").asLong())
                        .as("the destination's guest touched pages before they all arrived: %s", line).isPositive();
            } else {
                assertThat(pagesSent).as("round 0 sends every page: %s", line).isGreaterThanOrEqualTo(GUEST_PAGES);
            }
        }
    }

    @Test
    void faultRatiosCoverEveryWorkloadAndStrategy() throws Exception {
        List<JsonNode> lines = run("faults");
        assertThat(lines).extracting(line -> line.path("label").asString()).containsExactly(
                "wss-seq-2M push", "wss-seq-2M bubble", "wss-seq-2M multi-pivot",
                "kvstore push", "kvstore bubble", "kvstore multi-pivot",
                "kcompile push", "kcompile bubble", "kcompile multi-pivot",
                "stream push", "stream bubble", "stream multi-pivot");
        for (JsonNode line : lines) {
            assertMigrated(line);
            assertThat(line.path("pages-sent").asLong()).as("%s", line).isEqualTo(GUEST_PAGES);
            double ratio = line.path("network-fault-ratio").asDouble();
            assertThat(ratio).as("%s", line).isBetween(0.0, 1.0);
        }
        assertThat(lines.getFirst().path("network-faults-share-of-ws").isNumber()).as("wss has a working set").isTrue();
        assertThat(lines.getLast().path("network-faults-share-of-ws").isNull()).as("stream has none").isTrue();
    }

    @Test
    void faultLatencyWithAndWithoutTheUrgentChannel() throws Exception {
        List<JsonNode> lines = run("latency");
        assertThat(lines).extracting(line -> line.path("label").asString()).containsExactly(
                "wss-random-4M push, urgent channel on", "wss-random-4M push, urgent channel off");
        for (JsonNode line : lines) {
            assertMigrated(line);
            assertThat(line.path("network-faults").asLong()).as("a random guest faults on pages in flight: %s", line)
                    .isPositive();
            assertThat(line.path("latency-p50-us").asDouble()).as("%s", line).isPositive();
            assertThat(line.path("latency-p99-us").asDouble()).as("%s", line)
                    .isGreaterThanOrEqualTo(line.path("latency-p50-us").asDouble());
        }
    }

    @Test
    void pushThroughputIsMeasuredAgainstAPlainSocket() throws Exception {
        List<JsonNode> lines = run("throughput");
        assertThat(lines).extracting(line -> line.path("label").asString()).containsExactly("push 4M, run 0",
                "push-throughput");
        assertMigrated(lines.getFirst());
        JsonNode line = lines.getLast();
        assertThat(line.path("push-bytes-per-second").asDouble()).as("%s", line).isPositive();
        assertThat(line.path("socket-bytes-per-second").asDouble()).as("%s", line).isPositive();
        assertThat(line.path("socket-into-ram-bytes-per-second").asDouble()).as("%s", line).isPositive();
        assertThat(line.path("ratio").asDouble()).as("%s", line).isEqualTo(
                line.path("push-bytes-per-second").asDouble() / line.path("socket-bytes-per-second").asDouble());
    }

    @Test
    void postcopyDowntimeIsReported() throws Exception {
        List<JsonNode> lines = run("downtime");
        assertThat(lines).extracting(line -> line.path("label").asString()).containsExactly("postcopy downtime run 0");
        assertMigrated(lines.getFirst());
        assertThat(lines.getFirst().path("pages-sent").asLong()).isEqualTo(GUEST_PAGES);
    }

    @Test
    void selfBallooningSavesSendsOnlyWhenOn() throws Exception {
        List<JsonNode> lines = run("dsb");
        assertThat(lines).as("wss by each of the 4 modes, wss read-only, churn by 2 modes; off and on").hasSize(14);
        for (int i = 0; i < lines.size(); i += 2) {
            JsonNode off = lines.get(i);
            JsonNode on = lines.get(i + 1);
            assertThat(off.path("label").asString()).startsWith("dsb-off ");
            assertThat(on.path("label").asString()).isEqualTo("dsb-on " + off.path("label").asString().substring(8));
            assertThat(off.path("balloon-size-pages").asLong()).as("%s", off).isZero();
            assertThat(off.path("saved-pages").asLong()).as("%s", off).isZero();
            assertThat(on.path("balloon-size-pages").asLong()).as("%s", on).isPositive();
            assertThat(on.path("saved-pages").asLong()).as("%s", on).isPositive();
            assertThat(on.path("pages-sent").asLong()).as("%s against %s", on, off)
                    .isLessThan(off.path("pages-sent").asLong());
        }
    }
}
