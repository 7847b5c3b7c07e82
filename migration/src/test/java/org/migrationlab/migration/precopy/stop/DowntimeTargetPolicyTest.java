package org.migrationlab.migration.precopy.stop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migrationlab.migration.precopy.stop.Reports.THOUSAND_PAGES_PER_SECOND;
import static org.migrationlab.migration.precopy.stop.Reports.withRate;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.migration.precopy.stop.StopPolicy.Decision;
import org.migrationlab.migration.precopy.stop.StopPolicy.RoundReport;

class DowntimeTargetPolicyTest {
    private static final long MS = 1_000_000L;

    /** At 1000 pages/s each dirty page is 1 ms of downtime; the default target is 300 ms. */
    static Stream<Arguments> defaultsTable() {
        return Stream.of(
                Arguments.of("300 pages: exactly the target", withRate(4, 300, THOUSAND_PAGES_PER_SECOND),
                        "expected downtime 300.00 ms <= target 300.00 ms", 300 * MS),
                Arguments.of("301 pages: just over", withRate(4, 301, THOUSAND_PAGES_PER_SECOND), "-", 0L),
                Arguments.of("nothing dirty, rate unknown", withRate(1, 0, 0), "expected downtime 0.00 ms", 0L),
                Arguments.of("rate zero: unknown, keep", withRate(1, 10, 0), "-", 0L),
                Arguments.of("rate NaN: unknown, keep", withRate(1, 10, Double.NaN), "-", 0L),
                Arguments.of("a fast link makes many pages cheap", withRate(2, 100_000, 4096.0 * 1_000_000),
                        "expected downtime 100.00 ms", 100 * MS),
                Arguments.of("28 live rounds over target", withRate(27, 5_000, THOUSAND_PAGES_PER_SECOND), "-", 0L),
                Arguments.of("29 live rounds: the safety cap", withRate(28, 5_000, THOUSAND_PAGES_PER_SECOND),
                        "round cap: 29 live rounds done, stop-and-copy is round 30 of at most 30; expected "
                                + "downtime 5000.00 ms still above target 300.00 ms", 5_000 * MS),
                Arguments.of("cap with unknown rate", withRate(28, 5_000, 0), "expected downtime unknown", -1L),
                Arguments.of("target met at the cap names the target", withRate(28, 10, THOUSAND_PAGES_PER_SECOND),
                        "expected downtime 10.00 ms <= target", 10 * MS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defaultsTable")
    void switchesWhenTheDirtyPagesFitTheTarget(String name, RoundReport report, String expected,
                                               long expectedDowntimeNanos) {
        Decision decision = DowntimeTargetPolicy.defaults().afterRound(report);

        if (expected.equals("-")) {
            assertThat(decision).isEqualTo(new Decision.KeepCopying(0));
        } else {
            assertThat(decision).isInstanceOfSatisfying(Decision.SwitchOver.class, switchOver -> {
                assertThat(switchOver.reason()).contains(expected);
                assertThat(switchOver.expectedDowntimeNanos()).isEqualTo(expectedDowntimeNanos);
            });
        }
    }

    @Test
    void expectedDowntimeRoundsUpToWholeNanoseconds() {
        // 1 page at 3 bytes/s: 4096 / 3 s = 1365.333… s
        assertThat(DowntimeEstimate.nanos(1, 3)).isEqualTo(1_365_333_333_334L);
        assertThat(DowntimeEstimate.nanos(1, Double.POSITIVE_INFINITY)).isEqualTo(-1);
        assertThat(DowntimeEstimate.nanos(Long.MAX_VALUE, 1e-9)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aZeroTargetSwitchesOnlyWithNothingDirty() {
        var policy = new DowntimeTargetPolicy(0, 30);
        assertThat(policy.afterRound(withRate(1, 1, 1e12))).isInstanceOf(Decision.KeepCopying.class);
        assertThat(policy.afterRound(withRate(1, 0, 1e12))).isInstanceOf(Decision.SwitchOver.class);
    }

    @Test
    void knobsAreKept() {
        var policy = new DowntimeTargetPolicy(50 * MS, 4);
        assertThat(policy.downtimeTargetNanos()).isEqualTo(50 * MS);
        assertThat(policy.maxRounds()).isEqualTo(4);
        assertThat(policy.afterRound(withRate(1, 51, THOUSAND_PAGES_PER_SECOND)))
                .isInstanceOf(Decision.KeepCopying.class);
        assertThat(policy.afterRound(withRate(2, 51, THOUSAND_PAGES_PER_SECOND)))
                .isInstanceOf(Decision.SwitchOver.class);
    }

    @Test
    void rejectsNonsenseKnobs() {
        assertThatThrownBy(() -> new DowntimeTargetPolicy(-1, 30)).hasMessageContaining("downtime target");
        assertThatThrownBy(() -> new DowntimeTargetPolicy(300 * MS, 1)).hasMessageContaining("at least 2");
    }
}
