/**
 * The ownership journal (docs/JOURNAL.md): which side owns each migration's guest, written durably before
 * a transition takes effect, so that a process that dies leaves a record of every guest it held. The
 * sessions see only the port {@link org.migrationlab.migration.journal.OwnershipJournal} (a no-op by
 * default); {@link org.migrationlab.migration.journal.Journal} turns its calls into
 * {@link org.migrationlab.migration.journal.JournalEntry} records in a
 * {@link org.migrationlab.migration.journal.JournalStore}. No network, no sessions, no emulator.
 */
package org.migrationlab.migration.journal;
