package org.migrationlab.migration.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.session.DestinationSession;
import org.migrationlab.migration.session.MigrationConfig;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.transport.MigrationClient;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * What a post-copy destination tells its ownership journal, in order: its switch-over begins before it records
 * that it owns the guest, and ends after (RESUMED handed over), so the journal's disk flush waits out the
 * restore and the resume; a switch-over that fails on its own entry still ends the hold.
 */
@Timeout(120)
class DestinationJournalEventsIT {
    private static final MachineConfig GUEST = LoopbackMigration.config(16L << 20, "wss", 47, "wss=4M",
            "pattern=seq", "passes=400");

    /** Records each call; refuses the record of {@code failing} (null: none). */
    private static final class RecordingJournal implements OwnershipJournal {
        final List<String> events = new CopyOnWriteArrayList<>();
        private final Phase failing;

        RecordingJournal(Phase failing) {
            this.failing = failing;
        }

        @Override
        public void record(UUID migrationId, Phase phase, Owner owner) {
            if (phase == failing) {
                events.add("refused " + phase);
                throw new IllegalStateException("the journal's disk is full (test)");
            }
            events.add("record " + phase + " " + owner);
        }

        @Override
        public void switchOverBegins() {
            events.add("switch-over begins");
        }

        @Override
        public void switchOverEnded() {
            events.add("switch-over ended");
        }
    }

    @Test
    void theDestinationHoldsItsJournalsFlushFromItsOwnEntryUntilItResumed() throws Exception {
        RecordingJournal journal = new RecordingJournal(null);
        SourceOutcome outcome = migrate(journal);
        assertThat(outcome).isInstanceOf(SourceOutcome.Migrated.class);
        assertThat(journal.events).containsExactly("record " + Phase.SOURCE_OWNS + " " + Owner.SOURCE,
                "switch-over begins", "record " + Phase.DESTINATION_OWNS + " " + Owner.DESTINATION,
                "switch-over ended", "record " + Phase.COMPLETED + " " + Owner.DESTINATION);
    }

    @Test
    void aSwitchOverThatFailsOnItsOwnEntryStillEndsTheHold() throws Exception {
        RecordingJournal journal = new RecordingJournal(Phase.DESTINATION_OWNS);
        SourceOutcome outcome = migrate(journal);
        assertThat(outcome).isNotInstanceOf(SourceOutcome.Migrated.class);
        assertThat(journal.events).containsSubsequence("switch-over begins", "refused " + Phase.DESTINATION_OWNS,
                "switch-over ended");
        assertThat(journal.events.stream().filter("switch-over ended"::equals)).hasSize(1);
    }

    private static SourceOutcome migrate(OwnershipJournal journal) throws Exception {
        TransportConfig transport = TransportConfig.of(LoopbackMigration.SECRET);
        try (LoopbackDestination destination = new LoopbackDestination(LoopbackMigration.SECRET, 1, 1L << 30, 60_000);
             MigrationClient client = new MigrationClient(transport, line -> { })) {
            // Set before the session's first record arrives: the callback runs as the session is opened.
            CompletableFuture<DestinationSession> opened = destination.nextSession();
            opened.thenAccept(session -> session.journal(journal));
            SourceOutcome outcome = OutgoingMigration.run(new OutgoingMigration.Request(LoopbackMigration.MACHINES,
                    GUEST, LoopbackMigration.KERNEL, new StartTrigger.AtProgress(1),
                    MigrationConfig.defaults(MigrationMode.POSTCOPY), client, destination.address(),
                    transport.replyTimeoutMillis()), new OutgoingMigration.Observer() {
                    });
            if (outcome instanceof SourceOutcome.Migrated) {
                DestinationSession arrived = opened.get(30, TimeUnit.SECONDS);
                arrived.arrival().get(30, TimeUnit.SECONDS);
                IncomingMigration.receive(arrived, new IncomingMigration.Observer() {
                });
            }
            return outcome;
        }
    }
}
