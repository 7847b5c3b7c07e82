package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.ProtocolException;

/**
 * Which guests a restarted destination declares lost, from its journal, and how it answers their recovery:
 * only a guest its journal shows running here counts, and the hand-back is journaled before the answer.
 */
class LostGuestsTest {
    private static JournalEntry latest(UUID id, Phase phase, Owner owner) {
        return new JournalEntry(id, 3, phase, owner, 2, "wss", "", "", Instant.EPOCH);
    }

    @Test
    void onlyGuestsOwnedHereWhenTheProcessDiedOrAlreadyHandedBackAreLost() {
        UUID running = UUID.randomUUID();
        UUID handedBack = UUID.randomUUID();
        UUID receiving = UUID.randomUUID();
        UUID completed = UUID.randomUUID();
        UUID failed = UUID.randomUUID();
        LostGuests lost = LostGuests.fromJournal(List.of(
                latest(running, Phase.DESTINATION_OWNS, Owner.DESTINATION),
                latest(handedBack, Phase.ROLLED_BACK, Owner.SOURCE),
                latest(receiving, Phase.SOURCE_OWNS, Owner.SOURCE),      // the source still ran it
                latest(completed, Phase.COMPLETED, Owner.DESTINATION),   // the source released its copy
                latest(failed, Phase.FAILED, Owner.SOURCE)), (id, phase, owner) -> { });

        assertThat(lost.ids()).containsExactlyInAnyOrder(running, handedBack);
        assertThat(LostGuests.NONE.ids()).isEmpty();
    }

    /**
     * A guest still being received when the process died, or whose migration failed before the switch-over got
     * here (journaled with the source as owner), never ran here: its source may take it back. A guest that ran
     * here and failed (owner destination), or completed, did run here.
     */
    @Test
    void guestsReceivingWhenTheProcessDiedOrFailedBeforeTheSwitchOverNeverRanHere() {
        UUID receiving = UUID.randomUUID();
        UUID failedBefore = UUID.randomUUID();
        UUID failedAfter = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        UUID completed = UUID.randomUUID();
        LostGuests lost = LostGuests.fromJournal(List.of(
                latest(receiving, Phase.SOURCE_OWNS, Owner.SOURCE),
                latest(failedBefore, Phase.FAILED, Owner.SOURCE),
                latest(failedAfter, Phase.FAILED, Owner.DESTINATION),
                latest(running, Phase.DESTINATION_OWNS, Owner.DESTINATION),
                latest(completed, Phase.COMPLETED, Owner.DESTINATION)), (id, phase, owner) -> { });

        assertThat(lost.neverRanIds()).containsExactlyInAnyOrder(receiving, failedBefore);
        assertThat(lost.neverRan(failedAfter)).isFalse();
        assertThat(lost.neverRan(running)).isFalse();
        assertThat(LostGuests.NONE.neverRanIds()).isEmpty();
    }

    @Test
    void aRecoverOfAGuestThatNeverRanHereIsAnsweredGuestLostOnceJournaledAndSaysSoThenReportsTheAnswer() {
        UUID id = UUID.randomUUID();
        List<String> journaled = new ArrayList<>();
        LostGuests lost = new LostGuests(java.util.Set.of(), java.util.Set.of(id), (m, phase, owner) -> journaled.add(
                m + " " + phase + " " + owner));
        List<String> told = new ArrayList<>();
        LostGuestSink sink = new LostGuestSink(id, lost, false, () -> told.add("told"));

        sink.closed(null);
        assertThat(told).as("nothing was answered yet").isEmpty();
        assertThatThrownBy(() -> sink.received(new MigrationRecord.Recover(65_537), null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(AbortReason.GUEST_LOST))
                .hasMessageContaining("never ran at this destination");
        assertThat(journaled).containsExactly(id + " ROLLED_BACK SOURCE");
        sink.closed(null);
        assertThat(told).containsExactly("told");
    }

    @Test
    void aRecoverIsAnsweredGuestLostOnlyOnceTheHandBackIsJournaled() {
        UUID id = UUID.randomUUID();
        List<String> journaled = new ArrayList<>();
        LostGuests lost = new LostGuests(java.util.Set.of(id), (m, phase, owner) -> journaled.add(m + " " + phase
                + " " + owner));
        LostGuestSink sink = new LostGuestSink(id, lost);

        assertThatThrownBy(() -> sink.received(new MigrationRecord.Recover(1), null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(AbortReason.GUEST_LOST));
        assertThat(journaled).containsExactly(id + " ROLLED_BACK SOURCE");
    }

    @Test
    void aHandBackThatCannotBeJournaledIsAnOrdinaryRefusalNeverGuestLost() {
        UUID id = UUID.randomUUID();
        LostGuests lost = new LostGuests(java.util.Set.of(id), (m, phase, owner) -> {
            throw new IllegalStateException("disk full");
        });

        assertThatThrownBy(() -> new LostGuestSink(id, lost).received(new MigrationRecord.Recover(1), null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(AbortReason.BAD_STATE))
                .hasMessageContaining("disk full");
    }

    @Test
    void anythingButRecoverIsRefusedWithoutJournaling() {
        UUID id = UUID.randomUUID();
        List<String> journaled = new ArrayList<>();
        LostGuests lost = new LostGuests(java.util.Set.of(id), (m, phase, owner) -> journaled.add("any"));

        assertThatThrownBy(() -> new LostGuestSink(id, lost).received(new MigrationRecord.PagesDone(1), null))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(AbortReason.UNEXPECTED_RECORD));
        assertThat(journaled).isEmpty();
    }
}
