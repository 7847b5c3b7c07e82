package org.migrationlab.migration.journal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One side's journal: numbers each migration's transitions, keeps its epoch, and appends the entries to a
 * store. It picks up where a store left off, so a restarted process continues a migration's sequence.
 * Thread-safe: a daemon's sessions share one.
 */
public final class Journal {
    /** What a side knows of the migration besides its phase. */
    public record Details(String guest, String peer, String faultPlanSeed) {
        public static final Details NONE = new Details("", "", "");
    }

    private final JournalStore store;
    private final Clock clock;
    private final Map<UUID, JournalEntry> last = new HashMap<>();

    public Journal(JournalStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        for (JournalEntry entry : store.entries()) {
            last.merge(entry.migrationId(), entry, (a, b) -> a.sequence() >= b.sequence() ? a : b);
        }
    }

    /** Appends the transition (it outlives this process when this returns) and returns its entry. */
    public synchronized JournalEntry record(UUID migrationId, Phase phase, Owner owner, Details details) {
        JournalEntry previous = last.get(migrationId);
        int sequence = previous == null ? 0 : previous.sequence() + 1;
        long epoch = previous == null ? 1 : previous.epoch() + (previous.owner() == owner ? 0 : 1);
        JournalEntry entry = new JournalEntry(migrationId, sequence, phase, owner, epoch, details.guest(),
                details.peer(), details.faultPlanSeed(), clock.instant());
        store.append(entry);
        last.put(migrationId, entry);
        return entry;
    }

    /** The port for one session (or one side's sessions), with what that side knows at each transition. */
    public OwnershipJournal port(Supplier<Details> details) {
        return (migrationId, phase, owner) -> record(migrationId, phase, owner, details.get());
    }

    /** Each migration's latest entry, by migration id. */
    public synchronized List<JournalEntry> latest() {
        return EntryCodec.sorted(new ArrayList<>(last.values()));
    }
}
