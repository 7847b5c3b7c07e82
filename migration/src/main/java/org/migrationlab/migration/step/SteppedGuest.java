package org.migrationlab.migration.step;

import java.util.concurrent.CompletableFuture;

/**
 * What step mode may do to the source's guest: park it, read and await its progress. The engine hands the gate
 * its guest through this view of the port's {@code park}, {@code progress} and {@code progressReached}, so that
 * step mode stays free of the emulator.
 */
public interface SteppedGuest {
    /** Parks the guest (it stops at its next clean pause) or lets it run again. Any thread. */
    void park(boolean parked);

    /** The guest's progress counter now. */
    long progressUnits();

    /** Completes, on the vCPU thread as the guest reports it, once the progress counter reached {@code units}. */
    CompletableFuture<Void> progressReached(long units);

    /** Completes once the guest stopped for good. */
    CompletableFuture<?> ended();
}
