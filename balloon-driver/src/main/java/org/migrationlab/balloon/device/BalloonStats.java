package org.migrationlab.balloon.device;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a balloon has done, as of one moment (an immutable snapshot of {@link BalloonDevice#stats()}).
 *
 * @param balloonPages       pages the balloon holds now (its current size)
 * @param queries            times the guest's driver woke and asked for a target
 * @param inflations         inflate calls the host accepted
 * @param deflations         deflate calls (every one is served)
 * @param pressureDeflations deflate calls the guest made because it needed the memory at once
 * @param refusedInflations  inflate calls refused because the balloon was frozen
 * @param pagesReturned      pages the guest returned to the host (inflated), in all
 * @param pagesReclaimed     pages the guest took back (deflated), in all
 * @param driverHostNanos    host time spent serving the driver: its hypercalls and the deferred inflation
 *                           work (unmapping, zeroing, TLB flush); wall-clock, not migrated
 * @param frozenQueries      queries this host answered while the balloon was frozen (with its current size,
 *                           without asking the policy); not migrated
 */
public record BalloonStats(long balloonPages, long queries, long inflations, long deflations, long pressureDeflations,
                           long refusedInflations, long pagesReturned, long pagesReclaimed, long driverHostNanos,
                           long frozenQueries) {

    /** The statistics by name, for reports (kebab-case, in this order). */
    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("balloon-pages", balloonPages);
        map.put("balloon-queries", queries);
        map.put("balloon-inflations", inflations);
        map.put("balloon-deflations", deflations);
        map.put("balloon-pressure-deflations", pressureDeflations);
        map.put("balloon-refused-inflations", refusedInflations);
        map.put("balloon-pages-returned", pagesReturned);
        map.put("balloon-pages-reclaimed", pagesReclaimed);
        map.put("balloon-driver-host-ns", driverHostNanos);
        map.put("balloon-frozen-queries", frozenQueries);
        return map;
    }
}
