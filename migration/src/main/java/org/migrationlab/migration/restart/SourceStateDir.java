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
import java.util.zip.CRC32C;

import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.journal.BackgroundForce;
import org.migrationlab.migration.protocol.MigrationMode;

/**
 * A source's state directory: {@code source.ram}, the guest's RAM as a file mapping (the emulator writes it),
 * and {@code source.state}, the latest {@link SourceCheckpoint}. A checkpoint is written to a new file, forced
 * to the disk, renamed over the old one and the directory forced too: after a crash the file holds the old
 * checkpoint or the new one, whole (its CRC32C is checked when it is read).
 */
public final class SourceStateDir implements CheckpointSink {
    public static final String RAM_FILE = "source.ram";
    public static final String STATE_FILE = "source.state";
    private static final long MAGIC = 0x564d4d5352435354L; // "VMMSRCST"
    private static final int VERSION = 1;
    /** Far above any real checkpoint (a 64 GiB guest's pending bitmap is 2 MiB): bounds what a read allocates. */
    private static final int MAX_BYTES = 64 << 20;

    private final Path dir;
    /** Checkpoints saved in a row share their flushes; no thread waits when none is pending. */
    private final BackgroundForce force = new BackgroundForce("checkpoint-force", this::forceToDisk);

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

    /**
     * Writes the checkpoint beside the old one and renames it over it: when this returns, the new checkpoint
     * is whole and outlives this process (a kill leaves the old one or the new one, never a mix). It is forced
     * to the disk, with the rename, in the background: a disk flush inside the downtime would cost more than
     * the rest of the switch-over, and the guest's RAM file beside it is not flushed either, so a machine
     * crash loses the source's side whatever this does. An earlier flush that failed fails this save, as a
     * checkpoint that cannot be saved does.
     */
    @Override
    public void save(SourceCheckpoint checkpoint) {
        byte[] bytes = encode(checkpoint);
        Path temporary = dir.resolve(STATE_FILE + ".new");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            try {
                Files.move(temporary, stateFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state directory cannot rename atomically", e);
            }
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

    /** Forces the checkpoint and its directory (the rename itself) to the disk. */
    private void forceToDisk() throws IOException {
        try (FileChannel file = FileChannel.open(stateFile(), StandardOpenOption.READ);
             FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            file.force(true);
            directory.force(true);
        }
    }

    /** Waits until the last checkpoint saved is on the disk; its failure, if it failed. */
    public void awaitOnDisk() throws InterruptedException, IOException {
        force.awaitFlushed();
    }

    /** The checkpoint saved here, or empty when there is none; a damaged one is an error. */
    public Optional<SourceCheckpoint> read() {
        byte[] bytes;
        try {
            if (Files.size(stateFile()) > MAX_BYTES) {
                throw new IllegalStateException(stateFile() + " is too large to be a source checkpoint");
            }
            bytes = Files.readAllBytes(stateFile());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stateFile() + ": " + e.getMessage(), e);
        }
        try {
            return Optional.of(decode(bytes));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(stateFile() + " is not a valid source checkpoint: " + e.getMessage(), e);
        }
    }

    static byte[] encode(SourceCheckpoint c) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(body)) {
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
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

    static SourceCheckpoint decode(byte[] bytes) throws IOException {
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
        return new SourceCheckpoint(id, destination, mode, MachineConfig.of(ramBytes, new BootArgs(workload, args, seed)),
                imageLabel, guestState, pending, restarts);
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
