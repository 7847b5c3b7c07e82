package org.migrationlab.balloon.policy;

/**
 * Dynamic self-ballooning ("DSB") as in Hines and Gopalan (VEE'09, section 4.2): every
 * interval the balloon grows by {@code inflatePermille} (95 %) of the guest's free memory above its
 * reserve; once the guest has run short of memory (it deflated under pressure), the balloon keeps its
 * size for {@code backoffIntervals} (10) intervals. When free memory is already below the reserve at a
 * query, the balloon gives back what restores the reserve, plus {@code hysteresisPages}; a growth smaller
 * than {@code hysteresisPages} is not worth the round trip and is skipped.
 *
 * @param reservePages     pages the host wants kept free; the guest's own reserve counts if larger
 * @param inflatePermille  share of free memory above the reserve to take each interval (950 = 95 %)
 * @param backoffIntervals queries to hold the balloon's size after a pressure deflation
 * @param hysteresisPages  smallest growth worth making, and slack added when giving pages back
 * @param maxInflatePages  largest growth in one interval ({@link Long#MAX_VALUE}: no limit)
 */
public record SelfBalloonPolicy(long reservePages, int inflatePermille, int backoffIntervals, long hysteresisPages,
                                long maxInflatePages) implements BalloonPolicy {
    public static final String NAME = "self-balloon";

    public SelfBalloonPolicy {
        if (reservePages < 0 || hysteresisPages < 0 || backoffIntervals < 0) {
            throw new IllegalArgumentException("reserve, hysteresis and backoff must not be negative");
        }
        if (inflatePermille < 0 || inflatePermille > 1000) {
            throw new IllegalArgumentException("inflatePermille must be in [0, 1000], got " + inflatePermille);
        }
        if (maxInflatePages < 1) {
            throw new IllegalArgumentException("maxInflatePages must be positive, got " + maxInflatePages);
        }
    }

    /** The settings of Hines and Gopalan (VEE'09): 95 % of free memory, a backoff of 10 intervals; no host reserve. */
    public static SelfBalloonPolicy paper() {
        return new SelfBalloonPolicy(0, 950, 10, 16, Long.MAX_VALUE);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long targetPages(Observation now) {
        long reserve = Math.max(reservePages, now.guestReservePages());
        long free = now.freePages();
        long balloon = now.balloonPages();
        if (free < reserve) {
            return Math.max(0, balloon - (reserve - free) - hysteresisPages);
        }
        if (now.queriesSincePressure() < backoffIntervals) {
            return balloon;
        }
        long spare = free - reserve;
        long growth = Math.min(spare / 1000 * inflatePermille + spare % 1000 * inflatePermille / 1000, maxInflatePages);
        if (growth < Math.max(1, hysteresisPages)) {
            return balloon;
        }
        return Math.min(now.totalPages(), balloon + growth);
    }
}
