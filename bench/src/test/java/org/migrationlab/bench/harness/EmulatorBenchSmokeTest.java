package org.migrationlab.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.migrationlab.emulator.port.DirtyLogMode;

/**
 * {@code bin/bench emulator} once on tiny guests: every section runs and yields each of its figures, with
 * values a real measurement has.
 */
@Timeout(120)
class EmulatorBenchSmokeTest {
    @Test
    void everySectionYieldsItsFigures() {
        EmulatorBench bench = new EmulatorBench(BenchSize.SMOKE);
        bench.run();

        List<String> expected = new ArrayList<>(List.of("paging-speed-ratio-load-loop", "paging-speed-ratio-wss-2M-seq",
                "paging-speed-ratio-wss-2M-hotcold", "paging-speed-ratio-wss-2M-random",
                "demand-fault-median-us-populated", "demand-fault-median-us-fresh"));
        for (DirtyLogMode mode : DirtyLogMode.values()) {
            expected.add("dirty-log-ns-per-page-" + mode);
        }
        for (DirtyLogMode mode : DirtyLogMode.values()) {
            expected.add("rearm-64MiB-ms-" + mode);
        }
        assertThat(bench.figures.keySet()).containsExactlyElementsOf(expected);
        bench.figures.forEach((name, value) -> {
            assertThat(value).as(name).isFinite();
            // A logged round minus an unlogged one is a difference of two noisy times: its sign is not a fact.
            if (!name.startsWith("dirty-log-")) {
                assertThat(value).as(name).isPositive();
            }
        });
    }
}
