package org.migrationlab.migration.precopy.stop;

/**
 * A cap on the number of rounds, counted like Xen 3.x's "30 times round loop" ({@code DEF_MAX_ITERS} 29 in
 * {@code xc_domain_save.c}): the cap counts every round, the stop-and-copy round included. With the
 * default 30, the policy switches over after the 29th live round (round index 28), and the stop-and-copy is
 * the 30th round.
 */
record RoundCap(int maxRounds) {
    static final int DEFAULT_MAX_ROUNDS = 30;

    RoundCap {
        if (maxRounds < 2) {
            throw new IllegalArgumentException("the round cap counts the full copy and the stop-and-copy, so "
                    + "it must be at least 2: " + maxRounds);
        }
    }

    /** Whether the round that just ended leaves only the stop-and-copy round under the cap. */
    boolean reached(StopPolicy.RoundReport report) {
        long liveRoundsDone = report.round() + 1L;
        return liveRoundsDone >= maxRounds - 1L;
    }

    String reason(StopPolicy.RoundReport report) {
        return "round cap: " + (report.round() + 1) + " live rounds done, stop-and-copy is round "
                + (report.round() + 2) + " of at most " + maxRounds;
    }
}
