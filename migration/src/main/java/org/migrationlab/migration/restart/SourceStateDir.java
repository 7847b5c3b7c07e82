package org.migrationlab.migration.restart;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.journal.BackgroundForce;
import org.migrationlab.migration.journal.FlushGate;
import org.migrationlab.migration.protocol.MigrationMode;

/**
 * A source's state directory: {@code source.ram}, the guest's RAM as a file mapping (the emulator writes it),
 * and {@code source.state}, the latest {@link SourceCheckpoint}. The state file holds two slots of equal size,
 * each a length and one checkpoint with its generation and CRC32C; a save writes the slot of the older
 * generation in place, so the file is created (and sized for the guest, {@link #prepare}) before a migration
 * needs it and a save at the switch-over neither creates nor renames a file: both cost a directory update,
 * which took up to 4 ms on ext4 while the guest stood still. A process killed during a save leaves the other
 * slot whole, and a read takes the newest slot whose checksum holds: the old checkpoint or the new one, never
 * a mix.
 */
public final class SourceStateDir implements CheckpointSink {
    public static final String RAM_FILE = "source.ram";
    public static final String STATE_FILE = "source.state";
    private static final long MAGIC = 0x564d4d5352435354L; // "VMMSRCST"
    private static final int VERSION = 2;
    /** Far above any real checkpoint (a 64 GiB guest's pending bitmap is 2 MiB): bounds what a read allocates. */
    private static final int MAX_BYTES = 64 << 20;
    /** Room in a slot beyond the guest's two page bitmaps (pending, ballooned): CPU, devices, names. */
    private static final int SLOT_SLACK = 256 << 10;
    private static final int BLOCK = 4096;
    private static final int SLOTS = 2;

    private final Path dir;
    /** Holds this directory's flushes, and its journal's ({@link #flushGate}), while the switch-over goes on. */
    private final FlushGate flushes = new FlushGate();
    /** Checkpoints saved in a row share their flushes; no thread waits when none is pending. */
    private final BackgroundForce force = new BackgroundForce("checkpoint-force", this::forceToDisk, flushes);
    /** Bytes per slot of the state file as laid out here; 0 before this process looked at the file. */
    private long slotBytes;
    /** The newest generation in the file; the next save writes the one after it. */
    private long generation;
    /** A state file was created or renamed since the last flush: the directory must be flushed too. */
    private final AtomicBoolean directoryChanged = new AtomicBoolean();

