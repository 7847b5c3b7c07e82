package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

import java.util.Arrays;

/**
 * Port 0xE3: the workload's progress counters. Counter 0 is the main unit of progress, counter 1 counts
 * passes. Adding to any counter advances the virtual clock. Wall-clock timestamps of progress are kept
 * host-side (not migrated) so that progress rates before, during and after a migration can be measured.
 */
public final class CounterDevice implements Device {
    public static final int COUNTERS = 16;
    public static final int PROGRESS = 0;
    public static final int PASSES = 1;

    private final long[] counters = new long[COUNTERS];
    private final VirtualClock clock;
    private ProgressListener listener = (id, value) -> { };

    /** Told of every change, on the vCPU thread; must be quick. */
    @FunctionalInterface
    public interface ProgressListener {
        void progressed(int counter, long value);
    }

    public CounterDevice(VirtualClock clock) {
        this.clock = clock;
    }

    public void listener(ProgressListener progressListener) {
        this.listener = progressListener;
    }

    @Override
    public int port() {
        return Ports.COUNTERS;
    }

    @Override
    public String name() {
        return "counters";
    }

    public long value(int counter) {
        return counters[counter];
    }

    public long[] values() {
        return counters.clone();
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        if (operation != 0) {
            throw new BadHypercallException("counters: unknown operation " + operation);
        }
        long id = call.arg0();
        long delta = call.arg1();
        if (id < 0 || id >= COUNTERS) {
            throw new BadHypercallException("counters: no counter " + id);
        }
        if (delta < 0 || delta > (1L << 40)) {
            throw new BadHypercallException("counters: delta " + delta + " out of range");
        }
        counters[(int) id] += delta;
        clock.advance(delta * VirtualClock.NS_PER_UNIT);
        call.result(counters[(int) id]);
        listener.progressed((int) id, counters[(int) id]);
        return HypercallOutcome.CONTINUE;
    }

    @Override
    public DeviceState save() {
        StateWriter out = new StateWriter(port(), 1);
        for (long c : counters) {
            out.writeLong(c);
        }
        return out.toState();
    }

    @Override
    public Runnable prepareRestore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        long[] loaded = new long[COUNTERS];
        for (int i = 0; i < COUNTERS; i++) {
            loaded[i] = in.readLong();
            if (loaded[i] < 0) {
                throw new IllegalArgumentException("counters state: counter " + i + " is negative (" + loaded[i] + ")");
            }
        }
        in.expectEnd();
        return () -> System.arraycopy(loaded, 0, counters, 0, COUNTERS);
    }

    @Override
    public String toString() {
        return "counters" + Arrays.toString(counters);
    }
}
