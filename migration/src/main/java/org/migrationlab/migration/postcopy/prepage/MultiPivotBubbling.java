package org.migrationlab.migration.postcopy.prepage;

import org.migrationlab.migration.pages.SentView;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Adaptive prepaging with several pivots (OSR'09 §3.2(B), name "multi-pivot"; the papers are listed in
 * docs/ARCHITECTURE.md, "References"). The paper gives no pseudo-code; this is our reading of its rules:
 * <ul>
 *   <li>{@code pivotSlots} (k = 7) slots. Slot 0 holds the sticky pivot at page 0, which is never evicted;
 *       the other k − 1 slots hold the most recent network faults, a new fault replacing the oldest.</li>
 *   <li>Each pivot has a forward edge (from pivot + 1) and, when dual, a backward edge (from pivot − 1).
 *       An edge that meets an already-sent page, or the end of memory, stops for good: facing bubbles stop
 *       where they meet. The sticky pivot's edge skips sent pages instead, so the push always finishes, even
 *       forward-only, where every other edge can stall (the paper's reason for the sticky pivot).</li>
 *   <li>The paper leaves the interleaving open ("any fair interleaving"). Here the live edges take turns
 *       round-robin in slot order, forward before backward; a new pivot's forward edge goes next, since the
 *       newest fault is the freshest hint. Stopped pivots keep their slot until evicted: the paper only ever
 *       replaces the oldest.</li>
 * </ul>
 * When every edge has stopped, {@link #next} answers {@link #NO_PAGE} and the engine sweeps whatever is left
 * (pages it was offered but did not send, in practice).
 *
 * <p>Owned by the push thread.
 */
public final class MultiPivotBubbling implements PrepageStrategy {
    public static final int DEFAULT_PIVOT_SLOTS = 7;
    private static final int STICKY = 0;

    private final Direction direction;
    private final int slots;
    private final long[] pivot;
    private final long[] forwardEdge;   // next page the forward edge looks at
    private final long[] backwardEdge;  // next page the backward edge looks at
    private final boolean[] forwardLive;
    private final boolean[] backwardLive;
    private final boolean[] used;
    private int oldest = 1;             // the slot the next fault takes: empty first, then the oldest
    private int turn;                   // edge index 2 * slot + (0 forward, 1 backward) that goes next
    private long highestFault = -1;

    /**
     * @param direction  which edges grow
     * @param pivotSlots pivots in all, the sticky one included (at least 2)
     */
    public MultiPivotBubbling(Direction direction, int pivotSlots) {
        this.direction = Objects.requireNonNull(direction, "direction");
        if (pivotSlots < 2) {
            throw new IllegalArgumentException("multi-pivot bubbling needs the sticky slot and at least one "
                    + "more: " + pivotSlots);
        }
        this.slots = pivotSlots;
        this.pivot = new long[slots];
        this.forwardEdge = new long[slots];
        this.backwardEdge = new long[slots];
        this.forwardLive = new boolean[slots];
        this.backwardLive = new boolean[slots];
        this.used = new boolean[slots];
        used[STICKY] = true;
        forwardLive[STICKY] = true;     // from page 0 itself: nothing has faulted it in
        forwardEdge[STICKY] = 0;
        backwardLive[STICKY] = false;   // nothing below page 0
    }

    /** Dual direction, k = 7: the paper's best setting. */
    public static MultiPivotBubbling defaults() {
        return new MultiPivotBubbling(Direction.DUAL, DEFAULT_PIVOT_SLOTS);
    }

    @Override
    public void onFault(long page) {
        if (page < 0) {
            throw new IllegalArgumentException("negative fault page " + page);
        }
        highestFault = Math.max(highestFault, page);
        int slot = oldest;
        oldest = oldest == slots - 1 ? 1 : oldest + 1;
        used[slot] = true;
        pivot[slot] = page;
        forwardEdge[slot] = page + 1;
        forwardLive[slot] = true;
        backwardEdge[slot] = page - 1;
        backwardLive[slot] = direction == Direction.DUAL;
        turn = 2 * slot;
    }

    @Override
    public long next(SentView sent) {
        long pageCount = sent.pageCount();
        if (highestFault >= pageCount) {
            throw new IllegalStateException("fault page " + highestFault + " is outside the guest's "
                    + pageCount + " pages");
        }
        int edges = 2 * slots;
        for (int tried = 0; tried < edges; tried++) {
            int edge = turn;
            turn = (turn + 1) % edges;
            int slot = edge >> 1;
            long page = (edge & 1) == 0 ? advanceForward(slot, sent) : advanceBackward(slot, sent);
            if (page != NO_PAGE) {
                return page;
            }
        }
        return NO_PAGE;
    }

    private long advanceForward(int slot, SentView sent) {
        if (!forwardLive[slot]) {
            return NO_PAGE;
        }
        long page = forwardEdge[slot];
        if (page < sent.pageCount() && sent.isSent(page)) {
            page = slot == STICKY ? sent.nextUnsent(page) : NO_PAGE;
        }
        if (page == NO_PAGE || page >= sent.pageCount()) {
            forwardLive[slot] = false;
            return NO_PAGE;
        }
        forwardEdge[slot] = page + 1;
        return page;
    }

    private long advanceBackward(int slot, SentView sent) {
        if (!backwardLive[slot]) {
            return NO_PAGE;
        }
        long page = backwardEdge[slot];
        if (page >= 0 && sent.isSent(page)) {
            page = NO_PAGE;             // only the sticky pivot skips, and it has no backward edge
        }
        if (page < 0) {
            backwardLive[slot] = false;
            return NO_PAGE;
        }
        backwardEdge[slot] = page - 1;
        return page;
    }

    @Override
    public boolean sweepsWhenIdle() {
        return true;
    }

    /** The pivots in slot order, the sticky one first, for tests and diagnostics. */
    long[] pivots() {
        int count = 0;
        long[] result = new long[slots];
        for (int slot = 0; slot < slots; slot++) {
            if (used[slot]) {
                result[count++] = pivot[slot];
            }
        }
        return Arrays.copyOf(result, count);
    }

    @Override
    public String toString() {
        return "multi-pivot(" + direction.name().toLowerCase(Locale.ROOT) + ", k=" + slots + ")";
    }
}
