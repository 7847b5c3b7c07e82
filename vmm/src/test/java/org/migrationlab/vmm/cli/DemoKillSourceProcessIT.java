package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.vmm.testing.CapturedRun;

/**
 * A source killed with SIGKILL in post-copy, in real processes: this test starts the demo's JVM, which starts
 * a destination and a source JVM, kills the source at {@code kill source at postcopy 40%} and, once it is
 * dead, starts {@code vmm migrate --recover} on its state directory. The new source reconnects to the
 * destination (waiting in postcopy-paused), serves exactly the pages it lacks, and the guest ends at the
 * destination exactly as the unmigrated run.
 */
class DemoKillSourceProcessIT {
    /** Every wait is bounded: a demo that never recovers (its destination gives up after 30 s) fails well within. */
    private static final long LIMIT_SECONDS = 150;
    private static final Pattern KILLED = Pattern.compile(
            "vmm demo: killed the source \\(SIGKILL; exit code 137; pid ([0-9]+) is gone\\)");
    private static final Pattern RECOVERING = Pattern.compile("vmm demo: the recovering source runs as pid ([0-9]+)");

    @TempDir
    Path dir;

    @Test
    void aSourceKilledInPostcopyIsReplacedFromItsStateDirectoryAndTheGuestEndsIdentical()
            throws IOException, InterruptedException {
        Path json = dir.resolve("demo.json");
        Path state = Files.createDirectory(dir.resolve("state"));
        // A 100 Mbit/s link stretches post-copy over seconds, so the kill lands while pages are still owed, and
        // half of the guest's 64 MiB carries data, so the new source sends pages of data, not only zero pages.
        List<String> command = VmmChild.demoCommand("kill source at postcopy 40%", state, json,
                "--memory", "64M", "--arg", "wss=32M", "--arg", "pattern=seq", "--arg", "passes=200", "--bandwidth",
                "100mbit", "--timeout", "120s");
        VmmChild demo = VmmChild.run(dir, LIMIT_SECONDS, command).assertSucceeded(LIMIT_SECONDS);
        String stdout = demo.stdout();
        String stderr = demo.stderr();
        System.out.printf("the demo took %.1f s%n", demo.seconds());
        assertThat(stderr).contains("[source] vmm migrate: fault fired: kill source at postcopy 40%",
                "[source, recovering] vmm migrate: recovering migration ");
        assertThat(stdout).contains("status             completed", "source-restart     this process took migration",
                "source restart: a new source process finished the migration", "oracle: identical (result 0x")
                .doesNotContain("the guest is lost");

        // The killed source was dead (SIGKILL, reaped, its pid gone) before its successor started, and is still.
        Matcher killed = KILLED.matcher(stdout);
        assertThat(killed.find()).as(stdout).isTrue();
        Matcher recovering = RECOVERING.matcher(stdout);
        assertThat(recovering.find()).as(stdout).isTrue();
        assertThat(killed.start()).as("the kill is reported before the new source starts").isLessThan(
                recovering.start());
        long killedPid = Long.parseLong(killed.group(1));
        assertThat(Long.parseLong(recovering.group(1))).isNotEqualTo(killedPid);
        assertThat(ProcessHandle.of(killedPid).filter(ProcessHandle::isAlive)).as("pid %d", killedPid).isEmpty();

        // The report is the new source's: it served exactly the pages the destination lacked, none twice.
        String text = Files.readString(json);
        assertThat(text).contains("\"status\": \"completed\"", "\"oracle\": \"identical\"", "\"source-restart\"",
                "\"switch-reason\": \"restarted\"");
        MigrationReport report = ReportJson.readMigrationReport(text);
        MigrationReport.SourceRestart restart = report.recovery().restart();
        assertThat(restart).as(text).isNotNull();
        assertThat(restart.restarts()).isEqualTo(1);
        assertThat(restart.pagesOwed()).as(text).isPositive().isLessThan(report.pages().guestPages());
        assertThat(restart.pagesServed()).as(text).isEqualTo(restart.pagesOwed());
        assertThat(report.pages().resentPages()).as(text).isZero();
        assertThat(report.transfer().normalPages()).as("pages of data, not only zero pages: %s", text).isPositive();
        assertThat(restart.reconnectedAtEpochMs()).as(text).isPositive()
                .isLessThanOrEqualTo(restart.completedAtEpochMs());
        assertThat(restart.killToCompleteMs()).as(text).isPositive()
                .isGreaterThanOrEqualTo(restart.completedAtEpochMs() - restart.reconnectedAtEpochMs());
        System.out.println(stdout.lines().filter(line -> line.startsWith("source restart: ")).findFirst().orElse(""));

        // The new source journaled the completion in the same state directory, and a second --recover refuses.
        CapturedRun status = CapturedRun.vmm("status", "--state-dir", state.toString());
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).as(status.out()).contains("completed");
        CapturedRun again = CapturedRun.vmm("migrate", "--recover", state.toString(), "--secret-file",
                Files.writeString(dir.resolve("secret"), "another-secret-0123456789abcdef\n").toString(), "--quiet",
                "--no-warm-up");
        assertThat(again.exitCode()).as("stderr: %s", again.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(again.err()).contains("already completed").doesNotContain("Exception", "\tat ");
    }
}
