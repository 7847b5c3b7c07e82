package org.migrationlab.migration.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.migrationlab.emulator.port.GuestSummary;
import org.migrationlab.migration.progress.ProgressCounters;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * Everything known about one finished guest run. Immutable; rendered as JSON by {@link ReportJson}, under
 * the keys its annotations name, and as text by the command line.
 *
 * @param workload         the workload name given to the guest ("" = the kernel's default)
 * @param image            where the guest image came from (a file name or the built-in kernel)
 * @param args             the boot arguments, in the order given
 * @param exits            vCPU exits by kind, in the emulator's order and spelling
 * @param pageFaults       every page fault, including those taken by dirty logging
 * @param virtualTimeNanos the guest's virtual clock at the end
 * @param instructions     the exact number of instructions executed, when they were counted
 * @param balloon          the self-balloon at the end ({@code saved-pages}: its size, what a migration
 *                         would not send now)
 * @param console          everything the guest printed
 */
@JsonPropertyOrder({"workload", "image", "memory-bytes", "seed", "args", "outcome", "memory-hash", "wall-time-ms",
    "exits", "page-faults", "progress", "progress-rate", "virtual-time-ns", "instructions", "instructions-per-second",
    "balloon", "console"})
public record RunReport(@JsonProperty("workload") String workload,
                        @JsonProperty("image") String image,
                        @JsonProperty("memory-bytes") long memoryBytes,
                        @JsonProperty("seed") long seed,
                        @JsonProperty("args") Map<String, String> args,
                        @JsonUnwrapped @JsonSerialize(using = OutcomeFields.class) GuestOutcome outcome,
                        long memoryHash,
                        long wallTimeNanos,
                        @JsonProperty("exits") Map<String, Long> exits,
                        @JsonProperty("page-faults") long pageFaults,
                        ProgressCounters progress,
                        @JsonProperty("virtual-time-ns") long virtualTimeNanos,
                        @JsonProperty("instructions") OptionalLong instructions,
                        @JsonProperty("balloon") BalloonSummary balloon,
                        @JsonProperty("console") String console) {

    public RunReport {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        exits = Collections.unmodifiableMap(new LinkedHashMap<>(exits));
        if (wallTimeNanos < 0) {
            throw new IllegalArgumentException("negative wall time " + wallTimeNanos);
        }
    }

    /**
     * The report of a guest booted with {@code config} from the image {@code imageLabel} names, that ended
     * as {@code end} after {@code wallNanos} and left {@code summary}. A run saves, at its end, what a
     * migration would skip: the balloon's size.
     */
    public static RunReport of(org.migrationlab.emulator.machine.MachineConfig config, String imageLabel,
                               org.migrationlab.emulator.port.GuestEnd end, GuestSummary summary, long wallNanos) {
        BalloonSummary balloon = BalloonSummary.of(config, summary.balloon());
        return new RunReport(config.bootArgs().workload(), imageLabel, config.ramBytes(), config.bootArgs().seed(),
                config.bootArgs().args(), GuestOutcome.of(end), summary.memoryHash(), wallNanos, summary.exits(),
                summary.pageFaults(), ProgressCounters.of(summary.counters()), summary.virtualTimeNanos(),
                summary.instructions(), balloon.withSavedPages(balloon.sizePages()), summary.console());
    }

    /** Units of counter 0 per wall-clock second over the whole run. */
    @JsonProperty("progress-rate")
    @JsonSerialize(using = JsonNumbers.Tenths.class)
    public double progressPerSecond() {
        return perSecond(progress.progress());
    }

    /** Instructions per wall-clock second, when they were counted. */
    public OptionalDouble instructionsPerSecond() {
        return instructions.isPresent() ? OptionalDouble.of(perSecond(instructions.getAsLong()))
                : OptionalDouble.empty();
    }

    private double perSecond(long units) {
        return wallTimeNanos == 0 ? 0 : units * 1e9 / wallTimeNanos;
    }

    /** The JSON's {@code memory-hash}: sixteen hex digits. */
    @JsonProperty("memory-hash")
    String memoryHashHex() {
        return GuestSummary.hex(memoryHash);
    }

    /** The JSON's {@code wall-time-ms}: to the microsecond. */
    @JsonProperty("wall-time-ms")
    double wallTimeMillis() {
        return Math.round(wallTimeNanos / 1e3) / 1e3;
    }

    /** The JSON's {@code progress}: the guest's counters by name. */
    @JsonProperty("progress")
    Map<String, Long> namedCounters() {
        return progress.named();
    }

    /** The JSON's {@code instructions-per-second}: null when instructions were not counted. */
    @JsonProperty("instructions-per-second")
    @JsonSerialize(using = JsonNumbers.Tenths.class)
    Double instructionsPerSecondOrNull() {
        return instructions.isPresent() ? instructionsPerSecond().orElseThrow() : null;
    }
}
