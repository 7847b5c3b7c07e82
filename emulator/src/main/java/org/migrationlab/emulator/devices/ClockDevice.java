package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

/** Port 0xE2: reads and advances the {@link VirtualClock}. */
public final class ClockDevice implements Device {
    private final VirtualClock clock;

    public ClockDevice(VirtualClock clock) {
        this.clock = clock;
    }

    @Override
    public int port() {
        return Ports.CLOCK;
    }

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        switch (operation) {
            case 0 -> call.result(clock.read());
            case 1 -> {
                clock.advance(call.arg0());
                call.result(clock.nanos());
            }
            default -> throw new BadHypercallException("clock: unknown operation " + operation);
        }
        return HypercallOutcome.CONTINUE;
    }

    @Override
    public DeviceState save() {
        return new StateWriter(port(), 1).writeLong(clock.nanos()).toState();
    }

    @Override
    public Runnable prepareRestore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        long nanos = in.readLong();
        in.expectEnd();
        if (nanos < 0) {
            throw new IllegalArgumentException("clock state: negative time " + nanos + " ns");
        }
        return () -> clock.set(nanos);
    }
}
