package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A destination that dies in post-copy (PROTOCOL §5.7), modelled in one JVM: at {@code kill destination at
 * postcopy 40%} its listener and connections go away with no goodbye, and a new destination takes its port.
 * With its journal's proof that it lost the guest, its answer to the source's RECOVER makes the source resume
 * its frozen copy, and the guest ends exactly as an unmigrated run. Without that proof (a destination that
 * remembers nothing), or when the link only goes silent, the source never rolls back.
 */
@Timeout(120)
class DestinationDeathRollbackIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(32L << 20, "wss", 31, "wss=24M",
            "pattern=seq", "write-ratio=1", "passes=150");
    private static final TransportConfig TRANSPORT = TransportConfig.of(LoopbackMigration.SECRET);
    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    /** What the restarted destination journaled, as (phase, owner). */
    private record Journaled(Phase phase, Owner owner) {
    }

    /** Runs the migration; at the kill the first destination goes away and a restarted one takes its port. */
    private LoopbackMigration.Result migrateThroughDeath(boolean journalProof, List<Journaled> journaled,
                                                        AtomicLong killedAt) throws Exception {
        OwnershipJournal journal = (id, phase, owner) -> journaled.add(new Journaled(phase, owner));
        try (DyingDestination destination = new DyingDestination(TRANSPORT, LoopbackMigration.MACHINES, () -> { })) {
            LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                    .withFaults(FaultPlan.parse("kill destination at postcopy 40%"),
                            destination.faultLog(journalProof, journal));
            try {
                return LoopbackMigration.migrateTo(destination.address(), destination.incoming(), GUEST,
                        MigrationConfig.defaults(MigrationMode.POSTCOPY).withRecoverTimeout(30_000),
                        reference.finalProgress() / 4, options);
            } finally {
                killedAt.set(destination.killedAtNanos());
            }
        }
    }

    @Test
    void aDestinationThatDiesInPostcopyAndProvesItLostTheGuestGetsItRolledBackToTheSource() throws Exception {
        List<Journaled> journaled = new CopyOnWriteArrayList<>();
        AtomicLong killedAt = new AtomicLong();
        LoopbackMigration.Result result = migrateThroughDeath(true, journaled, killedAt);

        MigrationReport report = result.report();
        assertThat(report.status()).as(report.error()).isEqualTo(MigrationReport.ROLLED_BACK);
        assertThat(report.error()).contains("GUEST_LOST", "rolled back");
        MigrationReport.Rollback rollback = report.recovery().rollback();
        assertThat(rollback).isNotNull();
        assertThat(rollback.point()).isEqualTo("switch-over");
        assertThat(rollback.postcopyPagesLost()).isPositive();
        assertThat(rollback.rollbackMs()).isPositive();
        System.out.printf("destination death in post-copy: guest running again on the source %.1f ms after the"
                + " link broke (%d post-copy pages lost with the destination)%n", rollback.rollbackMs(),
                rollback.postcopyPagesLost());
        // The oracle: the guest went back to the switch-over and ended as if it had never moved.
        assertThat(result.source()).isEqualTo(reference.outcome());
        assertThat(journaled).containsExactly(new Journaled(Phase.ROLLED_BACK, Owner.SOURCE));
    }

    @Test
    void aRestartedDestinationWithoutProofLeavesTheSourcesCopyPaused() {
        List<Journaled> journaled = new CopyOnWriteArrayList<>();
        AtomicLong killedAt = new AtomicLong();
        // A destination that remembers nothing of the migration cannot tell a lost guest from one that runs
        // elsewhere: the source keeps its paused copy (no split brain) and the migration fails.
        assertThatThrownBy(() -> migrateThroughDeath(false, journaled, killedAt))
                .hasMessageContaining("the migration failed after the destination took the guest")
                .hasMessageNotContaining("rolled back");
        assertThat(journaled).isEmpty();
    }

    @Test
    void aSilentLinkInPostcopyIsRecoveredNeverRolledBack() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        // Silent for twice a peer timeout of a second (the default is 3 s), which the test waits out.
        TransportConfig patient = TRANSPORT.withPeerTimeout(1_000);
        LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                .withTransports(patient, patient)
                .withFaults(FaultPlan.parse("silence bulk at postcopy 40% for 2s"), log::add);
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST,
                MigrationConfig.defaults(MigrationMode.POSTCOPY), reference.finalProgress() / 4, options);

        assertThat(log).anyMatch(line -> line.startsWith("fault fired: silence bulk"));
        assertThat(result.report().status()).as(result.report().error()).isEqualTo("completed");
        assertThat(result.report().recovery().rollback()).isNull();
        assertThat(result.report().recovery().recoveries()).isPositive();
        assertThat(result.destination()).isEqualTo(reference.outcome());
    }
}
