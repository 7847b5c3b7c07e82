package org.migrationlab.balloon.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The policies against tables of synthetic observations. */
class SelfBalloonPolicyTest {
    private static final long NEVER = Long.MAX_VALUE;

    @ParameterizedTest(name = "free {0} reserve {1} balloon {2} since-pressure {3} -> {4}: {5}")
    @CsvSource(textBlock = """
            # free, guest reserve, balloon, queries since pressure, target, why
            1000,   0,     0,    NEVER,  950, 95 % of free memory
            1000,   100,   0,    NEVER,  855, 95 % of what is above the reserve
            1000,   100,   500,  NEVER,  1355, grows on top of what it holds
            100,    100,   500,  NEVER,  500, nothing spare: hold
            110,    100,   500,  NEVER,  500, 9 spare pages: below the hysteresis of 16
            117,    100,   500,  NEVER,  516, 17 spare: 16 pages  worth it
            60,     100,   500,  NEVER,  444, under the reserve: give back 40 + 16
            0,      100,   50,   NEVER,  0, more pressure than balloon: empty it
            1000,   100,   500,  0,      500, just deflated under pressure: hold
            1000,   100,   500,  9,      500, still backing off (10 intervals)
            1000,   100,   500,  10,     1355, backoff over
            60,     100,   500,  3,      444, under the reserve during backoff: still give back
            0,      0,     0,    NEVER,  0,    nothing at all
            """)
    void paperSettings(long free, long reserve, long balloon, String sincePressure, long target, String why) {
        long since = sincePressure.equals("NEVER") ? NEVER : Long.parseLong(sincePressure);
        BalloonPolicy.Observation now = new BalloonPolicy.Observation(1_000_000, free, 4096, reserve, balloon, since);
        assertThat(SelfBalloonPolicy.paper().targetPages(now)).isEqualTo(target);
    }

    @ParameterizedTest(name = "host reserve {0}, guest reserve {1}, max growth {2} -> {3}: {4}")
    @CsvSource(textBlock = """
            0,    0,    1000,   950,  95 % of free memory
            200,  0,    1000,   760,  95 % above the host reserve
            200,  300,  1000,   665, the larger reserve counts
            0,    0,    100,    100, growth capped per interval
            """)
    void hostReserveAndGrowthCap(long hostReserve, long guestReserve, long maxGrowth, long target, String why) {
        SelfBalloonPolicy policy = new SelfBalloonPolicy(hostReserve, 950, 10, 16, maxGrowth);
        assertThat(policy.targetPages(new BalloonPolicy.Observation(0, 1000, 4096, guestReserve, 0, NEVER)))
                .isEqualTo(target);
    }

    @Test
    void theTargetNeverExceedsTheGuest() {
        SelfBalloonPolicy all = new SelfBalloonPolicy(0, 1000, 0, 0, Long.MAX_VALUE);
        assertThat(all.targetPages(new BalloonPolicy.Observation(0, 3000, 4096, 0, 1096, NEVER))).isEqualTo(4096);
        assertThat(all.targetPages(new BalloonPolicy.Observation(0, Long.MAX_VALUE / 2, Long.MAX_VALUE, 0, 0, NEVER)))
                .isEqualTo(Long.MAX_VALUE / 2);
    }

    @Test
    void noBalloonAlwaysWantsItEmpty() {
        assertThat(new NoBalloon().targetPages(new BalloonPolicy.Observation(0, 1000, 4096, 0, 700, NEVER))).isZero();
    }

    @Test
    void policiesAreChosenByName() {
        assertThat(BalloonPolicies.names()).containsExactly("self-balloon", "none");
        assertThat(BalloonPolicies.byName("self-balloon")).isEqualTo(SelfBalloonPolicy.paper());
        assertThat(BalloonPolicies.byName("none")).isInstanceOf(NoBalloon.class);
        assertThat(BalloonPolicies.create(BalloonConfig.defaults())).isEqualTo(SelfBalloonPolicy.paper());
        assertThatThrownBy(() -> BalloonPolicies.byName("greedy")).hasMessageContaining("self-balloon, none");
    }

    @Test
    void badSettingsAndObservationsAreRejected() {
        assertThatThrownBy(() -> new SelfBalloonPolicy(0, 1001, 10, 16, 1)).hasMessageContaining("inflatePermille");
        assertThatThrownBy(() -> new SelfBalloonPolicy(-1, 950, 10, 16, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SelfBalloonPolicy(0, 950, 10, 16, 0)).hasMessageContaining("maxInflatePages");
        assertThatThrownBy(() -> new BalloonConfig("self-balloon", 0, 950, -1, 16, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BalloonPolicy.Observation(0, 600, 1000, 0, 500, 0)).hasMessageContaining("exceed");
        assertThatThrownBy(() -> new BalloonPolicy.Observation(-1, 0, 0, 0, 0, 0)).hasMessageContaining("negative");
    }
}
