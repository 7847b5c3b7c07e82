package org.migrationlab.emulator.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Ballooning a page discards it, deflating gives a page of zeros back; narrowing access is flushed by the caller. */
class MemoryMapBalloonTest {
    @Test
    void aBalloonedPageIsUnmappedAndItsContentsAreGone() {
        try (MemoryMap memory = new MemoryMap(4L << 20, PageState.PRESENT)) {
            int[] flushes = {0};
            memory.useTlbFlush(() -> flushes[0]++);
            memory.ram().writeLong(0x5000, 0x1234);
            memory.noteHostWrite(0x5000, 8);
            memory.balloon(5);
            memory.balloon(6); // never touched: already zero
            assertThat(memory.state(5)).isEqualTo(PageState.BALLOONED);
            assertThat(memory.pageTable().isPresent(5)).isFalse();
            assertThat(memory.ram().isZeroPage(5)).isTrue();
            assertThat(memory.ram().isZeroPage(6)).isTrue();
            assertThat(flushes[0]).as("the caller flushes once per batch").isZero();

            memory.deflate(5);
            assertThat(memory.state(5)).isEqualTo(PageState.PRESENT);
            assertThat(memory.pageTable().isPresent(5)).isTrue();
            assertThat(memory.ram().isZeroPage(5)).isTrue();
            assertThatThrownBy(() -> memory.deflate(5)).hasMessageContaining("not ballooned");
            assertThatThrownBy(() -> memory.balloon(0)).hasMessageContaining("null guard");
        }
    }
}
