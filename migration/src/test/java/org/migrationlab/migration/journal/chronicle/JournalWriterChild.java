package org.migrationlab.migration.journal.chronicle;

import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;

import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.Phase;

/**
 * The process {@link JournalCrashIT} kills: opens a journal (recovering it), then appends transitions to a
 * few migrations round-robin until it is killed, printing {@code ack ID SEQ} once each append returned.
 * Each entry's content follows from its sequence ({@link #expected}), so the test can tell a torn entry.
 */
public final class JournalWriterChild {
    static final UUID[] MIGRATIONS = {
        UUID.fromString("00000000-0000-4000-8000-000000000001"),
        UUID.fromString("00000000-0000-4000-8000-000000000002"),
        UUID.fromString("00000000-0000-4000-8000-000000000003")};
    private static final Phase[] CYCLE = {Phase.SOURCE_OWNS, Phase.SWITCH_OVER_SENT, Phase.DESTINATION_OWNS,
        Phase.COMPLETED, Phase.FAILED, Phase.ROLLED_BACK};

    private JournalWriterChild() {
    }

    static Phase phase(int sequence) {
        return CYCLE[sequence % CYCLE.length];
    }

    static Owner owner(int sequence) {
        Phase phase = phase(sequence);
        return phase == Phase.DESTINATION_OWNS || phase == Phase.COMPLETED ? Owner.DESTINATION : Owner.SOURCE;
    }

    /** Values of many sizes, so appends move entries between chunk counts. */
    static Journal.Details expected(int sequence) {
        return new Journal.Details("guest-" + sequence + "-" + "x".repeat(sequence * 37 % 700),
                "127.0.0.1:" + (7000 + sequence), Integer.toString(sequence * 31));
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        ChronicleJournalStore store = ChronicleJournalStore.openForWriting(Path.of(args[0]));
        Journal journal = new Journal(store, Clock.systemUTC());
        System.out.println("opened " + (System.nanoTime() - started) / 1_000_000);
        System.out.flush();
        int[] next = new int[MIGRATIONS.length];
        for (JournalEntry last : journal.latest()) {
            for (int m = 0; m < MIGRATIONS.length; m++) {
                if (MIGRATIONS[m].equals(last.migrationId())) {
                    next[m] = last.sequence() + 1;
                }
            }
        }
        for (long i = 0; ; i++) {
            int m = (int) (i % MIGRATIONS.length);
            int sequence = next[m]++;
            journal.record(MIGRATIONS[m], phase(sequence), owner(sequence), expected(sequence));
            System.out.println("ack " + MIGRATIONS[m] + " " + sequence);
            System.out.flush();
        }
    }
}
