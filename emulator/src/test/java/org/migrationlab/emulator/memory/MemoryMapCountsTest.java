package org.migrationlab.emulator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.PageBitmap;
import org.migrationlab.emulator.testing.TestSeed;

/**
 * The map's per-state counts, which spare the switch-over a scan of every page, agree with the pages' own
 * states through any sequence of installs, absences, balloonings and deflations.
 */
class MemoryMapCountsTest {
    @Test
    void countsAndPagesInAgreeWithEveryPagesStateThroughRandomTransitions() {
        TestSeed seed = TestSeed.forTest("MemoryMapCountsTest");
        Random random = seed.random();
        for (PageState initial : new PageState[] {PageState.PRESENT, PageState.ABSENT, PageState.BALLOONED}) {
            try (MemoryMap memory = new MemoryMap(1L << 20, initial)) { // 256 pages
                assertAgree(memory, initial + " at the start, " + seed);
                for (int step = 0; step < 2_000; step++) {
                    long page = 1 + random.nextInt((int) memory.pageCount() - 1);
                    switch (memory.state(page)) {
                        case PRESENT -> {
                            if (random.nextBoolean()) {
                                memory.balloon(page);
                            } else {
                                memory.makeAbsent(page, page + 1);
                            }
                        }
                        case ABSENT -> {
                            if (random.nextBoolean()) {
                                memory.installZero(page);
                            } else {
                                memory.balloonZeroed(page);
                            }
                        }
                        case BALLOONED -> memory.deflate(page);
                        case GUARD -> throw new AssertionError("page " + page + " is the guard");
                    }
                    if (step % 97 == 0) {
                        assertAgree(memory, initial + ", step " + step + ", " + seed);
                    }
                }
                assertAgree(memory, initial + " at the end, " + seed);
            }
        }
    }

    @Test
    void aMapWithoutBallooningFindsNoBalloonedPagesAndOneWithFindsExactlyThem() {
        try (MemoryMap memory = new MemoryMap(1L << 20, PageState.PRESENT)) {
            assertThat(memory.pagesIn(PageState.BALLOONED).cardinality()).isZero();
            memory.balloon(7);
            memory.balloon(200);
            assertThat(memory.pagesIn(PageState.BALLOONED).nextSetBit(0)).isEqualTo(7);
            assertThat(memory.pagesIn(PageState.BALLOONED).nextSetBit(8)).isEqualTo(200);
            assertThat(memory.countPages(PageState.BALLOONED)).isEqualTo(2);
            memory.deflate(7);
            memory.deflate(200);
            assertThat(memory.pagesIn(PageState.BALLOONED).cardinality()).isZero();
            assertThat(memory.countPages(PageState.GUARD)).isOne();
        }
    }

    private static void assertAgree(MemoryMap memory, String when) {
        for (PageState state : PageState.values()) {
            long scanned = 0;
            PageBitmap expected = new PageBitmap(memory.pageCount());
            for (long page = 0; page < memory.pageCount(); page++) {
                if (memory.state(page) == state) {
                    scanned++;
                    expected.set(page);
                }
            }
            PageBitmap found = memory.pagesIn(state);
            assertThat(memory.countPages(state)).as("%s: pages %s", when, state).isEqualTo(scanned);
            assertThat(found.cardinality()).as("%s: pagesIn(%s)", when, state).isEqualTo(scanned);
            found.andNot(expected);
            assertThat(found.cardinality()).as("%s: pagesIn(%s) beyond the %s pages", when, state, state).isZero();
        }
    }
}
