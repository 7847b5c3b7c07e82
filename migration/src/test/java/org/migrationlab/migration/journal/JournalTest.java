package org.migrationlab.migration.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class JournalTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Journal.Details DETAILS = new Journal.Details("wss, 512 MiB", "127.0.0.1:7000", "7");

    /** A store in memory, for the journal's own rules. */
    static final class MemoryStore implements JournalStore {
        final List<JournalEntry> entries = new ArrayList<>();
        boolean failing;

        @Override
        public void append(JournalEntry entry) {
            if (failing) {
                throw new IllegalStateException("disk full");
            }
            entries.add(entry);
        }

        @Override
        public List<JournalEntry> entries() {
            return EntryCodec.sorted(entries);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aSuccessfulMigrationNumbersItsTransitionsAndRaisesTheEpochWhenTheOwnerChanges() {
        MemoryStore store = new MemoryStore();
        OwnershipJournal port = new Journal(store, CLOCK).port(() -> DETAILS);
        UUID id = UUID.randomUUID();

        port.record(id, Phase.SOURCE_OWNS, Owner.SOURCE);
        port.record(id, Phase.SWITCH_OVER_SENT, Owner.SOURCE);
        port.record(id, Phase.DESTINATION_OWNS, Owner.DESTINATION);
        port.record(id, Phase.COMPLETED, Owner.DESTINATION);

        assertThat(store.entries).extracting(JournalEntry::sequence, JournalEntry::phase, JournalEntry::epoch)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, Phase.SOURCE_OWNS, 1L),
                        org.assertj.core.groups.Tuple.tuple(1, Phase.SWITCH_OVER_SENT, 1L),
                        org.assertj.core.groups.Tuple.tuple(2, Phase.DESTINATION_OWNS, 2L),
                        org.assertj.core.groups.Tuple.tuple(3, Phase.COMPLETED, 2L));
        assertThat(store.entries).allSatisfy(e -> {
            assertThat(e.guest()).isEqualTo("wss, 512 MiB");
            assertThat(e.peer()).isEqualTo("127.0.0.1:7000");
            assertThat(e.faultPlanSeed()).isEqualTo("7");
            assertThat(e.updatedAt()).isEqualTo(CLOCK.instant());
        });
    }

    @Test
    void aJournalReopenedOnItsStoreContinuesEachMigrationsSequenceAndEpoch() {
        MemoryStore store = new MemoryStore();
        UUID id = UUID.randomUUID();
        new Journal(store, CLOCK).record(id, Phase.SWITCH_OVER_SENT, Owner.SOURCE, DETAILS);
        new Journal(store, CLOCK).record(id, Phase.DESTINATION_OWNS, Owner.DESTINATION, DETAILS);

        Journal reopened = new Journal(store, CLOCK);

        assertThat(reopened.latest()).singleElement().satisfies(e -> {
            assertThat(e.sequence()).isEqualTo(1);
            assertThat(e.epoch()).isEqualTo(2);
        });
    }

    @Test
    void aTransitionThatCannotBeMadeDurableThrowsButTheBestEffortRecordOfAFailureDoesNot() {
        MemoryStore store = new MemoryStore();
        OwnershipJournal port = new Journal(store, CLOCK).port(() -> DETAILS);
        store.failing = true;
        UUID id = UUID.randomUUID();

        assertThatThrownBy(() -> port.record(id, Phase.SWITCH_OVER_SENT, Owner.SOURCE)).hasMessage("disk full");
        port.recordBestEffort(id, Phase.FAILED, Owner.SOURCE);
        port.recordBestEffort(null, Phase.FAILED, Owner.SOURCE);
        assertThat(store.entries).isEmpty();
    }
}
