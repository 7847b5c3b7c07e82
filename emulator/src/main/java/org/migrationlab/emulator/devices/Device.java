package org.migrationlab.emulator.devices;

/**
 * A hypercall device on one I/O port (see guest_abi.h). Devices are served synchronously inside the
 * engine's {@code out} hook on the vCPU thread, so they must be quick and must never block.
 * Their state moves with the guest: {@link #saveState()} and {@link #restoreState(byte[])}.
 */
public interface Device {
    int port();

    String name();

    HypercallOutcome hypercall(int operation, HypercallContext call);

    /** The device's migratable state in a stable binary form. */
    byte[] saveState();

    /** Replaces the device's state with a saved one; validates it. */
    void restoreState(byte[] state);
}
