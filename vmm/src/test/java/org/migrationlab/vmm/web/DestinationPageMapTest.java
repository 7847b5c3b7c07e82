package org.migrationlab.vmm.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The destination's map keeps each post-copy page's fate: received and untouched, awaited by a network
 * fault (an arrival does not hide the wait), fetched, or touched after it arrived; and hands changes out.
 */
class DestinationPageMapTest {
    @Test
    void keepsEachPagesFateAtTheDestination() {
        DestinationPageMap dest = new DestinationPageMap(128);
        dest.arrived(1);
        dest.arrived(2);
        dest.touched(2);
        dest.awaiting(3);
        dest.arrived(3); // the awaited page's bytes land before the vCPU wakes
        dest.awaiting(4);
        dest.arrived(4);
        dest.fetched(4, 1_000);

        PageMap map = dest.map();
        assertThat(map.state(1)).isEqualTo(CellState.RECEIVED);
        assertThat(map.state(2)).isEqualTo(CellState.TOUCHED);
        assertThat(map.state(3)).isEqualTo(CellState.AWAITED);
        assertThat(map.state(4)).isEqualTo(CellState.DEMAND);
        long[] counts = map.counts();
        assertThat(counts[CellState.NOT_SENT]).isEqualTo(124);
        assertThat(counts[CellState.RECEIVED]).isEqualTo(1);
        assertThat(counts[CellState.TOUCHED]).isEqualTo(1);
        assertThat(counts[CellState.AWAITED]).isEqualTo(1);
        assertThat(counts[CellState.DEMAND]).isEqualTo(1);
        assertThat(map.drainChanged((word, bits) -> assertThat(bits).isEqualTo(0b11110L))).isEqualTo(4);
        assertThat(map.drainChanged((word, bits) -> { })).as("drained once").isZero();
    }
}
