package org.migrationlab.migration.journal.chronicle;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.migrationlab.migration.journal.BackgroundForce;
import org.migrationlab.migration.journal.FlushGate;
import org.migrationlab.migration.journal.EntryCodec;
import org.migrationlab.migration.journal.JournalEntry;
import org.migrationlab.migration.journal.JournalStore;

/**
 * A journal in one Chronicle Map file. One writer per file, held by a lock on a file beside it: the writer
 * opens with recovery (a writer killed in the middle of a write leaves a segment locked, which only
 * recovery releases), and recovery must not run under another process that has the map open. Readers open
 * without recovery, while the writer runs. An append is in the shared mapping (the page cache) when it
 * returns, so it outlives the process at once; the file is then forced to the disk in the background
 * ({@link BackgroundForce}), which adds survival of the machine's crash a few milliseconds later without
 * putting a disk flush inside a migration's downtime. Closing forces what is left.
 */
public final class ChronicleJournalStore implements JournalStore {
    static {
        // Chronicle reports usage over the network unless told not to, and asks SLF4J for a logger that
        // would print a warning when none is bound. Neither belongs in a migration tool.
        System.setProperty("chronicle.analytics.disable", "true");
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN"); // else SLF4J says which provider it took
        }
    }

    /** Room for this many entries; the map grows past it (up to {@link #MAX_BLOAT} times) when needed. */
    private static final long ENTRIES = 4096;
    private static final double MAX_BLOAT = 8;

    private final ChronicleMap<String, String> map;
    private final FileChannel sync;
    private final BackgroundForce force;
    private final FileChannel lockFile;
    private final FileLock lock;

    private ChronicleJournalStore(ChronicleMap<String, String> map, FileChannel sync, FileChannel lockFile,
                                  FileLock lock, FlushGate gate) {
        this.map = map;
        this.sync = sync;
        // writes the map's dirty pages of this file back, as msync would
        this.force = sync == null ? null : new BackgroundForce("journal-force", () -> sync.force(false), gate);
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Opens {@code file} to append, creating it, or recovering it after a crash of its last writer.
     *
     * @throws IllegalStateException when another process writes this journal
     */
    public static ChronicleJournalStore openForWriting(Path file) {
        return openForWriting(file, new FlushGate());
    }

    /** As {@link #openForWriting(Path)}, its disk flushes held back by {@code gate} while it is held. */
    public static ChronicleJournalStore openForWriting(Path file, FlushGate gate) {
        FileChannel lockFile = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            lockFile = FileChannel.open(lockPath(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("the journal " + file + " is in use by another process");
            }
            File f = file.toFile();
            ChronicleMap<String, String> map = f.exists() && f.length() > 0
                    ? builder(file).recoverPersistedTo(f, true) : builder(file).createPersistedTo(f);
            return new ChronicleJournalStore(map, FileChannel.open(file, StandardOpenOption.WRITE), lockFile, lock,
                    gate);
        } catch (IOException e) {
            closeQuietly(lockFile);
            throw new UncheckedIOException("cannot open the journal " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockFile);
            throw e;
        }
    }

    /** Opens an existing journal to read it, beside its writer if it has one; never recovers it. */
    public static ChronicleJournalStore openForReading(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new java.io.FileNotFoundException("no journal at " + file));
        }
        try {
            return new ChronicleJournalStore(builder(file).createPersistedTo(file.toFile()), null, null, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static ChronicleMapBuilder<String, String> builder(Path file) {
        return ChronicleMap.of(String.class, String.class).name("journal " + file.getFileName())
                .entries(ENTRIES).maxBloatFactor(MAX_BLOAT).averageKeySize(48).averageValueSize(256);
    }

    static Path lockPath(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    @Override
    public void append(JournalEntry entry) {
        if (sync == null) {
            throw new IllegalStateException("opened for reading");
        }
        map.put(EntryCodec.key(entry.migrationId(), entry.sequence()), EntryCodec.encode(entry));
        try {
            force.request();
        } catch (IOException e) {
            throw new UncheckedIOException("the journal could not be forced to disk: " + e.getMessage(), e);
        }
    }

    /** Waits until every entry appended so far is on the disk. */
    public void awaitOnDisk() throws InterruptedException {
        if (force == null) {
            return;
        }
        try {
            force.awaitFlushed();
        } catch (IOException e) {
            throw new UncheckedIOException("the journal could not be forced to disk: " + e.getMessage(), e);
        }
    }

    @Override
    public List<JournalEntry> entries() {
        List<JournalEntry> entries = new ArrayList<>();
        map.forEach((key, value) -> entries.add(EntryCodec.decode(value)));
        return EntryCodec.sorted(entries);
    }

    @Override
    public void close() {
        if (force != null) {
            try {
                force.close();
            } catch (IOException e) {
                // closing: the entries are in the page cache; only a machine crash could still lose them
            }
        }
        map.close();
        closeQuietly(sync);
        if (lock != null) {
            closeQuietly(lockFile); // releases the lock
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to protect
            }
        }
    }
}
