package org.migrationlab.balloon.policy;

/**
 * Decides how many pages a guest's balloon should hold, each time the guest's driver wakes and asks
 * (guest_abi.h, {@code GUEST_OP_BALLOON_QUERY}). The guest then inflates or deflates toward the answer,
 * in batches, never below the reserve it keeps free.
 *
 * <p>Pure: no I/O, no clock, no threads, no state. Everything a decision may depend on, time included
 * (the guest's virtual clock), arrives in the {@link Observation}; what must be remembered between
 * decisions (when the guest last ran short of memory) is kept by the balloon device and moves with the
 * guest. The built-in implementations ({@link SelfBalloonPolicy} "self-balloon", {@link NoBalloon} "none")
 * are picked by name through {@link BalloonPolicies}; yours is loaded with {@code --balloon-policy-class} (a
 * public class with a public no-argument constructor).
 *
 * <p>Correctness never depends on the policy: a guest takes pages back from the balloon whenever it needs
 * them, so the balloon's size changes only how many pages a migration must send. A loaded policy is guarded:
 * if it throws, answers outside {@code [0, totalPages]} or takes longer than its time limit, the built-in
 * self-balloon policy takes over and the command says so.
 *
 * <p>A worked example, keeping a quarter of the guest's free memory free:
 * <pre>{@code
 * public final class ThreeQuarters implements BalloonPolicy {
 *     public String name() {
 *         return "three-quarters";
 *     }
 *
 *     public long targetPages(Observation now) {
 *         long spare = Math.max(0, now.freePages() - now.guestReservePages());
 *         return Math.min(now.totalPages(), now.balloonPages() + spare * 3 / 4);
 *     }
 * }
 * }</pre>
 */
public interface BalloonPolicy {
    /** The policy's registry name. */
    String name();

    /** How many pages the balloon should hold now, in {@code [0, now.totalPages()]}. */
    long targetPages(Observation now);

    /**
     * What the guest reported, and what the device knows, at one query.
     *
     * @param nowNanos             the guest's virtual clock
     * @param freePages            pages free in the guest's allocator, not counting the balloon
     * @param totalPages           pages the guest's allocator manages (free, used and ballooned)
     * @param guestReservePages    pages the guest keeps free whatever the answer (its dsb-reserve)
     * @param balloonPages         pages the balloon holds now
     * @param queriesSincePressure queries since the guest last deflated under memory pressure
     *                             ({@link Long#MAX_VALUE}: never)
     */
    record Observation(long nowNanos, long freePages, long totalPages, long guestReservePages, long balloonPages,
                       long queriesSincePressure) {
        public Observation {
            if (nowNanos < 0 || freePages < 0 || totalPages < 0 || guestReservePages < 0 || balloonPages < 0
                    || queriesSincePressure < 0) {
                throw new IllegalArgumentException("negative value in " + this);
            }
            if (freePages + balloonPages > totalPages) {
                throw new IllegalArgumentException("free " + freePages + " + ballooned " + balloonPages
                        + " pages exceed the " + totalPages + " pages managed");
            }
        }
    }
}
