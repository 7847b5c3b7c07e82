package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MultiPivotBubblingTest {

    @Test
    void theStickyPivotAloneIsALinearPush() {
        var engine = new SimulatedEngine(5, MultiPivotBubbling.defaults());

        engine.drainStrategy();

        assertThat(engine.offers).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void edgesStopAtSentPagesButTheStickyPivotSkips() {
        var engine = new SimulatedEngine(100, new MultiPivotBubbling(Direction.DUAL, 7));
        engine.access(50);                  // pivot at 50, next to the sticky one at 0
        engine.sendWithoutFault(47);           // sent by another path: no pivot
        engine.sendWithoutFault(3);

        engine.drainStrategy();

        // The newest pivot goes first; then round-robin: 50's forward and backward edges, the sticky edge.
        assertThat(engine.offers).startsWith(51L, 49L, 0L, 52L, 48L, 1L, 53L, 2L, 54L, 4L, 55L, 5L);
        // 50's backward edge stopped at 47, so 46 and below came from the sticky edge, which skipped 3 and 47.
        assertThat(engine.offers).doesNotContain(3L, 47L, 50L).doesNotHaveDuplicates().hasSize(97);
        engine.assertEveryPageSentExactlyOnce();
    }

    @Test
    void facingEdgesStopWhereTheyMeet() {
        var engine = new SimulatedEngine(40, new MultiPivotBubbling(Direction.DUAL, 7));
        engine.access(10);
        engine.access(20);
        for (int i = 0; i < 22; i++) {
            engine.push(false);
        }
        assertThat(engine.offers).containsExactly(21L, 19L, 0L, 11L, 9L, 22L, 18L, 1L, 12L, 8L, 23L, 17L, 2L, 13L,
                7L, 24L, 16L, 3L, 14L, 6L, 25L, 15L);

        // 10's forward edge meets 15 (sent by 20's backward edge) and stops rather than skipping to 26; 20's
        // backward edge meets 14 and stops too. The sticky edge skips 5..26 in one step.
        for (int i = 0; i < 4; i++) {
            engine.push(false);
        }
        assertThat(engine.offers.subList(22, 26)).containsExactly(4L, 5L, 26L, 27L);
        engine.drainStrategy();
        engine.assertEveryPageSentExactlyOnce();
    }

    @Test
    void aNewFaultReplacesTheOldestPivot() {
        var strategy = new MultiPivotBubbling(Direction.DUAL, 7);
        for (long page = 10; page <= 80; page += 10) {
            strategy.onFault(page);
        }

        assertThat(strategy.pivots()).containsExactly(0L, 70L, 80L, 30L, 40L, 50L, 60L);
    }

    @Property(tries = 200)
    void keepsTheStickyPivotAndAtMostSevenPivots(
            @ForAll @IntRange(min = 1, max = 3_000) int pageCount,
            @ForAll @IntRange(min = 1, max = 50) int faultPercent,
            @ForAll long seed) {
        var random = new Random(seed);
        var strategy = MultiPivotBubbling.defaults();
        var engine = new SimulatedEngine(pageCount, strategy);
        Deque<Long> recentFaults = new ArrayDeque<>();

        while (!engine.sent.allSent()) {
            long page = random.nextLong(pageCount);
            if (random.nextInt(100) < faultPercent && engine.access(page)) {
                recentFaults.addLast(page);
                if (recentFaults.size() > 6) {
                    recentFaults.removeFirst();
                }
            }
            long[] pivots = strategy.pivots();
            assertThat(pivots.length).isLessThanOrEqualTo(7);
            assertThat(pivots[0]).as("sticky pivot").isZero();
            assertThat(Arrays.stream(pivots, 1, pivots.length).boxed())
                    .containsExactlyInAnyOrderElementsOf(recentFaults);
            engine.push(true);
        }
        engine.assertEveryPageSentExactlyOnce();
    }

    @Property(tries = 200)
    void theStickyPivotFinishesThePushWithoutASweep(
            @ForAll Direction direction,
            @ForAll @IntRange(min = 1, max = 3_000) int pageCount,
            @ForAll @IntRange(min = 0, max = 50) int faultPercent,
            @ForAll long seed) {
        var random = new Random(seed);
        var engine = new SimulatedEngine(pageCount, new MultiPivotBubbling(direction, 7));

        do {
            if (random.nextInt(100) < faultPercent) {
                engine.access(random.nextLong(pageCount));
            }
        } while (engine.push(false) != PrepageStrategy.NO_PAGE);

        engine.assertEveryPageSentExactlyOnce();
    }

    @Test
    void forwardOnlyPivotsGrowUpwardOnly() {
        var engine = new SimulatedEngine(30, new MultiPivotBubbling(Direction.FORWARD, 7));
        engine.access(20);

        engine.drainStrategy();

        // 20's edge goes up to the end; the sticky edge covers 0..19 (and skips 20..29 once they are sent).
        assertThat(engine.offers).startsWith(21L, 0L, 22L, 1L);
        engine.assertEveryPageSentExactlyOnce();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new MultiPivotBubbling(Direction.DUAL, 1)).hasMessageContaining("sticky");
        var strategy = MultiPivotBubbling.defaults();
        strategy.onFault(10);
        assertThatThrownBy(() -> strategy.next(new SentPages(10))).hasMessageContaining("outside");
        assertThatThrownBy(() -> strategy.onFault(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
