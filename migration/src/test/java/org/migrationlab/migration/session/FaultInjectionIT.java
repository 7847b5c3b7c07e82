package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.testing.ForwardingMigratable;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * Fault plans injected into real loopback migrations (docs/FAULTS.md), and liveness (PROTOCOL §3.5): a
 * link that goes silent is detected by both ends within the peer timeout; before the switch-over the
 * guest then ends on the source exactly as an unmigrated run (the oracle), and the destination frees its
 * only migration slot. A plan that a migration survives (a short silence, delays) still migrates the
 * guest identically. Every failure message names the plan, which replays it. After the switch-over a
 * broken link is recovered (PostcopyRecoveryIT).
 */
@ExtendWith(NoLeaks.class)
@Timeout(120)
class FaultInjectionIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(32L << 20, "wss", 31, "wss=24M",
            "pattern=seq", "write-ratio=1", "passes=150");
    private static final long PEER_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(TransportConfig.DEFAULT_PEER_TIMEOUT_MILLIS);
    /** How the destination learns of a silent link: by itself, from the source's ABORT, or by the source's close. */
    private static final String SILENCE_SEEN = "(TIMEOUT: peer silent for .*|the peer aborted: TIMEOUT: peer silent for .*"
            + "|CONNECTION_LOST: the source closed the .*)";
    private static final Map<MachineConfig, LoopbackMigration.Reference> REFERENCES = new ConcurrentHashMap<>();

    private static LoopbackMigration.Reference reference(MachineConfig guest) {
        return REFERENCES.computeIfAbsent(guest, LoopbackMigration::reference);
    }

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
    }

    /** One faulted migration to a destination with a single slot, with the instants that matter. */
    private static final class Run {
        final FaultPlan plan;
        final List<String> log = new CopyOnWriteArrayList<>();
        final AtomicLong firedAt = new AtomicLong();
        final AtomicLong sourceResumedAt = new AtomicLong();
        final AtomicLong destinationFailedAt = new AtomicLong();
        LoopbackMigration.Result result;
        Throwable sourceLostGuest;
        Throwable destinationFailure;
        boolean slotFreed;

        Run(String plan) {
            this.plan = FaultPlan.parse(plan);
        }

        String describe() {
            return "plan " + plan.print() + ", fault log " + log;
        }
    }

    private static Run migrate(String plan, MigrationMode mode) throws Exception {
        Run run = new Run(plan);
        LoopbackMigration.Reference reference = reference(GUEST);
        LoopbackMigration.Options options = LoopbackMigration.Options.heldAt(reference)
                .withFaults(run.plan, line -> {
                    run.firedAt.compareAndSet(0, System.nanoTime());
                    run.log.add(line);
                })
                .withSourceMachines(machine -> new ForwardingMigratable(machine) {
                    @Override
                    public CompletableFuture<Void> resume() {
                        run.sourceResumedAt.compareAndSet(0, System.nanoTime()); // the source took its guest back
                        return super.resume();
                    }
                });
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 1, 1L << 30, 60_000)) {
            CompletableFuture<DestinationSession> incoming = destination.nextSession();
            incoming.thenAccept(session -> session.arrival().whenComplete((arrival, failure) -> {
                if (failure != null) {
                    run.destinationFailedAt.compareAndSet(0, System.nanoTime());
                }
            }));
            try {
                run.result = LoopbackMigration.migrateTo(destination.address(), incoming, GUEST,
                        MigrationConfig.defaults(mode), reference.finalProgress() / 4, options);
            } catch (AssertionError e) {
                run.sourceLostGuest = e; // failed after the switch-over: the guest was the destination's
            }
            DestinationSession session = incoming.get(10, TimeUnit.SECONDS);
            try {
                session.arrival().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                run.destinationFailure = e.getCause();
            }
            destination.destinations().released(session.id()).get(10, TimeUnit.SECONDS);
            run.slotFreed = destination.destinations().guestsHeld() == 0;
        }
        return run;
    }

    /** The guest ran on at the source and ended exactly as the unmigrated run: nothing of it was lost. */
    private static void assertGuestEndedOnTheSource(Run run) {
        LoopbackMigration.Reference reference = reference(GUEST);
        assertThat(run.sourceLostGuest).as(run.describe()).isNull();
        MigrationReport report = run.result.report();
        assertThat(report.status()).as(run.describe()).isEqualTo("failed");
        assertThat(report.error()).as(run.describe()).endsWith("(the guest keeps running on the source)");
        assertThat(run.result.source()).as("the source guest's end, " + run.describe()).isEqualTo(reference.outcome());
        assertThat(run.result.finalProgress()).as(run.describe()).isEqualTo(reference.finalProgress());
        assertThat(run.slotFreed).as("the destination's only slot is free again, " + run.describe()).isTrue();
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    @Test
    void closingTheBulkConnectionAt30PercentOfPrecopyLeavesTheGuestOnTheSource() throws Exception {
        Run run = migrate("close bulk at precopy 30%", MigrationMode.PRECOPY);

        assertThat(run.log).as(run.describe()).singleElement().asString()
                .startsWith("fault fired: close bulk at precopy 30% (pre-copy round 0, ");
        assertGuestEndedOnTheSource(run);
        assertThat(run.result.report().error()).as(run.describe()).contains("BULK");
        // The destination sees the bulk connection close, or first the source's ABORT on the urgent one.
        assertThat(run.destinationFailure).as(run.describe()).hasMessageMatching(
                "(CONNECTION_LOST: the source closed the BULK connection .*|the peer aborted: CANCELLED: .*BULK.*)");
    }

    @Test
    void aLinkThatGoesSilentInPrecopyIsDetectedByBothEndsWithinThePeerTimeout() throws Exception {
        Run run = migrate("silence bulk at precopy 20%", MigrationMode.PRECOPY);

        assertGuestEndedOnTheSource(run);
        assertThat(run.result.report().error()).as(run.describe())
                .containsPattern("peer silent for \\d\\.\\d s: nothing from the destination on the BULK connection");
        double source = seconds(run.firedAt.get(), run.sourceResumedAt.get());
        double destination = seconds(run.firedAt.get(), run.destinationFailedAt.get());
        System.out.printf("silent link in pre-copy: source detected it after %.2f s, destination after %.2f s%n",
                source, destination);
        assertThat(source).as("source detection, s; " + run.describe()).isBetween(0.0, PEER_TIMEOUT_NANOS / 1e9 + 0.5);
        assertThat(destination).as("destination detection, s; " + run.describe()).isBetween(0.0, PEER_TIMEOUT_NANOS / 1e9 + 0.5);
        // Either it saw the silence itself, or the source, having seen it first, said so on the urgent connection
        // or closed the connection.
        assertThat(run.destinationFailure).as(run.describe()).hasMessageMatching(SILENCE_SEEN);
    }

    @Test
    void aSilenceShorterThanThePeerTimeoutIsRiddenOutAndTheGuestMigratesIdentically() throws Exception {
        Run run = migrate("silence bulk at precopy 20% for 1500ms; silence urgent at precopy 30% for 1s",
                MigrationMode.PRECOPY);

        assertThat(run.sourceLostGuest).as(run.describe()).isNull();
        assertThat(run.log).as(run.describe()).hasSize(2);
        assertThat(run.result.report().status()).as(run.result.report().error() + "; " + run.describe()).isEqualTo("completed");
        assertThat(run.result.destination()).as(run.describe()).isEqualTo(reference(GUEST).outcome());
        assertThat(run.result.report().timing().totalMs()).as("the silence really held the migration up")
                .isGreaterThan(1_500);
    }

    @Test
    void delayedRecordsStillMigrateTheGuestIdentically() throws Exception {
        Run run = migrate("seed=5; delay bulk 1ms-4ms at precopy round 0; delay urgent 1ms at switch-over",
                MigrationMode.HYBRID);

        assertThat(run.result.report().status()).as(run.result.report().error() + "; " + run.describe()).isEqualTo("completed");
        assertThat(run.result.destination()).as(run.describe()).isEqualTo(reference(GUEST).outcome());
    }

    @Test
    void aCorruptedPageIsRefusedByTheDestinationAndTheGuestStaysOnTheSource() throws Exception {
        Run run = migrate("corrupt 1 page at precopy 20%", MigrationMode.PRECOPY);

        assertGuestEndedOnTheSource(run);
        assertThat(run.result.report().error()).as(run.describe()).contains("BAD_CRC");
        assertThat(((ProtocolException) run.destinationFailure).reason()).isEqualTo(AbortReason.BAD_CRC);
    }
}
