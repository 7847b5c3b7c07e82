package org.migrationlab.vmm.web;

import java.util.function.LongConsumer;

import org.migrationlab.migration.progress.ArrivalObserver;

/**
 * The destination's guest memory as the view sees it: the pages copied before the switch-over, and the
 * post-copy pages not yet received, received and not yet touched, awaited by a network fault, fetched by
 * one ({@link CellState#DEMAND}), or touched after they arrived. Kept in a {@link PageMap}, so it drains and counts the same way as the source's.
 */
public final class DestinationPageMap implements ArrivalObserver {
    private final PageMap map;
    private final LongConsumer faultLatencies;

    public DestinationPageMap(long pageCount) {
        this(pageCount, nanos -> { });
    }

    /** A map that also hands each network fault's latency, in nanoseconds, to {@code faultLatencies}. */
    public DestinationPageMap(long pageCount, LongConsumer faultLatencies) {
        this.map = new PageMap(pageCount);
        this.faultLatencies = faultLatencies;
    }

    /** The states, to drain and count as the source's map. */
    public PageMap map() {
        return map;
    }

    @Override
    public void copied(long page) {
        map.set(page, CellState.PRECOPIED);
    }

    @Override
    public void pending(long page) {
        // Its copy here is stale: it is not received until it arrives again (or is fetched).
        map.setIf(page, CellState.PRECOPIED, CellState.NOT_SENT);
    }

    @Override
    public void arrived(long page) {
        // A page the guest already waits for stays awaited until its fault is served.
        map.setIf(page, CellState.NOT_SENT, CellState.RECEIVED);
    }

    @Override
    public void awaiting(long page) {
        map.set(page, CellState.AWAITED);
    }

    @Override
    public void fetched(long page, long latencyNanos) {
        faultLatencies.accept(latencyNanos);
        map.set(page, CellState.DEMAND);
    }

    @Override
    public void touched(long page) {
        map.set(page, CellState.TOUCHED);
    }
}
