package org.migrationlab.emulator.port;

/**
 * A live view of a guest's progress, readable from any thread while the guest runs: its counters
 * (counter 0 is the workload's main unit of progress) and its virtual clock, as of the latest counter
 * hypercall.
 */
public interface GuestProgress {
    /** Counter 0: the workload's units of progress. */
    long units();

    /** Every counter (16), copied. */
    long[] counters();

    /** The guest's virtual clock at the latest counter update, in ns. */
    long virtualTimeNanos();
}
