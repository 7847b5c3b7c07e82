package org.migrationlab.migration.precopy.stop;

/**
 * QEMU's auto-converge on top of a {@link DowntimeTargetPolicy}: switches over exactly when the wrapped
 * policy does; otherwise keeps copying, throttling the vCPU once the guest dirties memory faster than the
 * link drains it.
 *
 * <p>The trigger is QEMU's ({@code migration_trigger_throttle} in {@code migration/ram.c}): a round is
 * "high" when the bytes dirtied in it exceed {@code triggerPercent} (50 %) of the bytes sent in it. QEMU
 * counts high periods and acts on every second one, resetting the count only when it acts; a round below
 * the threshold does not reset it. So two high rounds trigger even with a calm round between them. The
 * first trigger sets the throttle to {@code initialPercent} (20 %), each later one adds {@code
 * incrementPercent} (10 %) up to {@code maxPercent} (99 %) ({@code mig_throttle_guest_down}, without the
 * optional tail-slow mode). The throttle never goes down during a migration; every {@code KeepCopying}
 * carries the current value. QEMU samples over periods of at least a second; here a period is a round.
 *
 * <p>Stateful: one instance per migration.
 */
public final class AutoConvergePolicy implements StopPolicy {
    public static final int DEFAULT_TRIGGER_PERCENT = 50;
    public static final int DEFAULT_INITIAL_PERCENT = 20;
    public static final int DEFAULT_INCREMENT_PERCENT = 10;
    public static final int DEFAULT_MAX_PERCENT = 99;
    /** High rounds needed per throttle step; fixed at 2 in QEMU. */
    static final int HIGH_ROUNDS_PER_STEP = 2;

    private final DowntimeTargetPolicy downtimeTarget;
    private final int triggerPercent;
    private final int initialPercent;
    private final int incrementPercent;
    private final int maxPercent;

    private int highRounds;
    private int throttlePercent;

    /**
     * @param downtimeTarget   decides the switch-over
     * @param triggerPercent   a round is high when dirty bytes > this % of bytes sent (1..100)
     * @param initialPercent   first throttle (1..99, at most maxPercent)
     * @param incrementPercent added at each later step (1..99)
     * @param maxPercent       the throttle never exceeds this (1..99)
     */
    public AutoConvergePolicy(DowntimeTargetPolicy downtimeTarget, int triggerPercent, int initialPercent,
                              int incrementPercent, int maxPercent) {
        if (downtimeTarget == null) {
            throw new IllegalArgumentException("auto-converge needs a downtime target policy");
        }
        requireRange("trigger", triggerPercent, 1, 100);
        requireRange("initial throttle", initialPercent, 1, 99);
        requireRange("throttle increment", incrementPercent, 1, 99);
        requireRange("maximum throttle", maxPercent, 1, 99);
        if (initialPercent > maxPercent) {
            throw new IllegalArgumentException("initial throttle " + initialPercent + " % exceeds the maximum "
                    + maxPercent + " %");
        }
        this.downtimeTarget = downtimeTarget;
        this.triggerPercent = triggerPercent;
        this.initialPercent = initialPercent;
        this.incrementPercent = incrementPercent;
        this.maxPercent = maxPercent;
    }

    /** QEMU's defaults: trigger 50 %, throttle 20 % + 10 % per step, at most 99 %; 300 ms target, 30 rounds. */
    public static AutoConvergePolicy defaults() {
        return new AutoConvergePolicy(DowntimeTargetPolicy.defaults(), DEFAULT_TRIGGER_PERCENT,
                DEFAULT_INITIAL_PERCENT, DEFAULT_INCREMENT_PERCENT, DEFAULT_MAX_PERCENT);
    }

    @Override
    public Decision afterRound(RoundReport round) {
        Decision decision = downtimeTarget.afterRound(round);
        return switch (decision) {
            case Decision.SwitchOver switchOver -> switchOver;
            case Decision.KeepCopying ignored -> {
                if (isHigh(round) && ++highRounds >= HIGH_ROUNDS_PER_STEP) {
                    highRounds = 0;
                    throttlePercent = throttlePercent == 0
                            ? initialPercent
                            : Math.min(throttlePercent + incrementPercent, maxPercent);
                }
                yield new Decision.KeepCopying(throttlePercent);
            }
        };
    }

    /** Dirty bytes in the round > triggerPercent % of bytes sent in it (both in whole pages). */
    private boolean isHigh(RoundReport round) {
        return round.dirtyPages() * 100.0 > (double) round.pagesSentInRound() * triggerPercent;
    }

    private static void requireRange(String what, int percent, int min, int max) {
        if (percent < min || percent > max) {
            throw new IllegalArgumentException(what + " must be " + min + ".." + max + " %: " + percent);
        }
    }

    @Override
    public String toString() {
        return "auto-converge(" + downtimeTarget + ", trigger=" + triggerPercent + "%, throttle=" + initialPercent
                + "+" + incrementPercent + "..." + maxPercent + "%)";
    }
}
