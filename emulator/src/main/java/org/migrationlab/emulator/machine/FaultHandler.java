package org.migrationlab.emulator.machine;

import org.migrationlab.emulator.cpu.VcpuExit;

/**
 * Resolves page faults that the machine itself does not own (dirty-logging write faults are handled
 * inside the machine). Called on the vCPU thread between slices.
 */
@FunctionalInterface
public interface FaultHandler {
    enum Resolution {
        /** The page is now present (or writable): retry the instruction. */
        RESUME,
        /** Leave the run loop and return the fault to the caller. */
        RETURN
    }

    Resolution onPageFault(VcpuExit.PageFault fault, Machine machine);

    /** No resolution: every fault goes back to the caller. */
    FaultHandler NONE = (fault, machine) -> Resolution.RETURN;
}
