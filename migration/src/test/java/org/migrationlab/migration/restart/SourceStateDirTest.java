package org.migrationlab.migration.restart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
        byte[] state = new byte[333];
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

    @Test
    void aDamagedCheckpointIsRefusedClearly() throws Exception {
        SourceStateDir states = new SourceStateDir(dir);
        states.save(sample());
        byte[] bytes = Files.readAllBytes(states.stateFile());
        bytes[40] ^= 1;
        Files.write(states.stateFile(), bytes);
        IllegalStateException e = assertThrows(IllegalStateException.class, states::read);
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }
}
