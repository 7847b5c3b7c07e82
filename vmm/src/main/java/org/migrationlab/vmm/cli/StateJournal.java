package org.migrationlab.vmm.cli;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Supplier;

import org.migrationlab.migration.journal.FlushGate;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.JournalFiles;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.journal.chronicle.ChronicleJournalStore;
import org.migrationlab.migration.session.LostGuests;

/**
 * {@code --state-dir}: this side's journal in that directory, open for the command's life. Without the
 * option nothing is opened or written, and the sessions get the no-op journal.
 */
final class StateJournal implements AutoCloseable {
    private final ChronicleJournalStore store;
    private final Journal journal;
    /** Holds the store's disk flushes back while one of this side's migrations switches over. */
    private final FlushGate flushes;

    private StateJournal(ChronicleJournalStore store, FlushGate flushes) {
        this.store = store;
        this.journal = store == null ? null : new Journal(store, Clock.systemUTC());
        this.flushes = flushes;
    }

    /** @param stateDir null: no journal */
    static StateJournal open(Path stateDir, Owner side) {
        return open(stateDir, side, new FlushGate());
    }

    /** @param stateDir null: no journal; {@code flushes} holds its disk flushes back while it is held */
    static StateJournal open(Path stateDir, Owner side, FlushGate flushes) {
        if (stateDir == null) {
            return new StateJournal(null, flushes);
        }
        try {
            return new StateJournal(ChronicleJournalStore.openForWriting(JournalFiles.of(stateDir, side), flushes),
                    flushes);
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new UserInputException("--state-dir " + stateDir + ": " + e.getMessage());
        }
    }

    /**
     * The guests an earlier process on this state directory ran as the destination and lost with it: read
     * once, before this process takes any migration (docs/JOURNAL.md).
     */
    LostGuests lostGuests() {
        return journal == null ? LostGuests.NONE
                : LostGuests.fromJournal(journal.latest(), journal.port(() -> Journal.Details.NONE));
    }

    /** The migration's latest entry in this journal; empty without a journal or an entry. */
    java.util.Optional<org.migrationlab.migration.journal.JournalEntry> latest(java.util.UUID migrationId) {
        return journal == null ? java.util.Optional.empty()
                : journal.latest().stream().filter(e -> e.migrationId().equals(migrationId)).findFirst();
    }

    /** The sessions' journal: records with {@code details}, its flushes held while a session switches over. */
    OwnershipJournal port(Supplier<Journal.Details> details) {
        if (journal == null) {
            return OwnershipJournal.NONE;
        }
        OwnershipJournal records = journal.port(details);
        return new OwnershipJournal() {
            @Override
            public void record(UUID migrationId, Phase phase, Owner owner) {
                records.record(migrationId, phase, owner);
            }

            @Override
            public void switchOverBegins() {
                flushes.hold();
            }

            @Override
            public void switchOverEnded() {
                flushes.release();
            }
        };
    }

    /** Waits until every entry recorded so far is on the disk (tests). */
    void awaitOnDisk() throws InterruptedException {
        if (store != null) {
            store.awaitOnDisk();
        }
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
