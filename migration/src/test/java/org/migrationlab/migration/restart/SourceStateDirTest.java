package org.migrationlab.migration.restart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.migration.protocol.MigrationMode;

/** The checkpoint a source saves before SWITCH_OVER reads back, in a fresh object, exactly as written. */
class SourceStateDirTest {
    @TempDir
    Path dir;

    private static SourceCheckpoint sample() {
        return sample(333);
    }

    private static SourceCheckpoint sample(int stateBytes) {
        byte[] state = new byte[stateBytes];
        byte[] pending = new byte[512];
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte) (i * 7 + 1);
        }
        pending[3] = (byte) 0x81;
        return new SourceCheckpoint(UUID.randomUUID(), "127.0.0.1:7000", MigrationMode.POSTCOPY,
                MachineConfig.of(16L << 20, new BootArgs("kv", Map.of("wss", "4M"), 42)), "built-in", state,
                pending, 0);
    }

    @Test
    void aSavedCheckpointReadsBackByteEqual() {
        SourceCheckpoint written = sample();
        new SourceStateDir(dir).save(written);
        SourceCheckpoint read = new SourceStateDir(dir).read().orElseThrow();
        assertEquals(written, read);
        assertArrayEquals(written.guestState(), read.guestState());
        assertArrayEquals(written.pending(), read.pending());
    }

    /** Saves in a row share their disk flushes; once those are done the last checkpoint reads back. */
    @Test
    void checkpointsSavedInARowAreFlushedAndTheLastOneReadsBack() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        SourceCheckpoint last = null;
        for (int i = 0; i < 200; i++) {
            last = sample();
            states.save(last);
        }
        states.awaitOnDisk();
        assertEquals(last, new SourceStateDir(dir).read().orElseThrow());
        assertEquals(List.of(SourceStateDir.STATE_FILE), listNames());
    }

    private List<String> listNames() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRestartedCheckpointStartsAboveEveryEpochOfItsPredecessor() {
        SourceCheckpoint first = sample();
        SourceCheckpoint restarted = first.restarted();
        new SourceStateDir(dir).save(restarted);
        SourceCheckpoint read = new SourceStateDir(dir).read().orElseThrow();
        assertEquals(1, read.restarts());
        assertTrue(read.firstEpoch() > first.firstEpoch() + SourceCheckpoint.EPOCHS_PER_PROCESS - 2);
    }

    @Test
    void anEmptyDirectoryHasNoCheckpoint() {
        assertTrue(new SourceStateDir(dir).read().isEmpty());
    }

    /**
     * A damaged checkpoint, or one whose first save a kill cut short, with no whole one beside it, is an
     * error saying why: not an empty answer.
     */
    @Test
    void aDamagedCheckpointIsRefusedClearly() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        SourceCheckpoint only = sample();
        states.save(only);
        tear(states, slotOf(states, only));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SourceStateDir(dir).read());
        assertTrue(e.getMessage().contains("not a valid source checkpoint"), e.getMessage());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    /** After prepare, saves write in place: the same file (inode) throughout, nothing created or renamed. */
    @Test
    void aPreparedStateFileIsWrittenInPlace() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        states.prepare(4096);
        Object file = Files.readAttributes(states.stateFile(), BasicFileAttributes.class).fileKey();
        SourceCheckpoint last = null;
        for (int i = 0; i < 5; i++) {
            last = sample();
            states.save(last);
            assertEquals(file, Files.readAttributes(states.stateFile(), BasicFileAttributes.class).fileKey());
        }
        assertEquals(last, new SourceStateDir(dir).read().orElseThrow());
        assertEquals(List.of(SourceStateDir.STATE_FILE), listNames());
    }

    /** A process killed while it wrote a slot leaves the other one: the checkpoint before it reads back. */
    @Test
    void aTornSaveLeavesThePreviousCheckpoint() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        SourceCheckpoint first = sample();
        states.save(first);
        SourceCheckpoint second = sample();
        states.save(second);
        assertEquals(second, new SourceStateDir(dir).read().orElseThrow());
        tear(states, slotOf(states, second));
        assertEquals(first, new SourceStateDir(dir).read().orElseThrow());
    }

    /**
     * A new process (a restarted source) goes on from the newest generation: its save overwrites the older
     * slot, never the newest, so tearing its save still leaves the checkpoint before it.
     */
    @Test
    void aNewProcessWritesOverTheOlderSlot() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        states.save(sample());
        SourceCheckpoint second = sample();
        states.save(second);
        SourceStateDir restarted = new SourceStateDir(dir);
        SourceCheckpoint third = sample();
        restarted.save(third);
        assertEquals(third, new SourceStateDir(dir).read().orElseThrow());
        tear(restarted, slotOf(restarted, third));
        assertEquals(second, new SourceStateDir(dir).read().orElseThrow());
    }

    /** A checkpoint larger than the slots grows the file, keeping the checkpoint before it in the other slot. */
    @Test
    void aCheckpointLargerThanTheSlotsGrowsTheFile() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        states.prepare(8);
        SourceCheckpoint small = sample();
        states.save(small);
        long before = Files.size(states.stateFile());
        SourceCheckpoint large = sample((int) before);
        states.save(large);
        assertTrue(Files.size(states.stateFile()) > before);
        assertEquals(large, new SourceStateDir(dir).read().orElseThrow());
        tear(states, slotOf(states, large));
        assertEquals(small, new SourceStateDir(dir).read().orElseThrow());
    }

    /** The slot (0 or 1) whose checkpoint reads back as {@code checkpoint}. */
    private int slotOf(SourceStateDir states, SourceCheckpoint checkpoint) throws Exception {
        byte[] file = Files.readAllBytes(states.stateFile());
        int slotBytes = file.length / 2;
        for (int slot = 0; slot < 2; slot++) {
            byte[] copy = file.clone();
            ByteBuffer.wrap(copy).putInt((1 - slot) * slotBytes, 0); // hide the other slot
            Path probe = Files.createTempDirectory(dir, "probe");
            Files.write(probe.resolve(SourceStateDir.STATE_FILE), copy);
            if (new SourceStateDir(probe).read().filter(checkpoint::equals).isPresent()) {
                return slot;
            }
        }
        throw new AssertionError("no slot holds the checkpoint");
    }

    /** Garbles the middle of one slot's checkpoint, as a write cut short by a kill would leave it. */
    private static void tear(SourceStateDir states, int slot) throws Exception {
        byte[] file = Files.readAllBytes(states.stateFile());
        int at = slot * (file.length / 2) + 64;
        file[at] ^= (byte) 0xff;
        Files.write(states.stateFile(), file);
    }
}
