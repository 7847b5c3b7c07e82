package org.migrationlab.vmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.migrationlab.balloon.device.BalloonedMachines;
import org.migrationlab.migration.oracle.Oracle;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.vmm.testing.CapturedRun;

/**
 * The warm-up really migrates: pre-copy, post-copy (of a running guest) and pre-copy again of its tiny
 * guest over loopback, each completed, with pages moved the way its mode moves them, and each checked by
 * the oracle against the unmigrated run; {@code vmm warm-up} says so and exits with 0.
 */
class WarmUpTest {
    /**
     * The post-copy migration's hold point lies inside the guest's work, after the start: the guest parks
     * there, still running, if the switch-over comes late (as it once did on a loaded machine, and the guest
     * had ended before it).
     */
    @Test
    void thePostcopyHoldPointLiesBetweenTheStartAndTheGuestsEnd() throws InterruptedException {
        RunReport unmigrated = Oracle.referenceRun(BalloonedMachines.factory(), WarmUp.GUEST,
                GuestOptions.builtInKernel(), GuestOptions.BUILT_IN_KERNEL, line -> { });

        assertThat(WarmUp.POSTCOPY_HOLD_AT).isGreaterThan(WarmUp.START_AT_PROGRESS)
                .isLessThan(unmigrated.progress().progress());
        assertThat(unmigrated.progress().progress() - WarmUp.POSTCOPY_HOLD_AT)
                .as("work left after the hold point").isEqualTo(unmigrated.progress().progress() / 10);
    }

    @Test
    void warmUpMigratesItsGuestPrecopyPostcopyPrecopyAndTheOracleFindsItIdentical() throws InterruptedException {
        WarmUp.Result result = WarmUp.run();

        assertThat(result.steps()).extracting(WarmUp.Step::mode)
                .containsExactly(MigrationMode.PRECOPY, MigrationMode.POSTCOPY, MigrationMode.PRECOPY);
        for (WarmUp.Step step : result.steps()) {
            MigrationReport report = step.report();
            assertThat(report.completed()).as("%s: %s", step.mode(), report.error()).isTrue();
            assertThat(report.transfer().remainingBytes()).as("%s: bytes remaining", step.mode()).isZero();
            assertThat(step.verdict().identical()).as("%s: %s", step.mode(), step.verdict().describe()).isTrue();
            assertThat(step.verdict().describe()).contains("result 0x", "memory hash");
        }
        MigrationReport postcopy = result.steps().get(1).report();
        assertThat(postcopy.scheme().mode()).isEqualTo("postcopy");
        assertThat(postcopy.scheme().guestEndedBeforeSwitchOver())
                .as("post-copy moved a running guest").isFalse();
        assertThat(postcopy.phases().postcopyBytes()).as("pages moved after the switch-over").isPositive();
        assertThat(result.steps().get(0).report().phases().postcopyBytes()).as("pre-copy moves nothing after it")
                .isZero();
        assertThat(result.allIdentical()).isTrue();
        assertThat(result.nanos()).isGreaterThanOrEqualTo(result.steps().stream().mapToLong(WarmUp.Step::nanos).sum());
        assertThat(result.durableWrites()).as("nothing written without --state-dir").isZero();
    }

    /**
     * With {@code --state-dir} the warm-up also takes the durable path — the source's checkpoint at each
     * post-copy switch-over and both ends' journal entries — in a scratch directory that it deletes.
     */
    @Test
    void theDurableWarmUpCheckpointsAndJournalsInAScratchDirectoryItDeletes() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        java.util.function.Supplier<java.util.Set<java.nio.file.Path>> scratchDirs = () -> {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(tmp)) {
                return files.filter(f -> f.getFileName().toString().startsWith(WarmUpStateDir.scratchPrefix()))
                        .collect(java.util.stream.Collectors.toSet());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        // only this process's: other test JVMs may warm up at the same time
        java.util.Set<java.nio.file.Path> before = scratchDirs.get();

        WarmUp.Result result = WarmUp.run(true);

        assertThat(result.allIdentical()).isTrue();
        // One checkpoint (the post-copy switch-over) and, per migration, the source's and the destination's
        // entries: source-owns, switch-over-sent, destination-owns, completed on each side at least.
        assertThat(result.durableWrites()).isGreaterThanOrEqualTo(1 + 3 * 4);
        assertThat(scratchDirs.get()).as("scratch directories left behind").isSubsetOf(before);
    }

    @Test
    void warmUpCommandPrintsOneLinePerMigrationAndExitsWithZero() {
        CapturedRun run = CapturedRun.vmm("warm-up");

        assertThat(run.exitCode()).as("stdout: %s; stderr: %s", run.out(), run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("vmm warm-up: oracle (the guest unmigrated) in ");
        assertThat(lines.get(1)).startsWith("vmm warm-up: precopy in ").contains(": completed, downtime ",
                "oracle: identical");
        assertThat(lines.get(2)).startsWith("vmm warm-up: postcopy in ").contains(": completed, downtime ",
                "oracle: identical");
        assertThat(lines.get(3)).startsWith("vmm warm-up: precopy in ").contains("oracle: identical");
        assertThat(lines.get(4)).startsWith("vmm warm-up: done in ");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void warmUpIsHiddenFromTheCommandList() {
        CapturedRun help = CapturedRun.vmm("--help");

        assertThat(help.out()).contains("daemon").doesNotContain("warm-up");
    }
}
