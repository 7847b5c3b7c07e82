package org.migrationlab.emulator.port;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What a guest left behind once it ended (or at a pause): everything reports and the migration oracle
 * compare. Immutable.
 *
 * @param console          everything the guest printed, kept up to the console's limit
 * @param consoleDropped   bytes beyond that limit
 * @param counters         the progress counters
 * @param memoryHash       64-bit hash of all guest RAM
 * @param exits            how the vCPU left the engine, by kind
 * @param pageFaults       page faults taken (all kinds)
 * @param virtualTimeNanos the guest's virtual clock
 * @param instructions     instructions executed, when the machine counted them
 * @param balloon          the balloon's figures, or {@link BalloonControl.BalloonFigures#NONE}
 */
public record GuestSummary(String console, long consoleDropped, long[] counters, long memoryHash,
                           Map<String, Long> exits, long pageFaults, long virtualTimeNanos,
                           OptionalLong instructions, BalloonControl.BalloonFigures balloon) {
    public GuestSummary {
        Objects.requireNonNull(console, "console");
        counters = counters.clone();
        exits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(exits));
        Objects.requireNonNull(instructions, "instructions");
        Objects.requireNonNull(balloon, "balloon");
    }

    @Override
    public long[] counters() {
        return counters.clone();
    }

    /** How reports write a memory hash: 16 lower-case hex digits. */
    public static String hex(long memoryHash) {
        return String.format("%016x", memoryHash);
    }

    /** Counter 0. */
    public long progressUnits() {
        return counters[0];
    }
}
