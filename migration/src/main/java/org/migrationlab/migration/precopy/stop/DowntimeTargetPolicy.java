package org.migrationlab.migration.precopy.stop;

/**
 * QEMU's switch-over rule: stop when the pages still dirty could be sent within the downtime target at the
 * link rate measured over the last round (expected downtime = dirtyPages × 4096 / bytesPerSecond ≤ target,
 * QEMU's {@code downtime-limit}, default 300 ms). While the rate is unknown (0 or NaN) only a round with no
 * dirty page switches. QEMU has no round cap; a guest that dirties faster than the link would then copy
 * forever, so this policy adds one ({@link RoundCap}, default 30 rounds in all, the stop-and-copy included)
 * and says so in the reason. Stateless.
 */
public final class DowntimeTargetPolicy implements StopPolicy {
    public static final long DEFAULT_DOWNTIME_TARGET_NANOS = 300_000_000L;
    public static final int DEFAULT_MAX_ROUNDS = RoundCap.DEFAULT_MAX_ROUNDS;

    private final long downtimeTargetNanos;
    private final RoundCap roundCap;

    /**
     * @param downtimeTargetNanos switch once the expected downtime is at most this (at least 0)
     * @param maxRounds           safety cap: rounds in all, stop-and-copy included (at least 2)
     */
    public DowntimeTargetPolicy(long downtimeTargetNanos, int maxRounds) {
        if (downtimeTargetNanos < 0) {
            throw new IllegalArgumentException("downtime target must be >= 0 ns: " + downtimeTargetNanos);
        }
        this.downtimeTargetNanos = downtimeTargetNanos;
        this.roundCap = new RoundCap(maxRounds);
    }

    /** 300 ms target (QEMU's default), 30 rounds cap. */
    public static DowntimeTargetPolicy defaults() {
        return new DowntimeTargetPolicy(DEFAULT_DOWNTIME_TARGET_NANOS, DEFAULT_MAX_ROUNDS);
    }

    public long downtimeTargetNanos() {
        return downtimeTargetNanos;
    }

    public int maxRounds() {
        return roundCap.maxRounds();
    }

    @Override
    public Decision afterRound(RoundReport round) {
        long expected = DowntimeEstimate.nanos(round.dirtyPages(), round.bytesPerSecond());
        if (expected != DowntimeEstimate.UNKNOWN && expected <= downtimeTargetNanos) {
            return new Decision.SwitchOver("expected downtime " + DowntimeEstimate.millis(expected)
                    + " <= target " + DowntimeEstimate.millis(downtimeTargetNanos), expected);
        }
        if (roundCap.reached(round)) {
            return new Decision.SwitchOver(roundCap.reason(round) + "; expected downtime "
                    + DowntimeEstimate.millis(expected) + " still above target "
                    + DowntimeEstimate.millis(downtimeTargetNanos), expected);
        }
        return Decision.KeepCopying.UNTHROTTLED;
    }

    @Override
    public String toString() {
        return "downtime(target=" + DowntimeEstimate.millis(downtimeTargetNanos) + ", maxRounds="
                + roundCap.maxRounds() + ")";
    }
}
