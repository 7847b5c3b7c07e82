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
import org.migrationlab.migration.oracle.Oracle;
import org.migrationlab.migration.oracle.Verdict;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.vmm.netns.WatchedProcess;
import org.migrationlab.vmm.testing.CapturedRun;

/**
 * SIGKILL in pre-copy, in real processes, on either side. Before the switch-over the guest is the source's
 * alone (PROTOCOL §5.1): a killed destination leaves it running on the source to the end its unmigrated run
 * has, and a restarted daemon finds nothing it lost; a killed source takes its guest with it, and the
 * destination ends its session at once (no slot held until a timeout).
 */
class KillInPrecopyProcessIT {
    private static final String PASSES = "600";
    private static final List<String> GUEST = List.of("--workload", "wss", "--memory", "32M", "--seed", "1",
            "--arg", "wss=16M", "--arg", "pattern=seq", "--arg", "passes=" + PASSES);

    @TempDir
    Path dir;

    @Test
    void aDestinationKilledInPrecopyLeavesTheGuestOnTheSourceIdenticalAndNothingStrandedOnRestart()
            throws Exception {
        RunReport unmigrated = Oracle.referenceRun(BalloonedMachines.factory(), GuestOptions.machineConfig(
                VmmCommand.commandLine(), 32L << 20, "wss", List.of(Map.entry("wss", "16M"),
                        Map.entry("pattern", "seq"), Map.entry("passes", PASSES)), 1, false),
                GuestOptions.builtInKernel(), GuestOptions.BUILT_IN_KERNEL, line -> { });
        Path secret = PartitionIT.writeSecret(dir);
        Path state = Files.createDirectory(dir.resolve("state"));
        Path outcomeJson = dir.resolve("outcome.json");
        String address;
        try (WatchedProcess destination = daemon(secret, state, "127.0.0.1:0")) {
            address = listening(destination);
            try (WatchedProcess source = source(address, secret, "--outcome-json", outcomeJson.toString())) {
                assertThat(source.await("fault fired: delay bulk", 60)).as(source.output()).isPresent();
                destination.process().destroyForcibly(); // SIGKILL in pre-copy
                Integer exit = source.waitFor(60);
                String output = source.output();
                assertThat(exit).as(output).isEqualTo(ExitCode.MIGRATION_FAILED.code());
                assertThat(output).contains("the guest ran on here and ended");
                DestinationReport ranOn = ReportJson.readDestinationReport(Files.readString(outcomeJson));
                Verdict verdict = Oracle.compare(unmigrated, ranOn);
                assertThat(verdict.finding()).as("%s%n%s", verdict, output).isEqualTo(Verdict.Finding.IDENTICAL);
            }
        }
        // The restarted daemon reads its journal: the guest was never its own, so it holds nothing for it.
        try (WatchedProcess restarted = daemon(secret, state, address)) {
            listening(restarted);
            assertThat(restarted.output()).doesNotContain("whose guest an earlier daemon ran here and lost");
        }
    }

    @Test
    void aSourceKilledInPrecopyEndsTheDestinationsSessionAtOnce() throws Exception {
        Path secret = PartitionIT.writeSecret(dir);
        Path state = Files.createDirectory(dir.resolve("state"));
        try (WatchedProcess destination = daemon(secret, state, "127.0.0.1:0")) {
            String address = listening(destination);
            try (WatchedProcess source = source(address, secret)) {
                assertThat(source.await("fault fired: delay bulk", 60)).as(source.output()).isPresent();
                source.process().destroyForcibly(); // SIGKILL: the kernel closes its connections
                long killed = System.nanoTime();
                WatchedProcess.Line failed = destination.await(": failed: ", 30).orElseThrow(
                        () -> new AssertionError("the destination kept the session: " + destination.output()));
                // At once: the closed connection, not the peer timeout (3 s), ends it.
                assertThat((failed.nanos() - killed) / 1e9).as(destination.output()).isLessThan(2.0);
                System.out.printf(java.util.Locale.ROOT, "source killed in pre-copy: the destination ended its"
                        + " session %.2f s later%n", (failed.nanos() - killed) / 1e9);
            }
            CapturedRun status = CapturedRun.vmm("status", "--state-dir", state.toString());
            assertThat(status.out()).as(status.out()).contains("failed");
        }
    }

    private static WatchedProcess daemon(Path secret, Path state, String listen) throws java.io.IOException {
        return WatchedProcess.start("destination", vmm("daemon", "--listen", listen, "--no-warm-up", "--quiet",
                "--secret-file", secret.toString(), "--state-dir", state.toString()));
    }

    private static WatchedProcess source(String address, Path secret, String... more) throws java.io.IOException {
        List<String> args = new ArrayList<>(List.of("migrate", "--migrate-to", address, "--secret-file",
                secret.toString(), "--mode", "precopy", "--bandwidth", "100mbit",
                // A fault that changes nothing that matters here, at the event the test waits for.
                "--faults", "delay bulk 1ms at precopy 10%", "--no-warm-up", "--quiet"));
        args.addAll(GUEST);
        args.addAll(List.of(more));
        return WatchedProcess.start("source", vmm(args.toArray(String[]::new)));
    }

    private static String listening(WatchedProcess daemon) throws InterruptedException {
        return daemon.await("listening on", 60).orElseThrow(() -> new AssertionError("no listener: "
                + daemon.output())).text().replaceFirst(".*listening on ", "");
    }

    private static List<String> vmm(String... args) {
        List<String> command = new ArrayList<>(ChildProcesses.javaCommand());
        command.addAll(List.of(args));
        return command;
    }
}
