package org.migrationlab.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.emulator.port.GuestEnd;
import org.migrationlab.migration.faults.FaultPlan;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.report.MigrationReport;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * {@code --retries}: a migration that fails while the guest is still the source's (a connection closed in
 * pre-copy) starts again after a backoff, as a new migration, and the guest still ends exactly as its
 * unmigrated run. Without retries the same fault leaves the guest on the source.
 */
@Timeout(120)
class RetriesIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 47, "wss=8M",
            "pattern=seq", "write-ratio=1", "passes=600");
    private static LoopbackMigration.Reference reference;

    @BeforeAll
    static void warmUp() throws Exception {
        LoopbackMigration.warmUp();
        reference = LoopbackMigration.reference(GUEST);
    }

    private record Run(SourceOutcome outcome, List<String> retries, List<DestinationSession> sessions,
                       LoopbackMigration.GuestOutcome migrated) {
    }

    private static Run migrate(Retries retries) throws Exception {
        List<String> retried = new CopyOnWriteArrayList<>();
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET)
                .withFaults(FaultPlan.parse("close bulk at precopy 30%"));
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 1, 1L << 30, 60_000);
             MigrationClient client = new MigrationClient(transport, line -> { })) {
            SourceOutcome outcome = OutgoingMigration.run(new OutgoingMigration.Request(LoopbackMigration.MACHINES,
                    GUEST, LoopbackMigration.KERNEL, new StartTrigger.AtProgress(reference.finalProgress() / 5),
                    MigrationConfig.defaults(MigrationMode.PRECOPY), client, destination.address(),
                    transport.replyTimeoutMillis()), new OutgoingMigration.Observer() {
                        @Override
                        public void retrying(int retry, int of, long backoffMillis, MigrationReport failed) {
                            retried.add(retry + " of " + of + " after " + backoffMillis + " ms: " + failed.error());
                        }
                    }, OwnershipJournal.NONE, retries);
            LoopbackMigration.GuestOutcome migrated = null;
            if (outcome instanceof SourceOutcome.Migrated) {
                DestinationSession arrived = destination.sessions().stream()
                        .filter(s -> !s.arrival().isCompletedExceptionally()).findFirst().orElseThrow();
                arrived.arrival().get(30, TimeUnit.SECONDS);
                IncomingMigration.Outcome ended = IncomingMigration.receive(arrived, new IncomingMigration.Observer() {
                });
                IncomingMigration.Outcome.Ended end = (IncomingMigration.Outcome.Ended) ended;
                GuestEnd.Halted halt = (GuestEnd.Halted) end.end();
                migrated = new LoopbackMigration.GuestOutcome(halt.result(), halt.status(), end.summary().console(),
                        end.summary().memoryHash());
            }
            return new Run(outcome, retried, destination.sessions(), migrated);
        }
    }

    @Test
    void aMigrationThatFailedWithTheGuestStillHereStartsAgainAndCompletes() throws Exception {
        Run run = migrate(new Retries(2, 20));

        assertThat(run.retries()).as("retries").hasSize(1);
        assertThat(run.retries().getFirst()).startsWith("1 of 2 after 20 ms: ");
        assertThat(run.outcome()).as(run.retries().toString()).isInstanceOf(SourceOutcome.Migrated.class);
        assertThat(run.sessions()).as("a session per attempt").hasSize(2);
        assertThat(run.migrated()).as("the migrated guest's end").isEqualTo(reference.outcome());
    }

    @Test
    void withoutRetriesTheSameFaultLeavesTheGuestOnTheSource() throws Exception {
        Run run = migrate(Retries.NONE);

        assertThat(run.retries()).isEmpty();
        assertThat(run.outcome()).isInstanceOf(SourceOutcome.Failed.class);
        assertThat(((SourceOutcome.Failed) run.outcome()).ranOnHere()).isPresent();
    }

    @Test
    void backoffDoublesUpToItsCap() {
        Retries retries = new Retries(10, 500);
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(retries::backoffMillis).toList())
                .containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 10_000L);
    }
}
