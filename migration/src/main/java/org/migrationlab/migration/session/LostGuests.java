package org.migrationlab.migration.session;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;

/**
 * The guests a restarted destination ran and no longer runs: its journal, read as it starts, shows them
 * owned here ({@code destination-owns} last), and no process of this incarnation holds them, so the
 * process that ran them died. A source still paused in post-copy for one of them gets ABORT(GUEST_LOST),
 * its proof that the destination's copy is gone (PROTOCOL §5.7). So does a source of a guest that never ran
 * here: the journal shows its migration ended, or its process died, before the switch-over reached this side
 * (docs/FAULTS.md). Silence never makes a guest lost: only this journal does.
 */
public final class LostGuests {
    /** Nothing journaled (no state directory): no guest is ever declared lost. */
    public static final LostGuests NONE = new LostGuests(Set.of(), Set.of(), OwnershipJournal.NONE);

    private final Set<UUID> lost;
    private final Set<UUID> neverRan;
    private final OwnershipJournal journal;

    LostGuests(Set<UUID> lost, OwnershipJournal journal) {
        this(lost, Set.of(), journal);
    }

    LostGuests(Set<UUID> lost, Set<UUID> neverRan, OwnershipJournal journal) {
        this.lost = Set.copyOf(lost);
        this.neverRan = Set.copyOf(neverRan);
        this.journal = journal;
    }

    /**
     * From the latest entry of each migration in this side's journal, read before this process takes any
     * migration: owned here, or already handed back to its source by an earlier answer.
     *
     * @param journal where the hand-back is journaled (rolled-back, owner source) before it is answered
     */
    public static LostGuests fromJournal(List<JournalEntry> latest, OwnershipJournal journal) {
        return new LostGuests(latest.stream()
                .filter(e -> e.phase() == Phase.DESTINATION_OWNS && e.owner() == Owner.DESTINATION
                        || e.phase() == Phase.ROLLED_BACK && e.owner() == Owner.SOURCE)
                .map(JournalEntry::migrationId).collect(Collectors.toSet()),
                latest.stream().filter(LostGuests::neverRanHere).map(JournalEntry::migrationId)
                        .collect(Collectors.toSet()), journal);
    }

    /**
     * Still receiving when its process died ({@code source-owns}), or failed before the switch-over got here
     * ({@code failed}, owner source: a session that switched over journals its failure as the destination's).
     * Either way no process of this side can resume it any more.
     */
    private static boolean neverRanHere(JournalEntry e) {
        return e.owner() == Owner.SOURCE && (e.phase() == Phase.SOURCE_OWNS || e.phase() == Phase.FAILED);
    }

    public boolean contains(UUID migrationId) {
        return lost.contains(migrationId);
    }

    /** Whether the journal shows that migration's guest never ran here (it ended before its switch-over). */
    public boolean neverRan(UUID migrationId) {
        return neverRan.contains(migrationId);
    }

    public Set<UUID> neverRanIds() {
        return neverRan;
    }

    public Set<UUID> ids() {
        return lost;
    }

    /**
     * Journals that the guest goes back to its source, durably, before the source may hear it. Throws when
     * it cannot be made durable: the answer is then an ordinary refusal, and the source keeps waiting.
     */
    void handBack(UUID migrationId) {
        journal.record(migrationId, Phase.ROLLED_BACK, Owner.SOURCE);
    }
}
