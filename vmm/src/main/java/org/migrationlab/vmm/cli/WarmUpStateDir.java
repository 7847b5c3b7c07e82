package org.migrationlab.vmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.migrationlab.emulator.port.GuestFactory;
import org.migrationlab.migration.journal.Journal;
import org.migrationlab.migration.journal.JournalFiles;
import org.migrationlab.migration.journal.OwnershipJournal;
import org.migrationlab.migration.journal.Owner;
import org.migrationlab.migration.journal.Phase;
import org.migrationlab.migration.journal.chronicle.ChronicleJournalStore;
import org.migrationlab.migration.restart.CheckpointSink;
import org.migrationlab.migration.restart.SourceCheckpoint;
import org.migrationlab.migration.restart.SourceStateDir;

/**
 * Where the warm-up's migrations write what a durable migration writes: nowhere ({@link #NONE}), or a
 * scratch state directory ({@link #scratch}) holding the source's RAM file and checkpoint and a journal per
 * side, deleted on close. Only the code paths matter; nothing written here is ever read.
 */
final class WarmUpStateDir implements AutoCloseable {
    static final WarmUpStateDir NONE = new WarmUpStateDir(null, null, null, null);

    private final Path dir;
    private final ChronicleJournalStore sourceStore;
    private final ChronicleJournalStore destinationStore;
    private final SourceStateDir states;
    private final OwnershipJournal sourceJournal;
    private final OwnershipJournal destinationJournal;
    private final AtomicInteger writes = new AtomicInteger();
    /** The last checkpoint a warm-up migration saved, for {@link #repeatWrites}. */
    private volatile SourceCheckpoint lastCheckpoint;

    private WarmUpStateDir(Path dir, SourceStateDir states, ChronicleJournalStore sourceStore,
                           ChronicleJournalStore destinationStore) {
        this.dir = dir;
        this.sourceStore = sourceStore;
        this.destinationStore = destinationStore;
        this.states = states;
        this.sourceJournal = counted(sourceStore);
        this.destinationJournal = counted(destinationStore);
    }

    /** The scratch directories' name prefix; the process id tells whose a directory is. */
    static String scratchPrefix() {
        return "vmm-warm-up-" + ProcessHandle.current().pid() + "-";
    }

    /** A fresh scratch directory with both journals open. */
    static WarmUpStateDir scratch() throws IOException {
        Path dir = Files.createTempDirectory(scratchPrefix());
        SourceStateDir states = new SourceStateDir(dir);
        ChronicleJournalStore source = null;
        try {
            source = ChronicleJournalStore.openForWriting(JournalFiles.of(dir, Owner.SOURCE), states.flushGate());
            return new WarmUpStateDir(dir, states, source,
                    ChronicleJournalStore.openForWriting(JournalFiles.of(dir, Owner.DESTINATION)));
        } catch (RuntimeException e) {
            if (source != null) {
                source.close();
            }
            ScratchDirectory.deleteQuietly(dir);
            throw e;
        }
    }

    GuestFactory sourceMachines(GuestFactory machines) {
        return dir == null ? machines : machines.withRamFile(dir.resolve(SourceStateDir.RAM_FILE));
    }

    CheckpointSink checkpoints() {
        if (states == null) {
            return CheckpointSink.NONE;
        }
        return new CheckpointSink() {
            @Override
            public void prepare(long guestPages) {
                states.prepare(guestPages);
            }

            @Override
            public void save(SourceCheckpoint checkpoint) {
                states.save(checkpoint);
                lastCheckpoint = checkpoint;
                writes.incrementAndGet();
            }

            @Override
            public void switchOverBegins() {
                states.switchOverBegins();
            }

            @Override
            public void switchOverEnded() {
                states.switchOverEnded();
            }
        };
    }

    OwnershipJournal sourceJournal() {
        return sourceJournal;
    }

    OwnershipJournal destinationJournal() {
        return destinationJournal;
    }

    /**
     * Writes the last checkpoint and a journal entry on each side {@code times} times more: one migration
     * writes each only once, which loads their classes but leaves their code interpreted, and the switch-over
     * waits for both. A few hundred writes of a few kilobytes take milliseconds here.
     */
    void repeatWrites(int times) {
        SourceCheckpoint checkpoint = lastCheckpoint;
        if (states == null || checkpoint == null) {
            return;
        }
        Phase[] phases = {Phase.SOURCE_OWNS, Phase.SWITCH_OVER_SENT, Phase.DESTINATION_OWNS, Phase.COMPLETED};
        UUID migration = UUID.randomUUID();
        for (int i = 0; i < times; i++) {
            states.save(checkpoint);
            Phase phase = phases[i % phases.length];
            Owner owner = phase == Phase.SOURCE_OWNS || phase == Phase.SWITCH_OVER_SENT ? Owner.SOURCE
                    : Owner.DESTINATION;
            sourceJournal.record(migration, phase, owner);
            destinationJournal.record(migration, phase, owner);
        }
    }

    /** A journal over {@code store} that counts its entries in {@link #writes}; none without a store. */
    private OwnershipJournal counted(ChronicleJournalStore store) {
        if (store == null) {
            return OwnershipJournal.NONE;
        }
        OwnershipJournal journal = new Journal(store, Clock.systemUTC()).port(() -> Journal.Details.NONE);
        return (migrationId, phase, owner) -> {
            journal.record(migrationId, phase, owner);
            writes.incrementAndGet();
        };
    }

    /** Checkpoints saved and journal entries written so far. */
    int writes() {
        return writes.get();
    }

    @Override
    public void close() {
        if (dir == null) {
            return;
        }
        sourceStore.close();
        destinationStore.close();
        ScratchDirectory.deleteQuietly(dir);
    }
}
