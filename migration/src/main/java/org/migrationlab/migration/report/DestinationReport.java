package org.migrationlab.migration.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.migrationlab.emulator.port.GuestSummary;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * What a destination saw of one incoming guest: how the guest ended here, what post-copy cost it, and
 * the workload's progress rate while pages were still arriving and after. Rendered as JSON by
 * {@link ReportJson}, with the key names and value spellings of the run report for what the two
 * share (result as an exact hex string, hashes as hex).
 *
 * @param migrationId        the migration's id (from the source's HELLO)
 * @param outcome            how the guest ended here; {@link GuestOutcome.Failed} when the migration failed
 * @param memoryHash         the guest RAM's hash at the end, when the guest ran here
 * @param faults             post-copy faults at this destination
 * @param progressRateDuring units per second from the resume until every page had arrived (NaN if unknown)
 * @param progressRateAfter  units per second from then until the guest ended (NaN if unknown)
 * @param balloon            the guest's self-balloon at its end here
 */
@JsonPropertyOrder({"migration-id", "workload", "memory-bytes", "seed", "args", "outcome", "memory-hash", "console",
    "faults", "progress-rate-during", "progress-rate-after", "balloon"})
public record DestinationReport(@JsonProperty("migration-id") String migrationId,
                                @JsonProperty("workload") String workload,
                                @JsonProperty("memory-bytes") long memoryBytes,
                                @JsonProperty("seed") long seed,
                                @JsonProperty("args") Map<String, String> args,
                                @JsonUnwrapped @JsonSerialize(using = OutcomeFields.class) GuestOutcome outcome,
                                OptionalLong memoryHash,
                                @JsonProperty("console") String console,
                                @JsonUnwrapped FaultStats faults,
                                @JsonProperty("progress-rate-during") @JsonSerialize(using = JsonNumbers.Tenths.class)
                                double progressRateDuring,
                                @JsonProperty("progress-rate-after") @JsonSerialize(using = JsonNumbers.Tenths.class)
                                double progressRateAfter,
                                @JsonProperty("balloon") BalloonSummary balloon) {
    public DestinationReport {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    /** The report of a guest that arrived, ran here and ended as {@code outcome}, leaving {@code summary}. */
    public static DestinationReport ended(String migrationId, org.migrationlab.emulator.machine.MachineConfig config,
                                          GuestOutcome outcome, GuestSummary summary, FaultStats faults,
                                          double progressRateDuring, double progressRateAfter) {
        BalloonSummary balloon = BalloonSummary.of(config, summary.balloon());
        return new DestinationReport(migrationId, config.bootArgs().workload(), config.ramBytes(),
                config.bootArgs().seed(), config.bootArgs().args(), outcome, OptionalLong.of(summary.memoryHash()),
                summary.console(), faults, progressRateDuring, progressRateAfter,
                balloon.withSavedPages(balloon.sizePages()));
    }

    /** The JSON's {@code memory-hash}: sixteen hex digits, or null when the guest never ran here. */
    @JsonProperty("memory-hash")
    String memoryHashHex() {
        return memoryHash.isPresent() ? GuestSummary.hex(memoryHash.getAsLong()) : null;
    }
}
