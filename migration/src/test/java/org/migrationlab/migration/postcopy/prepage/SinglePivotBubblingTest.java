package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SinglePivotBubblingTest {

    @Test
    void thePivotStartsAtPageZero() {
        var engine = new SimulatedEngine(5, new SinglePivotBubbling(Direction.DUAL));

        engine.drainStrategy();

        assertThat(engine.offers).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void theBubbleGrowsAboveThenBelowTheFault() {
        var engine = new SimulatedEngine(20, new SinglePivotBubbling(Direction.DUAL));
        engine.access(10);

        engine.drainStrategy();

        assertThat(engine.offers).containsExactly(11L, 9L, 12L, 8L, 13L, 7L, 14L, 6L, 15L, 5L, 16L, 4L, 17L, 3L,
                18L, 2L, 19L, 1L, 0L);
        engine.assertEveryPageSentExactlyOnce();
    }

    @Test
    void edgesSkipSentPagesAndStaySymmetric() {
        var engine = new SimulatedEngine(20, new SinglePivotBubbling(Direction.DUAL));
        engine.access(10);
        engine.sendWithoutFault(11);           // already on its way by another path: no new pivot
        engine.sendWithoutFault(8);
        engine.sendWithoutFault(13);
        engine.sendWithoutFault(7);

        engine.drainStrategy();

        assertThat(engine.offers).startsWith(9L, 12L, 14L, 6L, 15L, 5L);
        assertThat(engine.offers).doesNotContain(7L, 8L, 11L, 13L).hasSize(15);
    }

    @Test
    void eachFaultMovesThePivotAndRestartsTheBubble() {
        var strategy = new SinglePivotBubbling(Direction.DUAL);
        var engine = new SimulatedEngine(40, strategy);
        engine.access(10);
        engine.push(false);
        engine.push(false);

        engine.access(30);

        assertThat(strategy.pivot()).isEqualTo(30);
        assertThat(engine.push(false)).isEqualTo(31);
        assertThat(engine.push(false)).isEqualTo(29);
        assertThat(engine.push(false)).isEqualTo(32);
    }

    @Test
    void bubblingReachesPageZero() {
        // The papers' loop, while bubble < max(pivot, N - pivot), would stop with left edge at page 1 here.
        var engine = new SimulatedEngine(1_000, new SinglePivotBubbling(Direction.DUAL));
        engine.access(900);

        engine.drainStrategy();

        assertThat(engine.offers).contains(0L);
        assertThat(engine.offers.getLast()).isEqualTo(0L);
        engine.assertEveryPageSentExactlyOnce();
    }

    @Property(tries = 300)
    void bubblingReachesPageZeroFromAnyPivotPastTheMiddle(
            @ForAll @IntRange(min = 2, max = 5_000) int pageCount,
            @ForAll @DoubleRange(min = 0.5, max = 1.0, maxIncluded = false) double pivotFraction) {
        long pivot = Math.min(pageCount - 1, Math.max(pageCount / 2, (long) (pageCount * pivotFraction)));
        var engine = new SimulatedEngine(pageCount, new SinglePivotBubbling(Direction.DUAL));
        engine.access(pivot);

        engine.drainStrategy();

        assertThat(engine.offers).contains(0L);
        engine.assertEveryPageSentExactlyOnce();
    }

    @Property(tries = 300)
    void forwardOnlyNeverOffersAPageBelowThePivot(
            @ForAll @IntRange(min = 1, max = 3_000) int pageCount,
            @ForAll @IntRange(min = 1, max = 40) int faultPercent,
            @ForAll long seed) {
        var random = new Random(seed);
        var strategy = new SinglePivotBubbling(Direction.FORWARD);
        var engine = new SimulatedEngine(pageCount, strategy);

        while (!engine.sent.allSent()) {
            if (random.nextInt(100) < faultPercent) {
                engine.access(random.nextLong(pageCount));
            }
            long pivot = strategy.pivot();
            int before = engine.offers.size();
            engine.push(true);
            if (engine.offers.size() > before) {
                assertThat(engine.offers.getLast()).as("offer with pivot %d", pivot).isGreaterThanOrEqualTo(pivot);
            }
        }
        engine.assertEveryPageSentExactlyOnce();
    }

    @Test
    void forwardOnlyLeavesThePagesBelowThePivotToTheSweep() {
        var engine = new SimulatedEngine(10, new SinglePivotBubbling(Direction.FORWARD));
        engine.access(5);

        engine.drainStrategy();

        assertThat(engine.offers).containsExactly(6L, 7L, 8L, 9L);
        assertThat(engine.sent.nextUnsent(0)).isZero();
        assertThat(engine.strategy.sweepsWhenIdle()).isTrue();
    }

    @Test
    void aFaultOutsideTheGuestIsReportedAtTheNextPush() {
        var strategy = new SinglePivotBubbling(Direction.DUAL);
        strategy.onFault(10);
        assertThatThrownBy(() -> strategy.next(new SentPages(10))).hasMessageContaining("outside");
        assertThatThrownBy(() -> strategy.onFault(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
