package org.migrationlab.vmm.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.migrationlab.migration.progress.ArrivalObserver;

/**
 * The destination's side of one incoming migration: the engine tells its map of each page (its
 * {@link #observer()}), the map hands it each fault's latency, and each tick counts the map's states. The
 * destination learns no phase from the engine, so the map's states name it: a pending page is not received
 * until it arrives, so once none is left every page is here.
 */
final class DestinationSide implements ViewedSide {
    private final LiveLatency latency = new LiveLatency();
    private final DestinationPageMap pages;
    private long lastFaults; // ticker only

    DestinationSide(long pageCount) {
        this.pages = new DestinationPageMap(pageCount, latency::record);
    }

    /** What the engine tells of each page: the map takes it, and each network fault's latency goes to the ticks. */
    ArrivalObserver observer() {
        return pages;
    }

    @Override
    public PageMap map() {
        return pages.map();
    }

    @Override
    public String role() {
        return ViewMessage.Hello.DESTINATION;
    }

    @Override
    public ViewMessage.Tick tick(long atMillis, ViewMessage.Stepping stepping) {
        ViewMessage.Latency faults = latency.figures();
        long count = faults == null ? 0 : faults.count();
        long[] states = pages.map().counts();
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("not-received", states[CellState.NOT_SENT]);
        byKind.put("precopied", states[CellState.PRECOPIED]);
        byKind.put("received", states[CellState.RECEIVED]);
        byKind.put("awaited", states[CellState.AWAITED]);
        byKind.put("demand", states[CellState.DEMAND]);
        byKind.put("touched", states[CellState.TOUCHED]);
        boolean postcopy = states[CellState.RECEIVED] + states[CellState.AWAITED] + states[CellState.DEMAND]
                + states[CellState.TOUCHED] > 0;
        boolean allHere = states[CellState.NOT_SENT] + states[CellState.AWAITED] == 0;
        String phase = postcopy ? (allHere ? "every page here" : "post-copy")
                : states[CellState.PRECOPIED] > 0 ? "pre-copy" : "incoming";
        ViewMessage.Counters counters = new ViewMessage.Counters(byKind, 0, 0, 0, 0, states[CellState.NOT_SENT],
                0, 0, count, 0, 0);
        ViewMessage.Tick tick = new ViewMessage.Tick(atMillis, phase, 0, 0, count - lastFaults, -1, counters,
                null, faults);
        lastFaults = count;
        return tick;
    }
}
