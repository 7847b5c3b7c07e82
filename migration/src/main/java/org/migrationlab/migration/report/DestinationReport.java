package org.migrationlab.migration.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a destination saw of one incoming guest: how the guest ended here, what post-copy cost it, and
 * the workload's progress rate while pages were still arriving and after. Rendered as JSON by
 * {@link DestinationReportJson}.
 *
 * @param migrationId        the migration's id (from the source's HELLO)
 * @param outcome            how the guest ended here; {@link GuestOutcome.Failed} when the migration failed
 * @param memoryHash         the guest RAM's hash at the end, when the guest ran here
 * @param faults             post-copy faults at this destination
 * @param progressRateDuring units per second from the resume until every page had arrived (NaN if unknown)
 * @param progressRateAfter  units per second from then until the guest ended (NaN if unknown)
 * @param balloon            the guest's self-balloon at its end here
 */
public record DestinationReport(String migrationId, String workload, long memoryBytes, long seed,
                                Map<String, String> args, GuestOutcome outcome, OptionalLong memoryHash,
                                String console, FaultStats faults, double progressRateDuring,
                                double progressRateAfter, BalloonSummary balloon) {
    public DestinationReport {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }
}
