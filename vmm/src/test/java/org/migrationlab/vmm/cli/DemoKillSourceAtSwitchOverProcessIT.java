package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.vmm.testing.CapturedRun;

/**
 * A source killed with SIGKILL at its switch-over, before the destination resumed the guest, in real
 * processes. The destination's session ends before the switch-over reached it; the --once daemon stays to
 * tell the source's successor ({@code vmm migrate --recover}) that the guest never ran there (GUEST_LOST), and
 * the successor runs the guest again from its checkpoint: the guest ends exactly as the unmigrated run, and it
 * never ran on both sides.
 */
class DemoKillSourceAtSwitchOverProcessIT {
    private static final long LIMIT_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void aSourceKilledAtTheSwitchOverBeforeTheDestinationResumedRunsTheGuestAgainFromItsCheckpoint()
            throws IOException, InterruptedException {
        Path json = dir.resolve("demo.json");
        Path state = Files.createDirectory(dir.resolve("state"));
        // The bulk connection falls silent as SWITCH_OVER is written, so SWITCH_OVER is still held in the killed
        // source when it dies: the destination never resumes the guest, whatever the machine's load.
        List<String> command = VmmChild.demoCommand("silence bulk at switch-over; kill source at switch-over", state,
                json, "--memory", "64M", "--arg", "wss=16M", "--arg", "pattern=seq", "--arg", "passes=200",
                "--timeout", "90s");
        VmmChild demo = VmmChild.run(dir, LIMIT_SECONDS, command).assertSucceeded(LIMIT_SECONDS);
        String stdout = demo.stdout();
        String stderr = demo.stderr();
        System.out.printf("the demo took %.1f s%n", demo.seconds());
        assertThat(stderr).contains("[source] vmm migrate: fault fired: kill source at switch-over",
                "[source, recovering] vmm migrate: recovering migration ",
                "[source, recovering] vmm migrate: the destination never ran the guest");
        assertThat(stdout).contains("vmm demo: killed the source (SIGKILL; exit code 137;",
                "the guest never ran here; waiting up to",
                "told its source that the guest never ran here (GUEST_LOST)",
                "status             rolled-back", "restarted on source: the destination never ran the guest",
                "oracle: identical (result 0x")
                .doesNotContain("the guest is lost");
        // The destination never resumed the guest: it never said it arrived, nor printed its console.
        assertThat(stdout.lines().filter(line -> line.startsWith("[destination] migration ")
                && line.contains(": arrived after "))).isEmpty();
        System.out.println(stdout.lines().filter(line -> line.startsWith("restarted on source: ")).findFirst()
                .orElse(""));

        String text = Files.readString(json);
        assertThat(text).contains("\"status\": \"rolled-back\"", "\"oracle\": \"identical\"",
                "\"rolled-back-to\": \"switch-over\"", "\"source-restart\"");
        MigrationReport report = ReportJson.readMigrationReport(text);
        assertThat(report.recovery().rollback().killToResumeMs()).as(text).isPositive();

        // Never on both sides: the destination's journal never gave it the guest; both sides journaled the
        // hand-back (the destination before it answered, the new source before it ran the guest).
        CapturedRun status = CapturedRun.vmm("status", "--state-dir", state.toString());
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).as(status.out()).doesNotContain("destination-owns");
        assertThat(status.out().lines().filter(line -> line.contains("rolled-back")).toList())
                .as(status.out()).hasSize(2).allMatch(line -> line.contains("source"));

        // The rolled-back migration is not served a second time.
        CapturedRun again = CapturedRun.vmm("migrate", "--recover", state.toString(), "--secret-file",
                Files.writeString(dir.resolve("secret"), "another-secret-0123456789abcdef\n").toString(), "--quiet",
                "--no-warm-up");
        assertThat(again.exitCode()).as("stderr: %s", again.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(again.err()).contains("was rolled back to the source");
    }
}
