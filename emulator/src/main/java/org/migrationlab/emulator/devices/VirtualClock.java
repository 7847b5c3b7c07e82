package org.migrationlab.emulator.devices;

/**
 * The guest's only notion of time. It advances with the guest's own progress (1000 ns per progress
 * unit, 10 ns per read, and explicit idle advances), never with wall time, so a run is deterministic
 * whether or not it is paused or migrated.
 */
public final class VirtualClock {
    public static final long NS_PER_UNIT = 1000;
    public static final long NS_PER_READ = 10;
    private long nanos;

    public long nanos() {
        return nanos;
    }

    public long read() {
        nanos += NS_PER_READ;
        return nanos;
    }

    public void advance(long ns) {
        if (ns < 0) {
            throw new BadHypercallException("clock: negative advance " + ns);
        }
        nanos += ns;
    }

    void set(long value) {
        nanos = value;
    }
}
