package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.oracle.Oracle;
import org.migrationlab.migration.oracle.Verdict;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.vmm.netns.WatchedProcess;
import org.migrationlab.vmm.testing.CapturedRun;

/**
 * The operator's fence in real processes: a destination killed (SIGKILL) in post-copy and never restarted
 * leaves the source redialling in postcopy-paused; {@code vmm rollback --state-dir DIR} makes it resume its
 * own copy, and the guest ends on the source exactly as its unmigrated run. A fence given while the source
 * is still in post-copy with its destination alive is refused, and changes nothing.
 */
class OperatorFenceProcessIT {
    private static final String PASSES = "600";
    private static final long LIMIT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void aFenceOutsidePostcopyPausedIsRefusedAndOneAfterTheDestinationDiedRollsTheGuestBackIdentical()
            throws Exception {
        RunReport unmigrated = Oracle.referenceRun(BalloonedMachines.factory(), config(),
                GuestOptions.builtInKernel(), GuestOptions.BUILT_IN_KERNEL, line -> { });
        Path secret = PartitionIT.writeSecret(dir);
        Path state = Files.createDirectory(dir.resolve("state"));
        Path migrationJson = dir.resolve("migration.json");
        Path outcomeJson = dir.resolve("outcome.json");
        // Before any vmm migrate runs there: a usage error. This also loads the client's (Netty's) classes in
        // this JVM, so that the refused fence below is not slowed by them while the post-copy it must beat runs.
        CapturedRun nobody = CapturedRun.vmm("rollback", "--state-dir", state.toString());
        assertThat(nobody.exitCode()).as(nobody.out() + nobody.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(nobody.err()).contains("no vmm migrate answers on --state-dir");
        try (WatchedProcess destination = WatchedProcess.start("destination", vmm("daemon", "--listen",
                "127.0.0.1:0", "--once", "--no-warm-up", "--quiet", "--secret-file", secret.toString()))) {
            String address = destination.await("listening on", 60).orElseThrow(
                    () -> new AssertionError("no listener: " + destination.output())).text()
                    .replaceFirst(".*listening on ", "");
            try (WatchedProcess source = WatchedProcess.start("source", vmm("migrate", "--migrate-to", address,
                    "--secret-file", secret.toString(), "--mode", "postcopy", "--bandwidth", "100mbit",
                    "--faults", "delay urgent 1ms at postcopy 10%", "--state-dir", state.toString(),
                    "--json", migrationJson.toString(), "--outcome-json", outcomeJson.toString(),
                    "--recover-timeout", "60s", "--no-warm-up", "--quiet", "--workload", "wss", "--memory", "32M",
                    "--seed", "1", "--arg", "wss=16M", "--arg", "pattern=seq", "--arg", "passes=" + PASSES))) {
                assertThat(source.await("fault fired: delay urgent", 60)).as(source.output()).isPresent();

                CapturedRun early = CapturedRun.vmm("rollback", "--state-dir", state.toString());
                assertThat(early.exitCode()).as(early.out() + early.err()).isEqualTo(1);
                assertThat(early.err()).contains("refused: no migration of this source is in postcopy-paused");

                destination.process().destroyForcibly(); // SIGKILL, and no restart: the machine is gone
                assertThat(source.await("postcopy-paused", 30)).as(source.output()).isPresent();
                long fenceStart = System.nanoTime();
                CapturedRun fence = CapturedRun.vmm("rollback", "--state-dir", state.toString(), "--reason",
                        "test: destination killed");
                assertThat(fence.exitCode()).as(fence.out() + fence.err() + source.output()).isZero();
                assertThat(fence.out()).contains("vmm rollback: rolled-back ");
                double fenceSeconds = (System.nanoTime() - fenceStart) / 1e9;

                Integer exit = source.waitFor(LIMIT_SECONDS);
                String output = source.output();
                assertThat(exit).as(output).isEqualTo(ExitCode.MIGRATION_FAILED.code());
                MigrationReport report = ReportJson.readMigrationReport(Files.readString(migrationJson));
                assertThat(report.status()).as(output).isEqualTo(MigrationReport.ROLLED_BACK);
                assertThat(report.recovery().rollback().why()).startsWith("operator fence:").contains(
                        "test: destination killed");
                DestinationReport ranOn = ReportJson.readDestinationReport(Files.readString(outcomeJson));
                Verdict verdict = Oracle.compare(unmigrated, ranOn);
                assertThat(verdict.finding()).as("%s%n%s", verdict, output).isEqualTo(Verdict.Finding.IDENTICAL);
                System.out.printf(java.util.Locale.ROOT, "fence: vmm rollback answered rolled-back after %.2f s (in this"
                        + " JVM); rollback-time %.0f ms from the link's loss%n", fenceSeconds,
                        report.recovery().rollback().rollbackMs());
            }
        }
        CapturedRun status = CapturedRun.vmm("status", "--state-dir", state.toString());
        assertThat(status.out().lines().filter(line -> line.contains("rolled-back")).toList()).as(status.out())
                .hasSize(1).allMatch(line -> line.contains("source"));
    }

    private static MachineConfig config() {
        return GuestOptions.machineConfig(VmmCommand.commandLine(), 32L << 20, "wss", List.of(Map.entry("wss", "16M"),
                Map.entry("pattern", "seq"), Map.entry("passes", PASSES)), 1, false);
    }

    private static List<String> vmm(String... args) {
        List<String> command = new ArrayList<>(ChildProcesses.javaCommand());
        command.addAll(List.of(args));
        return command;
    }
}
