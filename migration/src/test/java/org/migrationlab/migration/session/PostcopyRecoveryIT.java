package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Post-copy recovery (PROTOCOL §5.6): a link that breaks after the switch-over — a connection closed, or
 * silent past the peer timeout — pauses the migration at both ends; the source reconnects, the
 * destination says which pages it holds, the source resends exactly the rest, and the guest ends at the
 * destination exactly as an unmigrated run (the oracle). Nothing arrives twice. When the destination
 * cannot be reached again, the source gives up at its recover timeout with a clear error.
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class PostcopyRecoveryIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(32L << 20, "wss", 31, "wss=24M",
            "pattern=seq", "write-ratio=1", "passes=150");
    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    private record Run(String plan, List<String> log, long firedAt, LoopbackMigration.Result result) {
        String describe() {
            return "plan " + plan + ", fault log " + log;
        }
    }

    private static Run migrate(String plan) throws Exception {
        return migrate(plan, TransportConfig.of(LoopbackMigration.SECRET));
    }

    private static Run migrate(String plan, TransportConfig transport) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicLong firedAt = new AtomicLong();
        LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                .withTransports(transport, transport)
                .withFaults(FaultPlan.parse(plan), line -> {
                    firedAt.compareAndSet(0, System.nanoTime());
                    log.add(line);
                });
        LoopbackMigration.Result result = LoopbackMigration.migrate(GUEST, MigrationConfig.defaults(MigrationMode.POSTCOPY),
                reference.finalProgress() / 4, options);
        return new Run(plan, log, firedAt.get(), result);
    }

    private static void assertRecoveredIdentically(Run run) {
        MigrationReport report = run.result().report();
        assertThat(run.log()).as(run.describe()).anyMatch(line -> line.startsWith("fault fired: "));
        assertThat(report.status()).as(report.error() + "; " + run.describe()).isEqualTo("completed");
        assertThat(report.recovery().recoveries()).as(run.describe()).isGreaterThanOrEqualTo(1);
        assertThat(report.recovery().recoveryMs()).as(run.describe()).isPositive();
        assertThat(report.pages().resentPages()).as("duplicates, " + run.describe()).isZero();
        assertThat(run.result().destination()).as("the migrated guest's end, " + run.describe())
                .isEqualTo(reference.outcome());
        System.out.printf("%s: %d recovery(ies), recovery time %.1f ms, %d pages lost in flight and resent%n",
                run.plan(), report.recovery().recoveries(), report.recovery().recoveryMs(),
                report.recovery().lostPagesResent());
    }

    @Test
    void closingTheBulkConnectionInPostcopyIsRecoveredAndTheGuestEndsIdentically() throws Exception {
        Run run = migrate("close bulk at postcopy 30%");

        assertRecoveredIdentically(run);
    }

    @Test
    void closingTheUrgentConnectionInPostcopyIsRecoveredAndTheGuestEndsIdentically() throws Exception {
        Run run = migrate("close urgent at postcopy 30%");

        assertRecoveredIdentically(run);
    }

    @Test
    void aSilenceLongerThanThePeerTimeoutInPostcopyIsRecoveredAndTheGuestEndsIdentically() throws Exception {
        // A peer timeout of a second (the default is 3 s): the test waits it out.
        long peerTimeoutMillis = 1_000;
        Run run = migrate("silence bulk at postcopy 30% for 2s",
                TransportConfig.of(LoopbackMigration.SECRET).withPeerTimeout(peerTimeoutMillis));

        assertRecoveredIdentically(run);
        // The loss is found only once the peer timeout passed without a byte.
        assertThat(run.result().report().recovery().recoveryMs()).as(run.describe())
                .isLessThan(peerTimeoutMillis + 2_000.0);
    }

    @Test
    void aSourceThatCannotReachTheDestinationAgainGivesUpAtItsRecoverTimeout() throws Exception {
        long recoverTimeoutMillis = 1_500;
        AtomicLong firedAt = new AtomicLong();
        AtomicLong endedAt = new AtomicLong();
        LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(LoopbackMigration.SECRET), 1,
                1L << 30, 60_000, 1_000);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable goAway = () -> {
            if (closed.compareAndSet(false, true)) {
                destination.close(); // the destination's host goes away
            }
        };
        try {
            CompletableFuture<DestinationSession> incoming = destination.nextSession();
            LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                    .withFaults(FaultPlan.parse("close bulk at postcopy 30%"), line -> {
                        firedAt.compareAndSet(0, System.nanoTime());
                        Thread.ofVirtual().start(goAway);
                    });
            MigrationConfig config = MigrationConfig.defaults(MigrationMode.POSTCOPY).withRecoverTimeout(recoverTimeoutMillis);
            assertThatThrownBy(() -> {
                try {
                    LoopbackMigration.migrateTo(destination.address(), incoming, GUEST, config,
                            reference.finalProgress() / 4, options);
                } finally {
                    endedAt.set(System.nanoTime());
                }
            }).hasMessageContaining("post-copy recovery gave up after 1500 ms")
                    .hasMessageContaining("cannot be recovered by reconnecting");
            double seconds = (endedAt.get() - firedAt.get()) / 1e9;
            System.out.printf("unreachable destination: the source gave up %.2f s after the link broke%n", seconds);
            assertThat(seconds).isBetween(recoverTimeoutMillis / 1e3, recoverTimeoutMillis / 1e3 + 10);
            assertThat(incoming.get(10, TimeUnit.SECONDS).arrival()).failsWithin(10, TimeUnit.SECONDS);
        } finally {
            goAway.run();
        }
    }
}
