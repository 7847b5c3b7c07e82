package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentPages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrepageStrategiesTest {

    @Test
    void namesEveryStrategy() {
        assertThat(PrepageStrategies.names()).containsExactly("none", "push", "bubble", "multi-pivot");
        assertThat(PrepageStrategies.create("none")).isInstanceOf(DemandOnly.class);
        assertThat(PrepageStrategies.create("push")).isInstanceOf(LinearPush.class);
        assertThat(PrepageStrategies.create("bubble")).isInstanceOf(SinglePivotBubbling.class);
        assertThat(PrepageStrategies.create("multi-pivot")).isInstanceOf(MultiPivotBubbling.class);
    }

    @Test
    void theDirectionDefaultsToDual() {
        assertThat(PrepageStrategies.create("bubble")).hasToString("bubble(dual)");
        assertThat(PrepageStrategies.create("bubble", Direction.FORWARD)).hasToString("bubble(forward)");
        assertThat(PrepageStrategies.create("multi-pivot")).hasToString("multi-pivot(dual, k=7)");
        assertThat(PrepageStrategies.create("push", Direction.FORWARD)).hasToString("push");
    }

    @Test
    void onlyDemandPagingWaitsInsteadOfSweeping() {
        assertThat(PrepageStrategies.create("none").sweepsWhenIdle()).isFalse();
        assertThat(PrepageStrategies.create("none").next(new SentPages(4))).isEqualTo(PrepageStrategy.NO_PAGE);
        for (String name : new String[] {"push", "bubble", "multi-pivot"}) {
            assertThat(PrepageStrategies.create(name).sweepsWhenIdle()).as(name).isTrue();
        }
    }

    @Test
    void givesEachMigrationItsOwnInstance() {
        assertThat(PrepageStrategies.create("bubble")).isNotSameAs(PrepageStrategies.create("bubble"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> PrepageStrategies.create("lru"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown prepage strategy 'lru'; known: none, push, bubble, multi-pivot");
        assertThatThrownBy(() -> PrepageStrategies.create(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linearPushGoesUpFromPageZeroSkippingDemandedPages() {
        var engine = new SimulatedEngine(6, new LinearPush());
        engine.access(4);
        engine.access(1);

        engine.drainStrategy();

        assertThat(engine.offers).containsExactly(0L, 2L, 3L, 5L);
    }
}
