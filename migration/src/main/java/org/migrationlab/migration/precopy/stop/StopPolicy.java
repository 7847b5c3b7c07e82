package org.migrationlab.migration.precopy.stop;

/**
 * Decides, after each pre-copy round, whether to copy another round or to switch over to stop-and-copy
 * (docs/ARCHITECTURE.md, "Pre-copy"): the interface a stop policy implements, the built-in ones ({@link
 * XenStopPolicy} "xen", {@link DowntimeTargetPolicy} "downtime", {@link AutoConvergePolicy} "auto-converge")
 * and yours, loaded with {@code --stop-policy-class}. Pure: no I/O, no clock, no threads; time arrives in the
 * report. One instance per migration (a loaded class is created by its public no-argument constructor),
 * called from the session thread; implementations may keep state across rounds.
 *
 * <p>Correctness never depends on the policy: it chooses only when the guest is frozen, and whatever it
 * answers the pages still dirty go out in the stop-and-copy. A loaded policy is guarded: if it throws,
 * answers null or takes longer than its time limit, the engine falls back to the built-in policy named by
 * {@code --stop-policy} (which has seen every round) and says so in the report; and a policy that keeps
 * copying is switched over at the round cap ({@code --max-rounds}).
 *
 * <p>A worked example, QEMU's rule in a few lines — switch once the dirty pages would go out within 100 ms
 * at the rate the link just showed, and slow the guest down a step each round it does not:
 * <pre>{@code
 * public final class HundredMillis implements StopPolicy {
 *     private int throttle;                                       // percent of the vCPU's time asleep
 *
 *     public Decision afterRound(RoundReport round) {
 *         double seconds = round.dirtyPages() * 4096.0 / round.bytesPerSecond();   // NaN or ∞ if unknown
 *         if (round.dirtyPages() == 0 || seconds <= 0.100) {
 *             return new Decision.SwitchOver("dirty pages fit 100 ms", (long) (seconds * 1e9));
 *         }
 *         throttle = Math.min(throttle + 10, 90);                 // the guest dirties less while it sleeps
 *         return new Decision.KeepCopying(throttle);
 *     }
 * }
 * }</pre>
 */
public interface StopPolicy {
    /** Called after each pre-copy round (round 0 = the full copy). */
    Decision afterRound(RoundReport round);

    /**
     * What the engine observed in the round that just ended. Rates are measured over that round.
     *
     * @param round               0 for the full copy, then 1, 2, …
     * @param dirtyPages          pages dirtied during this round: what the next round (or the stop-and-copy) sends
     * @param pagesSentInRound    pages sent during this round
     * @param totalPagesSent      pages sent by all rounds so far, this one included (duplicates counted)
     * @param guestPages          the guest's RAM in pages
     * @param roundNanos          how long the round took
     * @param bytesPerSecond      link rate measured over the round; 0 or NaN when unknown
     * @param dirtyPagesPerSecond dirty rate measured over the round; 0 or NaN when unknown
     */
    record RoundReport(int round, long dirtyPages, long pagesSentInRound, long totalPagesSent, long guestPages,
                       long roundNanos, double bytesPerSecond, double dirtyPagesPerSecond) {
        public RoundReport {
            if (round < 0 || dirtyPages < 0 || pagesSentInRound < 0 || totalPagesSent < 0 || guestPages < 0
                    || roundNanos < 0 || bytesPerSecond < 0 || dirtyPagesPerSecond < 0) {
                throw new IllegalArgumentException("negative value in round report: " + this);
            }
        }
    }

    /** What to do next. Switch over it exhaustively, without a {@code default}. */
    sealed interface Decision {
        /** Copy another round; throttlePercent (0..99) asks the engine to slow the vCPU (auto-converge). */
        record KeepCopying(int throttlePercent) implements Decision {
            public static final KeepCopying UNTHROTTLED = new KeepCopying(0);

            public KeepCopying {
                if (throttlePercent < 0 || throttlePercent > 99) {
                    throw new IllegalArgumentException("throttle must be 0..99 %: " + throttlePercent);
                }
            }
        }

        /** Stop and copy now; the reason goes into the report. expectedDowntimeNanos may be -1 if unknown. */
        record SwitchOver(String reason, long expectedDowntimeNanos) implements Decision {
            public SwitchOver {
                if (reason == null || reason.isBlank()) {
                    throw new IllegalArgumentException("a switch-over needs a reason");
                }
                if (expectedDowntimeNanos < -1) {
                    throw new IllegalArgumentException("expected downtime must be >= 0 ns or -1: "
                            + expectedDowntimeNanos);
                }
            }
        }
    }
}
