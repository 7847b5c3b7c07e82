package org.migrationlab.migration.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.testing.KernelGuests;
import org.migrationlab.migration.progress.ProgressCounters;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.BalloonSummary;
import org.migrationlab.migration.report.DestinationReport;
import org.migrationlab.migration.report.FaultStats;
import org.migrationlab.migration.report.GuestOutcome;
import org.migrationlab.migration.report.ReportJson;
import org.migrationlab.migration.report.RunReport;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.CorruptingMachine;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.MemoryDigest;
import org.migrationlab.migration.testing.SteppedGuest;

/**
 * Negative controls of the oracle: a migration whose destination damages one page must be found
 * "differs", with what differs named. One flipped byte in a page the guest never reads again changes
 * nothing but the memory hash — so only the hash can catch it, and does, in pre-copy and in post-copy; a
 * dropped pre-copy resend leaves a stale page that the incrementer guest's own check and the hash catch (its
 * source guest is {@linkplain SteppedGuest stepped}, so that its pages change after they were first sent
 * however loaded the machine is).
 * The undamaged migration of the same guest is "identical" (the positive control). Each verdict is reached
 * as {@code vmm demo} reaches it: from the destination's JSON report, read back.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class OracleNegativeControlIT {
    private static final MachineConfig WSS = LoopbackMigration.config(8L << 20, "wss", 51, "wss=2M",
            "pattern=random", "passes=1000");
    private static final MachineConfig INCREMENTER = LoopbackMigration.config(8L << 20, "incrementer", 52,
            "range=1M", "sweeps=3000");

    private static LoopbackMigration.DigestedReference wss;
    private static RunReport wssUnmigrated;

    @BeforeAll
    static void references() throws Exception {
        LoopbackMigration.warmUp();
        wss = LoopbackMigration.digestedReference(WSS);
        wssUnmigrated = Oracle.referenceRun(LoopbackMigration.MACHINES, WSS, LoopbackMigration.KERNEL, "kernel",
                line -> { });
    }

    /** The highest page the unmigrated run left all zero: the guest never needed it. */
    private static long untouchedPage(MemoryDigest digest) {
        long zeroPage = digest.pageHashes()[0]; // the null guard is always zero
        for (int page = digest.pageHashes().length - 1; page > 0; page--) {
            if (digest.pageHashes()[page] == zeroPage) {
                return page;
            }
        }
        throw new AssertionError("the guest left no page zero");
    }

    @Test
    void anUndamagedMigrationIsIdentical() throws Exception {
        Verdict verdict = migrateAndCompare(WSS, wssUnmigrated, MigrationConfig.defaults(MigrationMode.PRECOPY),
                wss.reference(), LoopbackMigration.Options.heldAt(wss.reference()));
        assertThat(verdict.finding()).as(verdict.describe()).isEqualTo(Verdict.Finding.IDENTICAL);
    }

    @Test
    void oneFlippedByteOfAnInstalledPageIsFoundByTheMemoryHashAlone() throws Exception {
        long page = untouchedPage(wss.digest());
        CorruptingMachine[] machine = new CorruptingMachine[1];
        Verdict verdict = migrateAndCompare(WSS, wssUnmigrated, MigrationConfig.defaults(MigrationMode.PRECOPY),
                wss.reference(), LoopbackMigration.Options.heldAt(wss.reference()).withDestinationMachines(
                        m -> machine[0] = CorruptingMachine.flippingOneByte(m, page, 1234)));
        assertThat(machine[0].flips()).as("page %d arrived and was flipped", page).isPositive();
        assertThat(verdict.finding()).as(verdict.describe()).isEqualTo(Verdict.Finding.DIFFERS);
        assertThat(verdict.details()).as("only the memory hash can see a byte nobody reads").singleElement()
                .asString().startsWith("memory hash: migrated ").contains(", unmigrated "
                        + org.migrationlab.emulator.port.GuestSummary.hex(wssUnmigrated.memoryHash()));
    }

    @Test
    void oneFlippedByteOfAPostcopyPageIsFoundByTheMemoryHashAlone() throws Exception {
        long page = untouchedPage(wss.digest());
        CorruptingMachine[] machine = new CorruptingMachine[1];
        Verdict verdict = migrateAndCompare(WSS, wssUnmigrated, MigrationConfig.defaults(MigrationMode.POSTCOPY)
                        .withPrepage("push"), wss.reference(), LoopbackMigration.Options.heldAt(wss.reference())
                        .withDestinationMachines(m -> machine[0] = CorruptingMachine.flippingOneByte(m, page, 4095)));
        assertThat(machine[0].flips()).as("page %d arrived and was flipped", page).isEqualTo(1);
        assertThat(verdict.finding()).as(verdict.describe()).isEqualTo(Verdict.Finding.DIFFERS);
        assertThat(verdict.details()).singleElement().asString().startsWith("memory hash: migrated ");
    }

    @Test
    void aDroppedPrecopyResendLeavesAStalePageTheOracleFinds() throws Exception {
        RunReport unmigrated = Oracle.referenceRun(LoopbackMigration.MACHINES, INCREMENTER, LoopbackMigration.KERNEL,
                "kernel", line -> { });
        // Where to start migrating follows from the run's progress at its end: no second unmigrated run.
        GuestOutcome.Halted halted = (GuestOutcome.Halted) unmigrated.outcome();
        LoopbackMigration.Reference reference = new LoopbackMigration.Reference(new LoopbackMigration.GuestOutcome(
                halted.result(), halted.status(), unmigrated.console(), unmigrated.memoryHash()),
                unmigrated.progress().values().get(ProgressCounters.PROGRESS));
        long[] range = KernelGuests.incrementerRange(unmigrated.console());
        long first = range[0] / 4096;
        long last = first + range[1];
        CorruptingMachine[] machine = new CorruptingMachine[1];
        // The source guest stands still while round 0 sends, then makes two sweeps: every page of its range
        // changed after it was sent, so every one is sent again (by round 1 or the stop-and-copy), whatever
        // the load; the destination drops the first of those second copies.
        Verdict verdict = migrateAndCompare(INCREMENTER, unmigrated, MigrationConfig.defaults(MigrationMode.PRECOPY),
                reference, LoopbackMigration.Options.defaults()
                        .withSourceMachines(m -> new SteppedGuest(m, SteppedGuest.runs(2 * range[1], 1)))
                        .withDestinationMachines(
                                m -> machine[0] = CorruptingMachine.droppingOneResend(m, p -> p >= first && p < last)));
        assertThat(machine[0].droppedPage()).as("a page of the incrementer's range was sent again and dropped")
                .isBetween(first, last - 1);
        assertThat(verdict.finding()).as(verdict.describe()).isEqualTo(Verdict.Finding.DIFFERS);
        assertThat(verdict.details()).anySatisfy(d -> assertThat(d).startsWith("memory hash: migrated "));
        assertThat(verdict.details()).as("the guest's own check failed on the stale page")
                .anySatisfy(d -> assertThat(d).startsWith("status: migrated 1, unmigrated 0"));
    }

    /** Migrates, then compares the destination's report, written and read back as JSON, with the unmigrated run. */
    private static Verdict migrateAndCompare(MachineConfig config, RunReport unmigrated, MigrationConfig migration,
                                             LoopbackMigration.Reference reference,
                                             LoopbackMigration.Options options) throws Exception {
        LoopbackMigration.Result result = LoopbackMigration.migrate(config, migration, reference.finalProgress() / 4,
                options);
        assertThat(result.report().completed()).as(result.report().error()).isTrue();
        assertThat(result.progressAfterSwitchOver()).as("a live guest was migrated").isPositive();
        LoopbackMigration.GuestOutcome migrated = result.destination();
        DestinationReport report = new DestinationReport(UUID.randomUUID().toString(), config.bootArgs().workload(),
                config.ramBytes(), config.bootArgs().seed(), config.bootArgs().args(),
                new GuestOutcome.Halted(migrated.result(), migrated.status()), OptionalLong.of(migrated.memoryHash()),
                migrated.console(), FaultStats.NONE, Double.NaN, Double.NaN, BalloonSummary.NONE);
        Verdict verdict = Oracle.compare(unmigrated, ReportJson.readDestinationReport(ReportJson.render(report)));
        System.out.println(config.bootArgs().workload() + ", " + migration.mode() + ": " + verdict.describe());
        return verdict;
    }
}
