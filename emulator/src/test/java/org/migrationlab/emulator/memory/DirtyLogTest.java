package org.migrationlab.emulator.memory;

import org.migrationlab.emulator.port.DirtyLogMode;

import org.migrationlab.emulator.port.PageBitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migrationlab.emulator.dirtier.DirtierGuest;

/** The harvested dirty set equals the set the guest wrote, round after round, for both logging ways. */
class DirtyLogTest {
    private static final long RAM = 16L << 20;

    @Property(tries = 12)
    void harvestEqualsPagesWritten(@ForAll("modes") DirtyLogMode mode, @ForAll long seed,
                                   @ForAll @IntRange(min = 2, max = 6) int rounds) {
        Random random = new Random(seed);
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            MemoryMap memory = guest.machine().memory();
            memory.dirtyLog().start(mode);
            for (int round = 0; round < rounds; round++) {
                long[] pages = randomPages(random, memory.pageCount(), random.nextInt(600));
                guest.writeRound(pages);
                assertThat(toSet(memory.dirtyLog().harvest()))
                        .as("round %d, %s, seed %d", round, mode, seed)
                        .isEqualTo(toSet(pages));
            }
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<DirtyLogMode> modes() {
        return net.jqwik.api.Arbitraries.of(DirtyLogMode.values());
    }

    /**
     * A working set small enough to stay in the engine's TLB: without a real flush on re-arm the second
     * round's writes would hit cached writable (or dirty) entries and go unseen.
     */
    @ParameterizedTest
    @EnumSource(DirtyLogMode.class)
    void smallWorkingSetIsSeenEveryRoundWhichProvesTheFlush(DirtyLogMode mode) {
        long[] pages = {0x400, 0x401, 0x402, 0x500, 0x501, 0x777, 0x800, 0x900};
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            MemoryMap memory = guest.machine().memory();
            memory.dirtyLog().start(mode);
            for (int round = 0; round < 6; round++) {
                guest.writeRound(pages);
                assertThat(toSet(memory.dirtyLog().harvest())).as("round %d", round).isEqualTo(toSet(pages));
            }
            // Each page was incremented once per round at word (round & 7): the writes really happened.
            for (long page : pages) {
                for (int word = 0; word < 6; word++) {
                    assertThat(memory.ram().readLong(page * 4096 + word * 8L)).isEqualTo(1);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DirtyLogMode.class)
    void roundWithoutWritesHarvestsNothing(DirtyLogMode mode) {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            MemoryMap memory = guest.machine().memory();
            memory.dirtyLog().start(mode);
            guest.writeRound(new long[] {0x400});
            assertThat(toSet(memory.dirtyLog().harvest())).containsExactly(0x400L);
            guest.writeRound(new long[0]);
            assertThat(memory.dirtyLog().harvest().isEmpty()).isTrue();
        }
    }

    @Test
    void hostWritesByDevicesAreLogged() {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            MemoryMap memory = guest.machine().memory();
            memory.dirtyLog().start(DirtyLogMode.DIRTY_BIT);
            memory.noteHostWrite(0x600 * 4096L + 4000, 200); // spans pages 0x600 and 0x601
            assertThat(toSet(memory.dirtyLog().harvest())).containsExactly(0x600L, 0x601L);
        }
    }

    @Test
    void stopMakesEveryPresentPageWritableAgain() {
        try (DirtierGuest guest = new DirtierGuest(RAM)) {
            MemoryMap memory = guest.machine().memory();
            memory.dirtyLog().start(DirtyLogMode.WRITE_PROTECT);
            guest.writeRound(new long[] {0x400});
            memory.dirtyLog().stop();
            assertThat(memory.pageTable().isWritable(0x401)).isTrue();
            guest.writeRound(new long[] {0x401, 0x402});
            assertThat(guest.machine().exits().dirtyLogFaults()).isEqualTo(1);
        }
    }

    private static long[] randomPages(Random random, long pageCount, int count) {
        long span = pageCount - DirtierGuest.FIRST_WRITABLE_PAGE;
        TreeSet<Long> set = new TreeSet<>();
        while (set.size() < Math.min(count, span)) {
            set.add(DirtierGuest.FIRST_WRITABLE_PAGE + (long) random.nextInt((int) span));
        }
        long[] pages = set.stream().mapToLong(Long::longValue).toArray();
        // write in a shuffled order
        for (int i = pages.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = pages[i];
            pages[i] = pages[j];
            pages[j] = t;
        }
        return pages;
    }

    private static TreeSet<Long> toSet(long[] pages) {
        TreeSet<Long> set = new TreeSet<>();
        Arrays.stream(pages).forEach(set::add);
        return set;
    }

    private static TreeSet<Long> toSet(PageBitmap bitmap) {
        TreeSet<Long> set = new TreeSet<>();
        bitmap.forEach(set::add);
        return set;
    }
}
