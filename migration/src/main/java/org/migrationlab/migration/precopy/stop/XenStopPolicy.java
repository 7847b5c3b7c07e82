package org.migrationlab.migration.precopy.stop;

/**
 * Xen 3.x's live-save loop ({@code xc_domain_save.c}, the pre-copy the papers compare against).
 * Switches over when any holds, checked in this order:
 * <ol>
 *   <li>fewer than {@code minDirtyPages} (50) pages are dirty: the writable working set has converged;</li>
 *   <li>more than {@code maxSentFactor} (3) × the guest's pages have been sent in all
 *       ({@code total_sent > max_factor * p2m_size});</li>
 *   <li>the round cap is reached: {@code maxRounds} (30) rounds in all, the stop-and-copy included
 *       ({@link RoundCap}).</li>
 * </ol>
 * Xen's fourth rule (the round sent more than the last one while the rate limit is at its maximum) only
 * acts with adaptive rate limiting, which released Xen leaves off, so it is not modelled. Xen counts the
 * pages sent plus those skipped because they were re-dirtied; our report's {@code dirtyPages} (what the next
 * round would send) is that quantity without the lag of one round. Stateless.
 */
public final class XenStopPolicy implements StopPolicy {
    public static final int DEFAULT_MAX_ROUNDS = RoundCap.DEFAULT_MAX_ROUNDS;
    public static final int DEFAULT_MAX_SENT_FACTOR = 3;
    public static final long DEFAULT_MIN_DIRTY_PAGES = 50;

    private final RoundCap roundCap;
    private final int maxSentFactor;
    private final long minDirtyPages;

    /**
     * @param maxRounds     rounds in all, stop-and-copy included (at least 2)
     * @param maxSentFactor switch once more than this many times the guest's pages have been sent (at least 1)
     * @param minDirtyPages switch once fewer pages than this are dirty (at least 0; 0 turns the rule off)
     */
    public XenStopPolicy(int maxRounds, int maxSentFactor, long minDirtyPages) {
        if (maxSentFactor < 1) {
            throw new IllegalArgumentException("sent factor must be at least 1: " + maxSentFactor);
        }
        if (minDirtyPages < 0) {
            throw new IllegalArgumentException("dirty page threshold must be >= 0: " + minDirtyPages);
        }
        this.roundCap = new RoundCap(maxRounds);
        this.maxSentFactor = maxSentFactor;
        this.minDirtyPages = minDirtyPages;
    }

    /** 30 rounds, 3 × RAM, 50 dirty pages: Xen 3.x's defaults. */
    public static XenStopPolicy defaults() {
        return new XenStopPolicy(DEFAULT_MAX_ROUNDS, DEFAULT_MAX_SENT_FACTOR, DEFAULT_MIN_DIRTY_PAGES);
    }

    @Override
    public Decision afterRound(RoundReport round) {
        long expected = DowntimeEstimate.nanos(round.dirtyPages(), round.bytesPerSecond());
        if (round.dirtyPages() < minDirtyPages) {
            return new Decision.SwitchOver("converged: " + round.dirtyPages() + " dirty pages < "
                    + minDirtyPages, expected);
        }
        long sentCap = saturatedProduct(round.guestPages(), maxSentFactor);
        if (round.totalPagesSent() > sentCap) {
            return new Decision.SwitchOver("sent cap: " + round.totalPagesSent() + " pages sent > "
                    + maxSentFactor + " x " + round.guestPages() + " guest pages", expected);
        }
        if (roundCap.reached(round)) {
            return new Decision.SwitchOver(roundCap.reason(round), expected);
        }
        return Decision.KeepCopying.UNTHROTTLED;
    }

    private static long saturatedProduct(long pages, int factor) {
        return pages > Long.MAX_VALUE / factor ? Long.MAX_VALUE : pages * factor;
    }

    @Override
    public String toString() {
        return "xen(maxRounds=" + roundCap.maxRounds() + ", maxSentFactor=" + maxSentFactor
                + ", minDirtyPages=" + minDirtyPages + ")";
    }
}
