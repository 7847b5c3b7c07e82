package org.migrationlab.migration.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.migrationlab.migration.progress.ProgressCounters;

/**
 * Everything known about one finished guest run. Immutable; rendered as JSON by {@link RunReportJson} and
 * as text by the command line.
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
public record RunReport(String workload, String image, long memoryBytes, long seed, Map<String, String> args,
                        GuestOutcome outcome, long memoryHash, long wallTimeNanos, Map<String, Long> exits,
                        long pageFaults, ProgressCounters progress, long virtualTimeNanos,
                        OptionalLong instructions, BalloonSummary balloon, String console) {

    public RunReport {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        exits = Collections.unmodifiableMap(new LinkedHashMap<>(exits));
        if (wallTimeNanos < 0) {
            throw new IllegalArgumentException("negative wall time " + wallTimeNanos);
        }
    }

    /** Units of counter 0 per wall-clock second over the whole run. */
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
}
