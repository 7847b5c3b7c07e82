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

    /**
     * Pages copied before the switch-over are pre-copied; one dirtied after it went is pending at the switch-over,
     * not received until it arrives again.
     */
    @Test
    void aPrecopiedPageStaysSoUnlessItArrivesAgain() {
        DestinationPageMap dest = new DestinationPageMap(64);
        dest.guest(64);
        dest.copied(0);
        dest.copied(1);
        dest.copied(2);
        dest.copied(2); // sent in two rounds
        dest.pending(1); // dirtied after it went: its copy here is stale
        dest.pending(2);
        dest.pending(3); // never copied
        assertThat(dest.map().state(1)).isEqualTo(CellState.NOT_SENT);
        dest.arrived(1); // it arrives again
        dest.awaiting(2); // the guest wants it first
        dest.arrived(2);
        dest.fetched(2, 1_000);

        PageMap map = dest.map();
        assertThat(map.state(0)).isEqualTo(CellState.PRECOPIED);
        assertThat(map.state(1)).isEqualTo(CellState.RECEIVED);
        assertThat(map.state(2)).isEqualTo(CellState.DEMAND);
        assertThat(map.counts()[CellState.PRECOPIED]).isEqualTo(1);
        assertThat(map.counts()[CellState.NOT_SENT]).isEqualTo(61);
    }
}
