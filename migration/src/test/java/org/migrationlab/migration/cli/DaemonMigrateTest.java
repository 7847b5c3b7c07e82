package org.migrationlab.migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migrationlab.guest.reference.WssReference;
import org.migrationlab.migration.stats.HumanUnits;
import org.migrationlab.migration.stats.JsonReader;
import org.migrationlab.migration.testing.CapturedRun;

import picocli.CommandLine;

/**
 * {@code vmm daemon} and {@code vmm migrate} in this JVM, each through picocli on its own thread, over a
 * real loopback socket: the guest moves, ends at the destination with the reference result, and both
 * JSON reports say so. Every wait is bounded.
 */
@Timeout(120)
class DaemonMigrateTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:([0-9]+)");
    private static final Map<String, String> GUEST_ARGS = Map.of("wss", "4M", "passes", "400");

    @TempDir
    Path dir;

    private Path secret;
    private ExecutorService threads;

    @BeforeEach
    void setUp() throws IOException {
        secret = Files.writeString(dir.resolve("secret"), "daemon-migrate-test-secret-0123456789\n");
        threads = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("command threads ended").isTrue();
    }

    /** Captures a command's output and hands over its first line as soon as it is written. */
    private static final class Capture extends Writer {
        final StringBuilder text = new StringBuilder();
        final CompletableFuture<String> firstLine = new CompletableFuture<>();

        @Override
        public synchronized void write(char[] chars, int offset, int length) {
            text.append(chars, offset, length);
            int newline = text.indexOf("\n");
            if (newline >= 0) {
                firstLine.complete(text.substring(0, newline).strip());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public synchronized String toString() {
            return text.toString();
        }
    }

    private record Running(CompletableFuture<Integer> exit, Capture out, Capture err) {
    }

    private Running start(String... args) {
        Capture out = new Capture();
        Capture err = new Capture();
        CommandLine cmd = VmmCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return new Running(CompletableFuture.supplyAsync(() -> cmd.execute(args), threads), out, err);
    }

    private int startDaemon(Path json, String... more) throws Exception {
        String[] base = {"daemon", "--listen", "127.0.0.1:0", "--once", "--json", json.toString(), "--secret-file",
            secret.toString()};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(more))
                .toArray(String[]::new);
        daemon = start(args);
        CompletableFuture.anyOf(daemon.out().firstLine, daemon.exit()).get(30, TimeUnit.SECONDS);
        String first = daemon.out().firstLine.getNow(null);
        Matcher m = LISTENING.matcher(String.valueOf(first));
        assertThat(m.matches()).as("first line %s; stderr: %s", first, daemon.err()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private Running daemon;

    @ParameterizedTest
    @ValueSource(strings = {"postcopy", "precopy", "hybrid"})
    void guestMovesToTheDaemonAndEndsWithTheReferenceResult(String mode) throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        int port = startDaemon(destinationJson, "--quiet");

        Running source = start("migrate", "--migrate-to", "127.0.0.1:" + port, "--secret-file", secret.toString(),
                "--mode", mode, "--memory", "64M", "--workload", "wss", "--arg", "wss=4M", "--arg", "passes=400",
                "--after-progress", "2000", "--json", migrationJson.toString());

        int sourceExit = source.exit().get(60, TimeUnit.SECONDS);
        assertThat(sourceExit).as("migrate exit; stdout: %s; stderr: %s", source.out(), source.err()).isZero();
        int daemonExit = daemon.exit().get(60, TimeUnit.SECONDS);
        assertThat(daemonExit).as("daemon exit; stdout: %s; stderr: %s", daemon.out(), daemon.err()).isZero();

        Map<String, Object> migration = JsonReader.parseObject(Files.readString(migrationJson));
        assertThat(migration).containsEntry("status", "completed").containsEntry("mode", mode)
                .containsEntry("remaining", 0L).containsEntry("guest-pages", 16_384L).doesNotContainKey("error-desc");
        Map<String, Object> destination = JsonReader.parseObject(Files.readString(destinationJson));
        long expected = WssReference.result(1, GUEST_ARGS);
        assertThat(destination).containsEntry("outcome", "halted").containsEntry("status", 0L)
                .containsEntry("result", HumanUnits.hex64(expected)).containsEntry("workload", "wss")
                .containsKeys("memory-hash", "network-faults", "minor-faults", "fault-latency-us",
                        "progress-rate-during", "progress-rate-after");
        assertThat((String) destination.get("console")).contains("wss: done passes 400");

        assertThat(source.out().toString()).contains("status             completed", "pages-by-kind", "network-faults",
                "fault-latency", "progress-rate");
        assertThat(source.out().toString()).contains("wss: start"); // the console, echoed before the move
        assertThat(source.err().toString()).contains("vmm migrate: migrating to 127.0.0.1:" + port + " at progress ");
        assertThat(daemon.out().toString()).contains("migration ", ": incoming", ": arrived after ", ": faults: ",
                ": ended: halted, status 0, result " + HumanUnits.hex64(expected));
        assertThat(daemon.err().toString()).isEmpty();
    }

    @Test
    void wrongSecretFailsTheMigrationAndTheGuestFinishesAtTheSource() throws Exception {
        Path destinationJson = dir.resolve("destination.json");
        Path migrationJson = dir.resolve("migration.json");
        int port = startDaemon(destinationJson);
        Path other = Files.writeString(dir.resolve("other"), "not-the-daemon's-secret-0123456789\n");

        CapturedRun source = CapturedRun.vmm("migrate", "--migrate-to", "127.0.0.1:" + port, "--secret-file",
                other.toString(), "--mode", "postcopy", "--memory", "64M", "--workload", "wss", "--arg", "wss=4M",
                "--arg", "passes=400", "--after-progress", "2000", "--json", migrationJson.toString(), "--quiet");

        assertThat(source.exitCode()).as("stderr: %s", source.err()).isEqualTo(ExitCode.MIGRATION_FAILED.code());
        Map<String, Object> migration = JsonReader.parseObject(Files.readString(migrationJson));
        assertThat(migration).containsEntry("status", "failed");
        assertThat((String) migration.get("error-desc")).contains("keeps running on the source");
        long expected = WssReference.result(1, GUEST_ARGS);
        assertThat(source.out()).contains("status             failed", "error-desc",
                "result           " + HumanUnits.hex64(expected)); // the guest ran on at the source
        assertThat(source.err()).contains("vmm migrate: the migration failed: ",
                "vmm migrate: the guest ran on here and ended: halted, status 0, result " + HumanUnits.hex64(expected));
        // The daemon saw no authenticated migration and is still waiting.
        assertThat(daemon.exit().isDone()).isFalse();
        assertThat(destinationJson).doesNotExist();
    }
}
