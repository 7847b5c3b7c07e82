package org.migrationlab.migration.progress;

/**
 * The latest progress of a running guest, published by the vCPU thread (the only writer) and read by
 * any thread, such as the command line's progress printer. Each field is volatile; a {@link Snapshot} may mix
 * values from two consecutive updates, which is harmless for display.
 */
public final class LiveProgress {
    private volatile long progress;
    private volatile long passes;
    private volatile long virtualTimeNanos;

    /** The values at one moment. */
    public record Snapshot(long progress, long passes, long virtualTimeNanos) {
    }

    /** Called on the vCPU thread when a counter changes. */
    public void update(int counter, long value, long virtualNanos) {
        if (counter == ProgressCounters.PROGRESS) {
            progress = value;
        } else if (counter == ProgressCounters.PASSES) {
            passes = value;
        }
        virtualTimeNanos = virtualNanos;
    }

    public Snapshot snapshot() {
        return new Snapshot(progress, passes, virtualTimeNanos);
    }
}
