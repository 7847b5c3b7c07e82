package org.migrationlab.migration.precopy.stop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migrationlab.migration.precopy.stop.Reports.THOUSAND_PAGES_PER_SECOND;
import static org.migrationlab.migration.precopy.stop.Reports.sentAndDirtied;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.migration.precopy.stop.StopPolicy.Decision;

class AutoConvergePolicyTest {
    private static final long HIGH = 600;   // of 1000 sent: 60 % > 50 %
    private static final long LOW = 400;

    /** A policy whose downtime target is never met by these rounds (1 ms a page, 300 ms target). */
    private static AutoConvergePolicy qemuDefaultsWithRoomForRounds() {
        return new AutoConvergePolicy(new DowntimeTargetPolicy(300_000_000L, 1_000), 50, 20, 10, 99);
    }

    /** Feeds rounds of 1000 pages sent with the given dirty pages; returns the throttle after each. */
    private static List<Integer> throttles(AutoConvergePolicy policy, long... dirtyPerRound) {
        List<Integer> result = new ArrayList<>();
        for (int round = 0; round < dirtyPerRound.length; round++) {
            Decision decision = policy.afterRound(
                    sentAndDirtied(round, 1_000, dirtyPerRound[round], THOUSAND_PAGES_PER_SECOND));
            result.add(switch (decision) {
                case Decision.KeepCopying keep -> keep.throttlePercent();
                case Decision.SwitchOver switchOver -> -1;
            });
        }
        return result;
    }

    static Stream<Arguments> triggerTable() {
        return Stream.of(
                Arguments.of("one high round is not enough", new long[] {HIGH}, List.of(0)),
                Arguments.of("two high rounds start at 20 %", new long[] {HIGH, HIGH}, List.of(0, 20)),
                Arguments.of("every second high round steps 10 %", new long[] {HIGH, HIGH, HIGH, HIGH, HIGH},
                        List.of(0, 20, 20, 30, 30)),
                Arguments.of("low rounds keep the throttle", new long[] {HIGH, HIGH, LOW, LOW}, List.of(0, 20, 20, 20)),
                Arguments.of("exactly 50 % is not high", new long[] {500, 500, 500}, List.of(0, 0, 0)),
                Arguments.of("50 % plus a page is", new long[] {501, 501}, List.of(0, 20)),
                // QEMU counts high periods and resets the count only when it acts (migration_trigger_throttle)
                Arguments.of("a calm round between two high ones does not reset the count",
                        new long[] {HIGH, LOW, HIGH}, List.of(0, 0, 20)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("triggerTable")
    void throttlesLikeQemu(String name, long[] dirtyPerRound, List<Integer> expectedThrottles) {
        assertThat(throttles(qemuDefaultsWithRoomForRounds(), dirtyPerRound)).isEqualTo(expectedThrottles);
    }

    @Test
    void throttleStepsUpToTheCapAndStaysThere() {
        long[] highRounds = new long[24];
        Arrays.fill(highRounds, HIGH);

        List<Integer> steps = throttles(qemuDefaultsWithRoomForRounds(), highRounds);

        assertThat(steps).containsExactly(0, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70, 80, 80, 90, 90,
                99, 99, 99, 99, 99, 99, 99);
    }

    @Test
    void switchesExactlyWhenTheDowntimeTargetDoes() {
        var policy = qemuDefaultsWithRoomForRounds();
        throttles(policy, HIGH, HIGH, HIGH, HIGH);

        Decision decision = policy.afterRound(sentAndDirtied(4, 1_000, 300, THOUSAND_PAGES_PER_SECOND));

        assertThat(decision).isEqualTo(new Decision.SwitchOver("expected downtime 300.00 ms <= target 300.00 ms",
                300_000_000L));
    }

    @Test
    void theDefaultsKeepTheSafetyRoundCap() {
        var policy = AutoConvergePolicy.defaults();
        assertThat(policy.afterRound(sentAndDirtied(28, 1_000, HIGH, THOUSAND_PAGES_PER_SECOND)))
                .isInstanceOfSatisfying(Decision.SwitchOver.class,
                        switchOver -> assertThat(switchOver.reason()).startsWith("round cap"));
    }

    @Test
    void knobsShapeTheSteps() {
        var policy = new AutoConvergePolicy(new DowntimeTargetPolicy(0, 1_000), 100, 5, 25, 60);
        // trigger 100 %: dirty must exceed sent
        assertThat(throttles(policy, 1_000, 1_000, 1_001, 1_001, 2_000, 2_000, 2_000, 2_000, 2_000, 2_000))
                .containsExactly(0, 0, 0, 5, 5, 30, 30, 55, 55, 60);
    }

    @Test
    void rejectsNonsenseKnobs() {
        var target = DowntimeTargetPolicy.defaults();
        assertThatThrownBy(() -> new AutoConvergePolicy(null, 50, 20, 10, 99)).hasMessageContaining("downtime");
        assertThatThrownBy(() -> new AutoConvergePolicy(target, 0, 20, 10, 99)).hasMessageContaining("trigger");
        assertThatThrownBy(() -> new AutoConvergePolicy(target, 50, 0, 10, 99)).hasMessageContaining("initial");
        assertThatThrownBy(() -> new AutoConvergePolicy(target, 50, 20, 0, 99)).hasMessageContaining("increment");
        assertThatThrownBy(() -> new AutoConvergePolicy(target, 50, 20, 10, 100)).hasMessageContaining("maximum");
        assertThatThrownBy(() -> new AutoConvergePolicy(target, 50, 50, 10, 40)).hasMessageContaining("exceeds");
    }
}
