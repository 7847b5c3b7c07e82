package org.migrationlab.migration.postcopy.prepage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small version of the papers' fault comparison (VEE Table 2, OSR Fig 17): after the switch-over the guest
 * reads its memory sequentially from the middle to the end, one page per tick, while the source pushes a few
 * pages per tick. A network fault is an access to a page that has not arrived; a minor fault one that has.
 */
class NetworkFaultSimulationTest {
    private static final int PAGES = 4_096;
    private static final long FIRST_ACCESS = PAGES / 2;

    record Counts(long network, long minor) {
        double networkPercent() {
            return 100.0 * network / (network + minor);
        }
    }

    static Counts simulate(PrepageStrategy strategy, int pushesPerAccess) {
        var engine = new SimulatedEngine(PAGES, strategy);
        for (long page = FIRST_ACCESS; page < PAGES; page++) {
            engine.access(page);
            for (int i = 0; i < pushesPerAccess; i++) {
                engine.push(strategy.sweepsWhenIdle());
            }
        }
        while (engine.push(true) != PrepageStrategy.NO_PAGE) {
            // the rest of memory, after the guest's accesses
        }
        engine.assertEveryPageSentExactlyOnce();
        return new Counts(engine.networkFaults, engine.minorFaults);
    }

    @ParameterizedTest(name = "{0} pushes per access")
    @ValueSource(ints = {2, 3, 4})
    void bubblingLeavesFewerNetworkFaultsThanLinearPushWhenFaultsStartMidMemory(int pushesPerAccess) {
        Map<String, Counts> counts = new LinkedHashMap<>();
        for (String name : PrepageStrategies.names()) {
            for (Direction direction : Direction.values()) {
                PrepageStrategy strategy = PrepageStrategies.create(name, direction);
                counts.putIfAbsent(strategy.toString(), simulate(strategy, pushesPerAccess));
            }
        }

        System.out.printf(Locale.ROOT, "%nSequential access %d..%d of %d pages, %d pushes per access:%n",
                FIRST_ACCESS, PAGES - 1, PAGES, pushesPerAccess);
        counts.forEach((name, c) -> System.out.printf(Locale.ROOT, "  %-26s network %5d  minor %5d  (%5.1f %%)%n",
                name, c.network(), c.minor(), c.networkPercent()));

        long push = counts.get("push").network();
        assertThat(push).isLessThanOrEqualTo(counts.get("none").network());
        assertThat(counts.get("bubble(dual)").network()).isLessThan(push);
        assertThat(counts.get("bubble(forward)").network()).isLessThan(push);
        assertThat(counts.get("multi-pivot(dual, k=7)").network()).isLessThan(push);
        assertThat(counts.get("multi-pivot(forward, k=7)").network()).isLessThan(push);
    }
}
