package org.migrationlab.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable section of {@code bin/bench migration} once on a tiny guest: one pair of {@code vmm demo} runs in
 * fresh processes, plain and with {@code --state-dir}, whose JSON line holds both medians, their ratio and their
 * difference. {@code bin/vmm} needs the packaged CLI, so here the demo runs from this test's class path (the CLI
 * is a test dependency of this module), in a JVM started with this one's flags.
 */
@Timeout(300)
class DurableBenchSmokeTest {
    private static final JsonMapper READER = JsonMapper.builder().build();

    /** {@code vmm} in a new JVM: this JVM's java, the flags the CLI's children need, this class path. */
    private static List<String> vmmCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("-Xss") || flag.startsWith("-Dmigrationlab.") || flag.startsWith("-XX:CompileCommand=")
                    || flag.startsWith("--add-opens=") || flag.startsWith("--add-exports=")
                    || flag.startsWith("--sun-misc-unsafe-memory-access=")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.migrationlab.vmm.cli.VmmCommand"));
        return command;
    }

    @Test
    void durableAndPlainPostcopyAreComparedInFreshProcesses() throws Exception {
        List<String> json = new ArrayList<>();
        new DurableBench(vmmCommand(), DurableBench.SMOKE, json).run();

        assertThat(json).hasSize(1);
        JsonNode line = READER.readTree(json.getFirst());
        assertThat(line.path("label").asString()).isEqualTo("durable postcopy 32M wss 2M");
        assertThat(line.path("pairs").asInt()).isEqualTo(1);
        for (String figure : List.of("plain-total-time-ms", "durable-total-time-ms", "plain-downtime-ms",
                "durable-downtime-ms")) {
            assertThat(line.path(figure).asDouble()).as("%s in %s", figure, line).isPositive();
        }
        // durable mode's own writes, timed where they are done: some, and part of the send
        assertThat(line.path("durable-writes-ms").asDouble()).as("%s", line).isPositive();
        assertThat(line.path("total-time-ratio").asDouble()).as("%s", line).isEqualTo(
                line.path("durable-total-time-ms").asDouble() / line.path("plain-total-time-ms").asDouble());
        assertThat(line.path("downtime-difference-ms").asDouble()).as("%s", line).isEqualTo(
                line.path("durable-downtime-ms").asDouble() - line.path("plain-downtime-ms").asDouble());
        // One pair: its own comparison is the whole comparison.
        assertThat(line.path("paired-total-time-ratio").asDouble()).as("%s", line).isEqualTo(
                line.path("total-time-ratio").asDouble());
        assertThat(line.path("paired-downtime-difference-ms").asDouble()).as("%s", line).isEqualTo(
                line.path("downtime-difference-ms").asDouble());
    }
}
