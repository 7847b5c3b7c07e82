package org.migrationlab.emulator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The memory hash is the oracle's sharpest fact (docs/ARCHITECTURE.md, "The oracle"): a migrated guest whose
 * RAM differs in one bit from the unmigrated run's must hash differently. Golden vectors pin the function
 * itself (a hash that changed, or returned a constant, fails here, not in a migration), and every single-bit
 * change of a page, every moved word and every change of length changes the hash.
 */
class MemoryHashTest {
    /** A page whose byte i is {@code i * 31 + 7}: every word differs from its neighbours. */
    private static MemorySegment patternPage(Arena arena) {
        MemorySegment page = arena.allocate(GuestMemory.PAGE_SIZE);
        for (int i = 0; i < GuestMemory.PAGE_SIZE; i++) {
            page.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
        return page;
    }

    @Test
    void goldenVectors() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(MemoryHash.ofRange(arena.allocate(8), 0, 0)).as("nothing").isZero();
            assertThat(MemoryHash.hex(MemoryHash.ofRange(arena.allocate(4096), 0, 4096))).as("one zero page")
                    .isEqualTo("b236dfb8601e54ae");
            assertThat(MemoryHash.hex(MemoryHash.ofRange(arena.allocate(8192), 0, 8192))).as("two zero pages")
                    .isEqualTo("48a9599bbb686c80");
            assertThat(MemoryHash.hex(MemoryHash.ofRange(patternPage(arena), 0, 4096))).as("the pattern page")
                    .isEqualTo("264958b2b60682b6");
            MemorySegment oneByte = arena.allocate(64);
            oneByte.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertThat(MemoryHash.hex(MemoryHash.ofRange(oneByte, 0, 64))).as("64 bytes, the first one 1")
                    .isEqualTo("454cedb768741669");
            MemorySegment twoWords = arena.allocate(16);
            twoWords.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x0123456789abcdefL);
            twoWords.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0xfedcba9876543210L);
            assertThat(MemoryHash.hex(MemoryHash.ofRange(twoWords, 0, 16))).as("two words")
                    .isEqualTo("15177f18d84e737c");
        }
    }

    @Test
    void everySingleBitOfAPageChangesTheHashAndNoTwoFlipsCollide() {
        try (Arena arena = Arena.ofConfined()) {
            for (MemorySegment page : new MemorySegment[] {patternPage(arena), arena.allocate(GuestMemory.PAGE_SIZE)}) {
                long original = MemoryHash.ofRange(page, 0, GuestMemory.PAGE_SIZE);
                Set<Long> seen = new HashSet<>();
                seen.add(original);
                for (int bit = 0; bit < GuestMemory.PAGE_SIZE * 8; bit++) {
                    flip(page, bit);
                    long flipped = MemoryHash.ofRange(page, 0, GuestMemory.PAGE_SIZE);
                    flip(page, bit);
                    assertThat(seen.add(flipped)).as("bit %d: hash %s seen before", bit, MemoryHash.hex(flipped))
                            .isTrue();
                }
                assertThat(MemoryHash.ofRange(page, 0, GuestMemory.PAGE_SIZE)).as("restored").isEqualTo(original);
            }
        }
    }

    @Test
    void movedDataAndOtherLengthsHashDifferently() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = patternPage(arena);
            long original = MemoryHash.ofRange(page, 0, GuestMemory.PAGE_SIZE);
            long first = page.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            long second = page.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, second);
            page.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, first);
            assertThat(MemoryHash.ofRange(page, 0, GuestMemory.PAGE_SIZE)).as("two words swapped").isNotEqualTo(original);

            MemorySegment one = arena.allocate(16);
            one.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42);
            MemorySegment moved = arena.allocate(16);
            moved.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 42);
            assertThat(MemoryHash.ofRange(moved, 0, 16)).as("the same word one place on")
                    .isNotEqualTo(MemoryHash.ofRange(one, 0, 16));
            MemorySegment zeros = arena.allocate(3 * 4096);
            assertThat(MemoryHash.ofRange(zeros, 0, 4096)).isNotEqualTo(MemoryHash.ofRange(zeros, 0, 8192))
                    .isNotEqualTo(MemoryHash.ofRange(zeros, 0, 12288));
        }
    }

    @Test
    void guestRamHashesAsItsWholeSegment() {
        try (GuestMemory ram = new GuestMemory(4 * GuestMemory.PAGE_SIZE)) {
            long empty = MemoryHash.of(ram);
            assertThat(empty).isEqualTo(MemoryHash.ofRange(ram.segment(), 0, ram.sizeBytes()));
            ram.writeLong(3 * GuestMemory.PAGE_SIZE + 8, 1);
            assertThat(MemoryHash.of(ram)).isNotEqualTo(empty)
                    .isEqualTo(MemoryHash.ofRange(ram.segment(), 0, ram.sizeBytes()));
        }
    }

    private static void flip(MemorySegment page, int bit) {
        byte b = page.get(ValueLayout.JAVA_BYTE, bit / 8);
        page.set(ValueLayout.JAVA_BYTE, bit / 8, (byte) (b ^ (1 << (bit % 8))));
    }
}
