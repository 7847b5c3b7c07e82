package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vmm demo} as users run it: a real multi-process migration (this test starts the demo's JVM,
 * which starts a destination and a source JVM) of a small guest, checked against the unmigrated run,
 * without and with self-ballooning.
 */
class DemoProcessIT {
    private static final long LIMIT_SECONDS = 120;

    /** Where the source holds the guest (--hold-at): 80 % of its run. */
    private static final long HOLD_AT = 2_048_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "dsb {0}")
    @ValueSource(strings = {"off", "on"})
    void demoMigratesBetweenTwoProcessesAndTheOracleFindsTheGuestIdentical(String dsb)
            throws IOException, InterruptedException {
        Path json = dir.resolve("demo.json");
        List<String> command = new ArrayList<>(ChildProcesses.javaCommand());
        // The migration starts early (once the balloon has had time to inflate). The source holds the guest at
        // 80 % of its 2,560,000 units until the migration is over, however long the set-up takes (a cold
        // destination builds its machine in 0.7 s, longer than this guest's whole run on a fast machine): exit
        // code 0 says it was still running at the switch-over.
        command.addAll(List.of("demo", "--memory", "64M", "--arg", "wss=4M", "--arg", "pattern=seq",
                "--arg", "passes=2500", "--after-progress", "20000", "--hold-at", Long.toString(HOLD_AT), "--json",
                json.toString(), "--timeout", "90s", "--dsb", dsb));
        if (dsb.equals("on")) {
            // The children's warm-up is shown by the case without the balloon; a cold source is slower to set
            // up, and slower to run its guest meanwhile.
            command.addAll(List.of("--dsb-interval", "100us", "--no-warm-up"));
        }
        VmmChild demo = VmmChild.run(dir, LIMIT_SECONDS, command).assertSucceeded(LIMIT_SECONDS);
        String stdout = demo.stdout();
        String stderr = demo.stderr();
        double seconds = demo.seconds();
        assertThat(Files.readString(json)).contains("\"oracle\": \"identical\"", "\"status\": \"completed\"",
                "\"mode\": \"postcopy\"");
        assertThat(stdout).contains("[destination] listening on 127.0.0.1:", "[source] wss: start",
                "[destination] migration ", "migration report (source):", "status             completed",
                "oracle: identical");
        assertThat(stdout.lines().filter(line -> line.startsWith("oracle: ")).toList()).singleElement().asString()
                .startsWith("oracle: identical (result 0x");
        assertThat(stderr).as("no library's logging warnings on the terminal").doesNotContain("SLF4J");
        // The source child gets the balloon's boot arguments, and the balloon kept its pages at home.
        Map<String, Object> report = org.migrationlab.migration.testing.JsonObjects.parse(Files.readString(json));
        assertThat(org.migrationlab.migration.testing.JsonObjects.keys(report)).as("keys in order")
                .isEqualTo(org.migrationlab.migration.testing.ReportKeys.MIGRATION);
        @SuppressWarnings("unchecked")
        Map<String, Object> progress = (Map<String, Object>) report.get("progress-rate");
        // -1 when the switch-over came before the guest got to the hold point.
        long heldAt = ((Number) progress.get("held-at")).longValue();
        assertThat(heldAt).as("where the source held the guest").satisfiesAnyOf(
                at -> assertThat(at).isEqualTo(-1), at -> assertThat(at).isBetween(HOLD_AT, 2_559_999L));
        assertThat(stdout.contains("the source held the guest at")).isEqualTo(heldAt >= 0);
        @SuppressWarnings("unchecked")
        Map<String, Object> balloon = (Map<String, Object>) report.get("balloon");
        assertThat(balloon).containsEntry("dsb", dsb);
        if (dsb.equals("on")) {
            assertThat(stdout).contains("--arg dsb=on", "--arg dsb-interval=100us");
            assertThat((Long) balloon.get("size-pages")).as("ballooned at the switch-over").isGreaterThan(10_000);
            assertThat((Long) report.get("duplicate") + (Long) report.get("normal"))
                    .isEqualTo(16_384 - (Long) balloon.get("size-pages"));
        }
        // The children's command lines name the demo's secret file; none of them may outlive the demo.
        String secretFile = stdout.lines().filter(line -> line.startsWith("vmm demo: destination: "))
                .map(line -> line.replaceFirst(".*--secret-file (\\S+).*", "$1")).findFirst().orElseThrow();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(secretFile))
                .toList()).as("processes still running with %s", secretFile).isEmpty();
        assertThat(Path.of(secretFile)).as("the secret is deleted").doesNotExist();
        System.out.printf("demo took %.1f s%n%s%n", seconds, stdout);
    }

    /**
     * A user's own guest gets the same one-command oracle: the counter example, migrated a quarter into its
     * work (a live migration), and hello, which reports no progress and ends within microseconds: it is
     * migrated at once, so what moves is a guest that has already ended — the oracle still finds it identical,
     * and the demo says that nothing live was migrated (exit code 4, and the report's flag).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"counter.elf", "hello.elf"})
    void demoOfAUsersOwnImageEndsIdentical(String name) throws IOException, InterruptedException {
        Path image = Files.write(dir.resolve(name), org.migrationlab.guest.GuestImages.load(name));
        Path json = dir.resolve("demo.json");
        List<String> command = new ArrayList<>(ChildProcesses.javaCommand());
        command.addAll(List.of("demo", "--image", image.toString(), "--memory", "32M", "--json", json.toString(),
                "--timeout", "90s"));
        boolean live = name.equals("counter.elf");
        if (live) {
            // Long enough (a few seconds) that a cold source JVM catches it running.
            command.addAll(List.of("--arg", "pages=2048", "--arg", "passes=40"));
        } else {
            // Nothing live can be migrated: warming the children up would only take time.
            command.add("--no-warm-up");
        }
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt")
                .toFile()).start();
        demo.getOutputStream().close();
        boolean exited = demo.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(dir.resolve("out.txt"));
        assertThat(exited).as(output).isTrue();
        assertThat(demo.exitValue()).as(output).isEqualTo(live ? ExitCode.SUCCESS.code()
                : ExitCode.NOTHING_LIVE_MIGRATED.code());
        assertThat(output).contains("oracle: identical (result 0x", "image " + image);
        Map<String, Object> report = org.migrationlab.migration.testing.JsonObjects.parse(Files.readString(json));
        assertThat(report).containsEntry("status", "completed").containsEntry("oracle", "identical")
                .containsEntry("guest-ended-before-switch-over", !live);
        if (live) {
            assertThat(output).contains("the migration starts at progress ", "[source] counter: pass 1 of 40",
                    "[destination] counter: done pages 2048 passes 40 result 0x");
        } else {
            assertThat(output).contains("the migration starts at once", "nothing live was migrated");
        }
    }
}
