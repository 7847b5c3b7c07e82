package org.migrationlab.migration.precopy.stop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migrationlab.migration.precopy.stop.Reports.round;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.migration.precopy.stop.StopPolicy.Decision;
import org.migrationlab.migration.precopy.stop.StopPolicy.RoundReport;

class XenStopPolicyTest {

    /** Guest of 10 000 pages; "-" = keep copying unthrottled, otherwise a fragment of the switch reason. */
    static Stream<Arguments> defaultsTable() {
        return Stream.of(
                Arguments.of("full copy, everything dirty", round(0, 10_000, 10_000), "-"),
                Arguments.of("49 dirty pages converge", round(3, 49, 14_000), "converged: 49 dirty pages < 50"),
                Arguments.of("50 dirty pages do not", round(3, 50, 14_000), "-"),
                Arguments.of("nothing dirty after the full copy", round(0, 0, 10_000), "converged"),
                Arguments.of("exactly 3 x RAM sent is not over the cap", round(10, 5_000, 30_000), "-"),
                Arguments.of("one page over 3 x RAM", round(10, 5_000, 30_001), "sent cap: 30001 pages sent > 3 x"),
                Arguments.of("28 live rounds done", round(27, 5_000, 20_000), "-"),
                Arguments.of("29 live rounds done: the 30th is stop-and-copy", round(28, 5_000, 20_000),
                        "round cap: 29 live rounds done, stop-and-copy is round 30 of at most 30"),
                Arguments.of("convergence is named before the caps", round(40, 10, 90_000), "converged"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defaultsTable")
    void decidesLikeXen3(String name, RoundReport report, String expected) {
        Decision decision = XenStopPolicy.defaults().afterRound(report);

        if (expected.equals("-")) {
            assertThat(decision).isEqualTo(new Decision.KeepCopying(0));
        } else {
            assertThat(decision).isInstanceOfSatisfying(Decision.SwitchOver.class,
                    switchOver -> assertThat(switchOver.reason()).contains(expected));
        }
    }

    @Test
    void knobsMoveTheBoundaries() {
        var policy = new XenStopPolicy(5, 2, 10);

        assertThat(policy.afterRound(round(2, 10, 12_000))).isInstanceOf(Decision.KeepCopying.class);
        assertThat(policy.afterRound(round(3, 10, 12_000))).isInstanceOf(Decision.SwitchOver.class);
        assertThat(policy.afterRound(round(1, 9, 12_000))).isInstanceOf(Decision.SwitchOver.class);
        assertThat(policy.afterRound(round(1, 10, 20_000))).isInstanceOf(Decision.KeepCopying.class);
        assertThat(policy.afterRound(round(1, 10, 20_001))).isInstanceOf(Decision.SwitchOver.class);
    }

    @Test
    void aZeroDirtyThresholdTurnsConvergenceOff() {
        assertThat(new XenStopPolicy(30, 3, 0).afterRound(round(1, 0, 10_000)))
                .isInstanceOf(Decision.KeepCopying.class);
    }

    @Test
    void theSmallestRoundCapSwitchesAfterTheFullCopy() {
        assertThat(new XenStopPolicy(2, 3, 50).afterRound(round(0, 5_000, 10_000)))
                .isInstanceOf(Decision.SwitchOver.class);
    }

    @Test
    void estimatesDowntimeWhenTheRateIsKnown() {
        var decision = (Decision.SwitchOver) XenStopPolicy.defaults().afterRound(round(5, 49, 15_000));
        assertThat(decision.expectedDowntimeNanos()).isEqualTo(49_000_000L);

        var unknownRate = new RoundReport(5, 49, 100, 15_000, 10_000, 1_000, 0, 0);
        assertThat(((Decision.SwitchOver) XenStopPolicy.defaults().afterRound(unknownRate))
                .expectedDowntimeNanos()).isEqualTo(-1);
    }

    @Test
    void aHugeGuestDoesNotOverflowTheSentCap() {
        var report = new RoundReport(1, 1_000, 1_000, Long.MAX_VALUE - 1, Long.MAX_VALUE / 2, 1, 1, 1);
        assertThat(XenStopPolicy.defaults().afterRound(report)).isInstanceOf(Decision.KeepCopying.class);
    }

    @Test
    void rejectsNonsenseKnobs() {
        assertThatThrownBy(() -> new XenStopPolicy(1, 3, 50)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> new XenStopPolicy(30, 0, 50)).hasMessageContaining("sent factor");
        assertThatThrownBy(() -> new XenStopPolicy(30, 3, -1)).hasMessageContaining("dirty page threshold");
    }
}
