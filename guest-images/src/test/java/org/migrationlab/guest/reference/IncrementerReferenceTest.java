package org.migrationlab.guest.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class IncrementerReferenceTest {

    @Test
    void everyPageEndsAtTheSweepCountModulo256() {
        byte[] bytes = IncrementerReference.finalFirstBytes(new IncrementerReference.Config(16 * 4096, 300));
        assertThat(bytes).hasSize(16).containsOnly((byte) 300);
    }

    @Test
    void resultIsDeterministicAndSeesTheSweepCountBeyond256() {
        IncrementerReference.Config a = new IncrementerReference.Config(1 << 20, 16);
        assertThat(IncrementerReference.result(a)).isEqualTo(IncrementerReference.result(a));
        assertThat(IncrementerReference.result(a))
                .isNotEqualTo(IncrementerReference.result(new IncrementerReference.Config(1 << 20, 16 + 256)));
        assertThat(IncrementerReference.result(Map.of())).isEqualTo(IncrementerReference.result(IncrementerReference.Config.defaults()));
    }

    /** Stopping the guest after any number of single-page increments leaves a consistent range. */
    @Property
    void invariantHoldsWhereverTheGuestIsStopped(@ForAll @IntRange(min = 1, max = 64) int pages,
                                                 @ForAll @IntRange(min = 0, max = 40_000) int increments) {
        byte[] bytes = new byte[pages];
        for (int i = 0; i < increments; i++) {
            bytes[i % pages]++;
        }
        assertThat(IncrementerReference.invariantHolds(bytes)).isTrue();
    }

    @Property
    void invariantCatchesAnyPageThatMissedOrRepeatedAnIncrement(@ForAll @IntRange(min = 3, max = 64) int pages,
                                                                 @ForAll @IntRange(min = 0, max = 5_000) int increments,
                                                                 @ForAll @IntRange(min = 0, max = 63) int victim,
                                                                 @ForAll boolean lost) {
        byte[] bytes = new byte[pages];
        for (int i = 0; i < increments; i++) {
            bytes[i % pages]++;
        }
        int page = victim % pages;
        int next = increments % pages;                // the page the sweep would increment next
        if (lost) {
            bytes[page]--;
        } else {
            bytes[page]++;
        }
        // Undoing the sweep's last increment or doing its next one early is still a consistent state
        // (the invariant cannot tell "one increment before" from "one increment after").
        boolean stillConsistent = page == (lost ? Math.floorMod(next - 1, pages) : next);
        assertThat(IncrementerReference.invariantHolds(bytes)).isEqualTo(stillConsistent);
    }
}
