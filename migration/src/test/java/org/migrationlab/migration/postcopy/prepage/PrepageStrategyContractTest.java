package org.migrationlab.migration.postcopy.prepage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every strategy, driven by the simulated engine with seeded random faults and races: it never offers a sent
 * page, and with the engine's sweep every page goes exactly once.
 */
class PrepageStrategyContractTest {

    @Provide
    Arbitrary<String> strategyNames() {
        return Arbitraries.of(PrepageStrategies.names());
    }

    @Property(tries = 400)
    void everyPageIsSentExactlyOnceAndNoSentPageIsOffered(
            @ForAll("strategyNames") String name,
            @ForAll Direction direction,
            @ForAll @IntRange(min = 1, max = 3_000) int pageCount,
            @ForAll @IntRange(min = 0, max = 40) int faultPercent,
            @ForAll @IntRange(min = 0, max = 20) int racePercent,
            @ForAll long seed) {
        var random = new Random(seed);
        var engine = new SimulatedEngine(pageCount, PrepageStrategies.create(name, direction));
        int faultingSteps = pageCount;      // then the guest goes quiet and even demand-only gets its sweep

        for (int step = 0; !engine.sent.allSent(); step++) {
            assertThat(step).as("steps for %s", engine.strategy).isLessThan(3 * pageCount + 10);
            boolean guestFaulting = step < faultingSteps;
            if (guestFaulting && random.nextInt(100) < faultPercent) {
                engine.access(random.nextLong(pageCount));
            }
            boolean sweep = engine.strategy.sweepsWhenIdle() || !guestFaulting;
            engine.push(sweep, page -> random.nextInt(100) < racePercent);
        }

        engine.assertEveryPageSentExactlyOnce();
        assertThat(engine.strategy.next(engine.sent)).isEqualTo(PrepageStrategy.NO_PAGE);
    }

    @Property(tries = 200)
    void dualBubblingAloneCoversAllMemory(
            @ForAll("bubbling") String name,
            @ForAll @IntRange(min = 1, max = 2_000) int pageCount,
            @ForAll @IntRange(min = 0, max = 30) int faultPercent,
            @ForAll long seed) {
        var random = new Random(seed);
        var engine = new SimulatedEngine(pageCount, PrepageStrategies.create(name, Direction.DUAL));

        while (true) {
            if (random.nextInt(100) < faultPercent) {
                engine.access(random.nextLong(pageCount));
            }
            if (engine.push(false) == PrepageStrategy.NO_PAGE) {
                break;
            }
        }

        engine.assertEveryPageSentExactlyOnce();
    }

    @Provide
    Arbitrary<String> bubbling() {
        return Arbitraries.of("bubble", "multi-pivot");
    }
}
