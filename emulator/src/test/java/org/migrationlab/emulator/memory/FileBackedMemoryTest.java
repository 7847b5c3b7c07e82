package org.migrationlab.emulator.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guest RAM in a file outlives its mapping: a fresh mapping of the file reads every byte written. */
class FileBackedMemoryTest {
    private static final long SIZE = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void pagesWrittenInOneMappingReadBackInAnother() {
        Path file = dir.resolve("ram");
        byte[] written = new byte[3 * GuestMemory.PAGE_SIZE + 17];
        for (int i = 0; i < written.length; i++) {
            written[i] = (byte) (i * 31 + 5);
        }
        try (GuestMemory ram = GuestMemory.createInFile(file, SIZE)) {
            ram.write(5 * GuestMemory.PAGE_SIZE + 3, written);
        }
        try (GuestMemory reopened = GuestMemory.openFile(file, SIZE)) {
            assertArrayEquals(written, reopened.read(5 * GuestMemory.PAGE_SIZE + 3, written.length));
            assertTrue(reopened.isZeroPage(100), "a page never written reads as zero");
        }
    }

    @Test
    void creatingEmptiesAnEarlierFile() {
        Path file = dir.resolve("ram");
        try (GuestMemory ram = GuestMemory.createInFile(file, SIZE)) {
            ram.writeLong(8192, -1L);
        }
        try (GuestMemory fresh = GuestMemory.createInFile(file, SIZE)) {
            assertTrue(fresh.isZeroPage(2));
        }
    }

    @Test
    void aFileOfAnotherSizeIsRefused() {
        Path file = dir.resolve("ram");
        GuestMemory.createInFile(file, SIZE).close();
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.openFile(file, SIZE * 2));
    }
}
