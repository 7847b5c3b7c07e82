package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentView;

import java.util.Locale;
import java.util.Objects;

/**
 * Adaptive prepaging with one pivot (VEE'09 Fig. 2, name "bubble"; see docs/ARCHITECTURE.md, "References").
 * The pivot starts at page 0;
 * the bubble grows around it one distance at a time, offering the page above the pivot and then (dual) the
 * page below it. Edges skip pages that are already sent, as the paper's bitmap test does, and stay
 * symmetric: the distance jumps straight to the next one with an unsent page on either side. A network
 * fault moves the pivot to the faulted page and restarts the bubble at distance 1 (the faulted page itself
 * went by demand).
 *
 * <p>Loop-bound trap: the paper loops while {@code bubble < max(pivot, N - pivot)}, which never reaches page
 * 0 once the pivot is at or past the middle. Here both edges run to the ends of memory, so a dual bubble
 * covers every page; when it has nothing left (and always below the pivot when forward-only), {@link #next}
 * answers {@link #NO_PAGE} and the engine sweeps.
 *
 * <p>Owned by the push thread.
 */
public final class SinglePivotBubbling implements PrepageStrategy {
    private final Direction direction;

    private long pivot;
    private long distance;
    private boolean aboveTried;
    private boolean belowTried;
    private boolean exhausted;
    private long highestFault = -1;

    public SinglePivotBubbling(Direction direction) {
        this.direction = Objects.requireNonNull(direction, "direction");
    }

    /** Dual direction, the paper's recommended setting. */
    public static SinglePivotBubbling defaults() {
        return new SinglePivotBubbling(Direction.DUAL);
    }

    @Override
    public void onFault(long page) {
        if (page < 0) {
            throw new IllegalArgumentException("negative fault page " + page);
        }
        highestFault = Math.max(highestFault, page);
        pivot = page;
        distance = 1;
        aboveTried = false;
        belowTried = false;
        exhausted = false;
    }

    @Override
    public long next(SentView sent) {
        long pageCount = sent.pageCount();
        if (highestFault >= pageCount) {
            throw new IllegalStateException("fault page " + highestFault + " is outside the guest's "
                    + pageCount + " pages");
        }
        while (!exhausted) {
            if (!aboveTried) {
                aboveTried = true;
                long page = pivot + distance;
                if (page < pageCount && !sent.isSent(page)) {
                    return page;
                }
            }
            if (!belowTried) {
                belowTried = true;
                long page = pivot - distance;
                if (direction == Direction.DUAL && distance > 0 && page >= 0 && !sent.isSent(page)) {
                    return page;
                }
            }
            advanceDistance(sent);
        }
        return NO_PAGE;
    }

    /** Moves to the smallest larger distance with an unsent page on an enabled side, or sets exhausted. */
    private void advanceDistance(SentView sent) {
        long best = Long.MAX_VALUE;
        long above = sent.nextUnsent(pivot + distance + 1);
        if (above >= 0) {
            best = above - pivot;
        }
        if (direction == Direction.DUAL && pivot - distance - 1 >= 0) {
            long below = sent.previousUnsent(pivot - distance - 1);
            if (below >= 0) {
                best = Math.min(best, pivot - below);
            }
        }
        if (best == Long.MAX_VALUE) {
            exhausted = true;
            return;
        }
        distance = best;
        aboveTried = false;
        belowTried = false;
    }

    @Override
    public boolean sweepsWhenIdle() {
        return true;
    }

    /** The current pivot, for tests and diagnostics. */
    long pivot() {
        return pivot;
    }

    @Override
    public String toString() {
        return "bubble(" + direction.name().toLowerCase(Locale.ROOT) + ")";
    }
}
