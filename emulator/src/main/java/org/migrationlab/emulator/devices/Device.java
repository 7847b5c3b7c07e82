package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

/**
 * A hypercall device on one I/O port (see guest_abi.h). Devices are served synchronously inside the
 * engine's {@code out} hook on the vCPU thread, so they must be quick and must never block.
 * Their state moves with the guest: {@link #save()} and {@link #restore(DeviceState)}, keyed by the
 * device's port and versioned by the device.
 */
public interface Device {
    int port();

    String name();

    HypercallOutcome hypercall(int operation, HypercallContext call);

    /**
     * The device's migratable state: its id is {@link #port()}, its version that of the layout written.
     * Any change of a layout needs a new version.
     */
    DeviceState save();

    /**
     * Checks a saved state without changing the device and returns the step that loads it: a version this
     * device does not read, a truncated body or a value outside the device's limits (anything that would
     * let a state from elsewhere make the host allocate or do what a guest of this device cannot) is an
     * {@link IllegalArgumentException}. A machine checks every device's state before it loads any.
     */
    Runnable prepareRestore(DeviceState state);

    /** Replaces the device's state with a saved one after checking it ({@link #prepareRestore}). */
    default void restore(DeviceState state) {
        prepareRestore(state).run();
    }
}
