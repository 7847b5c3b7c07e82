package org.migrationlab.migration.precopy.stop;

/**
 * The knobs of the stop policies beyond their name and downtime target, with QEMU's and Xen's defaults.
 *
 * @param maxRounds                rounds in all, stop-and-copy included (Xen's 30); every policy stops here
 * @param throttleInitialPercent   auto-converge's first throttle (QEMU's {@code cpu-throttle-initial}, 20)
 * @param throttleIncrementPercent auto-converge's step (QEMU's {@code cpu-throttle-increment}, 10)
 */
public record PrecopyLimits(int maxRounds, int throttleInitialPercent, int throttleIncrementPercent) {
    public static final PrecopyLimits DEFAULTS = new PrecopyLimits(RoundCap.DEFAULT_MAX_ROUNDS,
            AutoConvergePolicy.DEFAULT_INITIAL_PERCENT, AutoConvergePolicy.DEFAULT_INCREMENT_PERCENT);

    public PrecopyLimits {
        new RoundCap(maxRounds); // validates
        if (throttleInitialPercent < 1 || throttleInitialPercent > AutoConvergePolicy.DEFAULT_MAX_PERCENT) {
            throw new IllegalArgumentException("the initial throttle must be 1..99 %: " + throttleInitialPercent);
        }
        if (throttleIncrementPercent < 1 || throttleIncrementPercent > AutoConvergePolicy.DEFAULT_MAX_PERCENT) {
            throw new IllegalArgumentException("the throttle increment must be 1..99 %: " + throttleIncrementPercent);
        }
    }
}
