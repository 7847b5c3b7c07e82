package org.migrationlab.vmm.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The prepaging experiment's readings come from the counts, not from the paper. (That each series ran its
 * own strategy, as the source's report says, EvalCommandIT checks on the tiny scale's migrations.)
 */
class PrepageProcsExperimentTest {
    private static final EvalSettings SETTINGS = new EvalSettings(EvalSettings.Scale.TINY, 1, 1_000_000_000L,
            50_000L, Optional.empty(), 1);

    @Test
    void theReadingsFollowTheCountsWhereTheyAgreeWithThePaperAndWhereNot() {
        int[] procs = {4, 16, 32};
        Map<PrepageProcsExperiment.Strategy, List<Spread>> spreads = new LinkedHashMap<>();
        spreads.put(PrepageProcsExperiment.PUSH, counts(30, 900, 1000));
        spreads.put(PrepageProcsExperiment.FORWARD, counts(20, 950, 600));
        spreads.put(PrepageProcsExperiment.DUAL, counts(25, 400, 500));
        spreads.put(PrepageProcsExperiment.MULTI_PIVOT, counts(10, 300, 250));

        String readings = String.join("\n", PrepageProcsExperiment.readings(SETTINGS, procs, spreads));

        assertThat(readings).contains("push-only had strictly the most network faults at 1 of 2 such counts (P = 32)",
                "a dual-direction strategy strictly the fewest at 2 of 2 (P = 16, 32)",
                "P = 16 (Multi-pivot (dual) 300 ≤ Dual (single pivot) 400 ≤ Push-only 900 ≤ Forward (single pivot) 950)",
                "our Multi-pivot (dual) had 250 against 1000 (-75 %)", "about 1440 network faults against push-only's "
                        + "5455 (-74 %)", "ranged over 10 to 30 network faults (at 8 or more: 250 to 1000)");
    }

    private static List<Spread> counts(double... medians) {
        return Arrays.stream(medians).mapToObj(m -> new Spread(m, m, m)).toList();
    }
}