    public SourceStateDir(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path ramFile() {
        return dir.resolve(RAM_FILE);
    }

    public Path stateFile() {
        return dir.resolve(STATE_FILE);
    }

    /** The gate this directory's checkpoint flushes wait at: the source's journal in it should wait there too. */
    public FlushGate flushGate() {
        return flushes;
    }

    @Override
    public void switchOverBegins() {
        flushes.hold();
    }

    @Override
    public void switchOverEnded() {
        flushes.release();
    }

    /**
     * Lays the state file out for checkpoints of a guest of {@code guestPages} pages, keeping the checkpoint it
     * holds: afterwards a save of such a guest writes in place. Called before the migration, out of its downtime.
     */
    @Override
    public synchronized void prepare(long guestPages) {
        try {
            makeRoom(slotBytesFor(guestPages));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the source checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The slot size {@link #prepare} lays out for a guest of {@code guestPages} pages (the file holds two). */
    public static long slotBytesFor(long guestPages) {
        long bitmapBytes = (guestPages + 7) / 8;
        return roundUp(Integer.BYTES + 2 * bitmapBytes + SLOT_SLACK);
    }

    /**
     * Writes the checkpoint over the older of the two slots: when this returns, the new checkpoint is whole and
     * outlives this process (a kill leaves the old one or the new one, never a mix). It is forced to the disk in
     * the background: a disk flush inside the downtime would cost more than the rest of the switch-over, and
     * the guest's RAM file beside it is not flushed either, so a machine crash loses the source's side whatever
     * this does. An earlier flush that failed fails this save, as a checkpoint that cannot be saved does.
     */
    @Override
    public synchronized void save(SourceCheckpoint checkpoint) {
        try {
            learnLayout();
            long next = generation + 1;
            byte[] bytes = encode(checkpoint, next);
            makeRoom(roundUp(Integer.BYTES + (long) bytes.length));
            ByteBuffer slot = ByteBuffer.allocate(Integer.BYTES + bytes.length).putInt(bytes.length).put(bytes).flip();
            try (FileChannel channel = FileChannel.open(stateFile(), StandardOpenOption.WRITE)) {
                writeFully(channel, slot, (next % SLOTS) * slotBytes);
            }
            generation = next;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the source checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        try {
            force.request();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot force the source checkpoint in " + dir + " to the disk: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Makes each slot at least {@code bytes} long. The first call reads the file as it is; a file that is
     * missing or too small is replaced (a new file renamed over it, with the newest checkpoint it held).
     */
    private void makeRoom(long bytes) throws IOException {
        learnLayout();
        if (slotBytes >= bytes) {
            return;
        }
        if (bytes > MAX_BYTES) {
            throw new IOException("a checkpoint of " + bytes + " bytes is larger than " + MAX_BYTES);
        }
        Optional<Slot> kept = layoutOnDisk().newest();
        Path temporary = dir.resolve(STATE_FILE + ".new");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(channel, ByteBuffer.allocate(BLOCK), SLOTS * bytes - BLOCK); // the file's full length
            if (kept.isPresent()) {
                byte[] old = kept.get().bytes();
                writeFully(channel, ByteBuffer.allocate(Integer.BYTES + old.length).putInt(old.length).put(old).flip(),
                        (kept.get().generation() % SLOTS) * bytes);
            }
        }
        try {
            Files.move(temporary, stateFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the state directory cannot rename atomically", e);
        }
        directoryChanged.set(true);
        slotBytes = bytes;
        generation = kept.map(Slot::generation).orElse(0L);
    }

    /** Reads the file's slot size and newest generation, once: later this process is the one that writes it. */
    private void learnLayout() throws IOException {
        if (slotBytes == 0) {
            Layout found = layoutOnDisk();
            slotBytes = found.slotBytes();
            generation = found.newest().map(Slot::generation).orElse(0L);
        }
    }

    private static long roundUp(long bytes) {
        return (bytes + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    /**
     * Forces the checkpoint to the disk, and its directory when a file was created or renamed there since the
     * last flush (a save in place changes no directory entry).
     */
    private void forceToDisk() throws IOException {
        boolean directoryToo = directoryChanged.getAndSet(false);
        try (FileChannel file = FileChannel.open(stateFile(), StandardOpenOption.READ)) {
            file.force(true);
        }
        if (directoryToo) {
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            } catch (IOException e) {
                directoryChanged.set(true); // the next flush tries again
                throw e;
            }
        }
    }

    /** Waits until the last checkpoint saved is on the disk; its failure, if it failed. */
    public void awaitOnDisk() throws InterruptedException, IOException {
        force.awaitFlushed();
    }

    /**
     * The checkpoint saved here, or empty when there is none; a file in which no slot holds a whole checkpoint
     * (damaged, or killed during its first save) is an error.
     */
    public Optional<SourceCheckpoint> read() {
        Layout layout;
        try {
            layout = layoutOnDisk();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stateFile() + ": " + e.getMessage(), e);
        }
        if (layout.newest().isPresent()) {
            return Optional.of(layout.newest().get().checkpoint());
        }
        if (layout.damage() != null) {
            throw new IllegalStateException(stateFile() + " is not a valid source checkpoint: " + layout.damage());
        }
        return Optional.empty();
    }

    /** One slot's whole checkpoint: its generation, its encoded bytes and what they say. */
    private record Slot(long generation, byte[] bytes, SourceCheckpoint checkpoint) {
    }

    /** The state file as found: its slot size (0: no file), its newest whole slot, why another was not whole. */
    private record Layout(long slotBytes, Optional<Slot> newest, String damage) {
    }

    private Layout layoutOnDisk() throws IOException {
        long size;
        try {
            size = Files.size(stateFile());
        } catch (NoSuchFileException e) {
            return new Layout(0, Optional.empty(), null);
        }
        if (size == 0 || size % (SLOTS * BLOCK) != 0 || size > SLOTS * (long) MAX_BYTES) {
            return new Layout(0, Optional.empty(), size + " bytes is not the size of a checkpoint file");
        }
        long slotSize = size / SLOTS;
        Optional<Slot> newest = Optional.empty();
        String damage = null;
        try (FileChannel channel = FileChannel.open(stateFile(), StandardOpenOption.READ)) {
            for (int i = 0; i < SLOTS; i++) {
                ByteBuffer header = ByteBuffer.allocate(Integer.BYTES);
                readFully(channel, header, i * slotSize);
                int length = header.flip().getInt();
                if (length == 0) {
                    continue; // never written
                }
                if (length < 0 || length > slotSize - Integer.BYTES) {
                    damage = "slot " + i + " claims " + length + " bytes";
                    continue;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readFully(channel, body, i * slotSize + Integer.BYTES);
                try {
                    Slot slot = decode(body.array());
                    if (newest.isEmpty() || slot.generation() > newest.get().generation()) {
                        newest = Optional.of(slot);
                    }
                } catch (IOException | RuntimeException e) {
                    damage = e.getMessage();
                }
            }
        }
        return new Layout(slotSize, newest, damage);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new IOException("truncated");
            }
            position += read;
        }
    }

    static byte[] encode(SourceCheckpoint c, long generation) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(body)) {
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(generation);
            out.writeLong(c.migrationId().getMostSignificantBits());
            out.writeLong(c.migrationId().getLeastSignificantBits());
            out.writeUTF(c.destination());
            out.writeUTF(c.mode().name());
            out.writeLong(c.config().ramBytes());
            out.writeUTF(c.config().bootArgs().workload());
            out.writeLong(c.config().bootArgs().seed());
            out.writeInt(c.config().bootArgs().args().size());
            for (Map.Entry<String, String> arg : c.config().bootArgs().args().entrySet()) {
                out.writeUTF(arg.getKey());
                out.writeUTF(arg.getValue());
            }
            out.writeUTF(c.imageLabel());
            writeBytes(out, c.guestState());
            writeBytes(out, c.pending());
            out.writeInt(c.restarts());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = body.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return ByteBuffer.allocate(bytes.length + 4).put(bytes).putInt((int) crc.getValue()).array();
    }

    private static Slot decode(byte[] bytes) throws IOException {
        if (bytes.length < 16) {
            throw new IOException("truncated (" + bytes.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
            throw new IOException("its checksum does not match");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
        if (in.readLong() != MAGIC) {
            throw new IOException("not a source checkpoint");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("version " + version + ", this vmm reads " + VERSION);
        }
        long generation = in.readLong();
        UUID id = new UUID(in.readLong(), in.readLong());
        String destination = in.readUTF();
        MigrationMode mode = MigrationMode.valueOf(in.readUTF());
        long ramBytes = in.readLong();
        String workload = in.readUTF();
        long seed = in.readLong();
        int argCount = in.readInt();
        if (argCount < 0 || argCount > BootArgs.ARGS_MAX) {
            throw new IOException("bad argument count " + argCount);
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argCount; i++) {
            args.put(in.readUTF(), in.readUTF());
        }
        String imageLabel = in.readUTF();
        byte[] guestState = readBytes(in);
        byte[] pending = readBytes(in);
        int restarts = in.readInt();
        return new Slot(generation, bytes, new SourceCheckpoint(id, destination, mode,
                MachineConfig.of(ramBytes, new BootArgs(workload, args, seed)), imageLabel, guestState, pending,
                restarts));
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_BYTES) {
            throw new IOException("bad length " + length);
        }
        return in.readNBytes(length);
    }
}
