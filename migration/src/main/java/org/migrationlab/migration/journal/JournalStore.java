package org.migrationlab.migration.journal;

import java.util.List;

/** Where journal entries live. Entries are only ever added, never changed, so a crash can tear none that was there. */
public interface JournalStore extends AutoCloseable {
    /**
     * Adds {@code entry}; returns once it outlives this process (a process killed after the call returned
     * leaves the entry). Reaching the disk, to outlive the machine, may follow a few milliseconds later.
     */
    void append(JournalEntry entry);

    /** Every entry, ordered by migration id, then sequence. */
    List<JournalEntry> entries();

    @Override
    void close();
}
